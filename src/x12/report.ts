/**
 * Validation results as data, keyed to the acknowledgement codes. The TA1 and 999
 * builders and the human report all read this one shape.
 */
import type { Ak9Code, GroupStatus, Ik304, Ik403, Ik5Code, InterchangeStatus, SetStatus, Ta105 } from './codes.js';

/** An IK4: one element in error. */
export interface ElementError {
  /** Element position in the segment (IK401-1). */
  position: number;
  /** Component position within a composite (IK401-2). */
  component?: number | undefined;
  /** Repetition number of a repeating element (IK401-3). */
  repetition?: number | undefined;
  /** Data element reference number (IK402). */
  ref?: string | undefined;
  code: Ik403;
  /** Copy of the bad data (IK404); absent when the element is missing. */
  value?: string | undefined;
  /** Element name from the guide, for people. */
  name?: string | undefined;
  /** The situational rule's trigger, when a guide rule (not X12 syntax) found the fault. */
  trigger?: SituationalTrigger | undefined;
  /** The guide's wording of that rule, for people. */
  rule?: string | undefined;
}

/** CTX in the 999: points at the segment whose content made a situational rule apply. */
export interface SituationalTrigger {
  segmentId: string;
  position: number;
  loopId?: string | undefined;
  element?: number | undefined;
  component?: number | undefined;
  ref?: string | undefined;
}

/** An IK3: one segment in error, with its IK4s. */
export interface SegmentError {
  segmentId: string;
  /** Position counted from ST = 1 (IK302). */
  position: number;
  /** Guide loop id the segment belongs to (IK303); absent in the header. */
  loopId?: string | undefined;
  /** IK304; code 8 when only element errors follow. */
  code: Ik304;
  elements: ElementError[];
  /** For a segment-level situational rule (2100 CTX); the rules encoded so far are element-level. */
  trigger?: SituationalTrigger | undefined;
  /** Business unit context (CTX*name:value), e.g. the subscriber number of the member. */
  businessUnit?: { name: string; value: string } | undefined;
  /** Segment name from the guide, for people. */
  name?: string | undefined;
  /** Byte offset in the file, for people. */
  fileOffset: number;
}

/** One transaction set's verdict (AK2 … IK5). */
export interface SetResult {
  /** ST01. */
  id: string;
  /** ST02. */
  control: string;
  /** ST03, or GS08 where ST03 is absent. */
  convention: string;
  status: SetStatus;
  codes: Ik5Code[];
  errors: SegmentError[];
  /** True when more errors were found than are kept. */
  errorsTruncated: boolean;
  /** Segments counted from ST to SE inclusive. */
  segmentCount: number;
  fileOffset: number;
  /** Guide name, where we know the set. */
  guide?: string | undefined;
}

/** One functional group's verdict (AK1 … AK9). */
export interface GroupResult {
  functionalId: string;
  control: string;
  version: string;
  sender: string;
  receiver: string;
  status: GroupStatus;
  codes: Ak9Code[];
  /** GE01 as sent; NaN where GE is missing or unreadable. */
  declaredSets: number;
  sets: SetResult[];
  /** A 999 is never sent in answer to a 999 or TA1. */
  acknowledge: boolean;
  fileOffset: number;
}

/** One interchange's verdict (the TA1), and its groups. */
export interface InterchangeResult {
  control: string;
  senderQualifier: string;
  sender: string;
  receiverQualifier: string;
  receiver: string;
  date: string;
  time: string;
  version: string;
  usage: string;
  ackRequested: boolean;
  status: InterchangeStatus;
  note: Ta105;
  /** Other faults found after the first (a TA1 carries only one note). */
  otherNotes: Ta105[];
  /** Whether a TA1 goes back: on errors, or when ISA14 asks for one. */
  sendTa1: boolean;
  groups: GroupResult[];
  /** Byte offset of the ISA in the file. */
  fileOffset: number;
  /**
   * The interchange's own delimiters (element, component, repetition, terminator) as text,
   * so a value echoed into AK1/AK2 can leave them out (src/x12/envelope/echo.ts).
   */
  delimiters?: string | undefined;
}

export interface FileProblem {
  kind: string;
  message: string;
  fileOffset: number;
}

export interface FileReport {
  file: string;
  bytes: number;
  segments: number;
  interchanges: InterchangeResult[];
  problems: FileProblem[];
  /** Every set in the file accepted, and every interchange too. */
  accepted: boolean;
}

/**
 * Sets a group accepts (AK904): none when the group is rejected, however its sets fared
 * alone; otherwise those accepted, with or without errors. The 999 and the reports agree.
 */
export function acceptedSets(g: GroupResult): number {
  return g.status === 'R' ? 0 : g.sets.filter((s) => s.status === 'A' || s.status === 'E').length;
}

/**
 * The report with every interchange rejected for `note` (TA104 R, a TA1 sent, no 999): for
 * an envelope that reads well but must not be taken, such as one whose sender is not the
 * partner it came from. The note the validator found first, if any, stays among the others.
 */
export function rejectInterchanges(report: FileReport, note: Ta105): FileReport {
  return {
    ...report,
    accepted: false,
    interchanges: report.interchanges.map((ic) => ({
      ...ic,
      status: 'R',
      note,
      otherNotes: ic.note === '000' || ic.note === note ? ic.otherNotes : [ic.note, ...ic.otherNotes],
      sendTa1: true,
    })),
  };
}
