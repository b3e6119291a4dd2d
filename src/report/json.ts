/**
 * A machine-readable report: stable field names, null for "absent" (never a missing key),
 * codes next to their descriptions.
 *
 * Built field by field from an allowlist rather than by spreading the validator's objects,
 * so a field added to the results later (possibly holding PHI) does not leak out here.
 * Element values and business-unit references are left out; only a value's length is kept.
 */
import type { Received999, ReceivedAcknowledgement, ReceivedTa1 } from '../ack/inbound.js';
import { onlyAcknowledgements } from '../ack/inbound.js';
import { acceptedSets, type ElementError, type FileReport, type GroupResult, type InterchangeResult, type SegmentError, type SetResult } from '../x12/report.js';
import {
  describeAk9,
  describeIk304,
  describeIk403,
  describeIk5,
  describeTa105,
  interchangeVerdict,
  isMissing,
  totals,
  verdict,
  type Totals,
} from './describe.js';
import type { FileStartKind } from './file-start.js';
import { foundInterchanges, placeholderInterchange, receivedVerdict, type ReportExtras } from './received.js';

/**
 * Version 2 changed the meaning of two fields of version 1: `interchanges` lists only the
 * interchanges found (a file with no ISA has none; `noInterchange` says what it is), and a
 * segment error's `fileOffset` is null for a segment that is missing (was -1).
 */
export const JSON_REPORT_FORMAT = 'edibridge.validation-report/2';

export interface JsonCode {
  code: string;
  description: string;
}

export interface JsonElementError {
  position: number;
  component: number | null;
  repetition: number | null;
  ref: string | null;
  name: string | null;
  error: JsonCode;
  /** Length of the bad value; the value itself is never reported. */
  valueLength: number | null;
  /** The guide's situational rule that found the fault (its wording), if one did. */
  rule: string | null;
}

export interface JsonSegmentError {
  segmentId: string;
  position: number;
  loopId: string | null;
  name: string | null;
  /** Where the segment is in the file; null when it is missing (its `position` is then that of the segment it was expected before). */
  fileOffset: number | null;
  missing: boolean;
  error: JsonCode;
  /** The business unit's name only (e.g. "SUBSCRIBER NUMBER REF02"); its value is PHI. */
  businessUnit: { name: string } | null;
  trigger: {
    segmentId: string;
    position: number;
    loopId: string | null;
    element: number | null;
    component: number | null;
    ref: string | null;
  } | null;
  elements: JsonElementError[];
}

export interface JsonSet {
  id: string;
  control: string;
  convention: string;
  guide: string | null;
  status: string;
  verdict: string;
  codes: JsonCode[];
  segmentCount: number;
  fileOffset: number;
  errorsTruncated: boolean;
  errors: JsonSegmentError[];
}

export interface JsonGroup {
  functionalId: string;
  control: string;
  version: string;
  sender: string;
  receiver: string;
  status: string;
  verdict: string;
  codes: JsonCode[];
  /** GE01; null where GE was missing or unreadable. */
  declaredSets: number | null;
  receivedSets: number;
  acceptedSets: number;
  acknowledge: boolean;
  fileOffset: number;
  sets: JsonSet[];
}

export interface JsonInterchange {
  control: string;
  sender: { qualifier: string; id: string };
  receiver: { qualifier: string; id: string };
  date: string;
  time: string;
  version: string;
  usage: string;
  ackRequested: boolean;
  status: string;
  verdict: string;
  note: JsonCode;
  otherNotes: JsonCode[];
  sendTa1: boolean;
  fileOffset: number;
  groups: JsonGroup[];
}

/** A file with no interchange: what it looks like and the TA1 that rejects it. */
export interface JsonNoInterchange {
  fileStart: { kind: FileStartKind; segmentId: string | null; description: string } | null;
  status: string;
  verdict: string;
  note: JsonCode;
  sendTa1: boolean;
}

/** A partner's TA1 received: which interchange of ours it answers and its verdict. */
export interface JsonReceivedTa1 {
  kind: 'TA1';
  /** ISA13 of the partner's interchange that carried it. */
  interchange: string;
  fileOffset: number;
  /** TA101: the ISA13 of our interchange it answers. */
  answersControl: string;
  date: string;
  time: string;
  status: string;
  verdict: string;
  note: JsonCode;
  /** What is wrong with the TA1 itself; empty when well formed. */
  faults: string[];
}

/** A partner's 999 received: which group of ours it answers (AK1), each set's verdict (AK2/IK5) and the group's (AK9). */
export interface JsonReceived999 {
  kind: '999';
  interchange: string;
  groupControl: string;
  setControl: string;
  fileOffset: number;
  answers: { functionalId: string; groupControl: string; version: string } | null;
  groupVerdict: {
    status: string;
    verdict: string;
    included: number | null;
    received: number | null;
    accepted: number | null;
    codes: JsonCode[];
  } | null;
  sets: Array<{
    transactionSet: string;
    control: string;
    convention: string | null;
    status: string | null;
    verdict: string;
    codes: JsonCode[];
    segmentErrors: number;
    elementErrors: number;
  }>;
}

export interface JsonReport {
  format: typeof JSON_REPORT_FORMAT;
  file: string;
  bytes: number;
  segments: number;
  accepted: boolean;
  /** The file holds acknowledgements (TA1, 999) and nothing else. */
  acknowledgementReceived: boolean;
  summary: Totals;
  problems: { kind: string; message: string; fileOffset: number }[];
  /** Null when the file holds an interchange. */
  noInterchange: JsonNoInterchange | null;
  interchanges: JsonInterchange[];
  /** The acknowledgements the file carries (a partner's TA1s and 999s), in file order. */
  acknowledgementsReceived: Array<JsonReceivedTa1 | JsonReceived999>;
}

export function toJsonReport(report: FileReport, extras: ReportExtras = {}): JsonReport {
  const placeholder = placeholderInterchange(report);
  const interchanges = foundInterchanges(report);
  const received = extras.received;
  return {
    format: JSON_REPORT_FORMAT,
    file: report.file,
    bytes: report.bytes,
    segments: report.segments,
    accepted: report.accepted,
    acknowledgementReceived: received !== undefined && onlyAcknowledgements(received) && report.accepted,
    summary: totals({ ...report, interchanges }),
    // The "no interchange" problem is `noInterchange`, with what the file looks like.
    problems: report.problems.filter((p) => p.kind !== 'no-interchange').map((p) => ({ kind: p.kind, message: p.message, fileOffset: p.fileOffset })),
    noInterchange: placeholder || interchanges.length === 0
      ? {
          fileStart: extras.fileStart ? { kind: extras.fileStart.kind, segmentId: extras.fileStart.segmentId, description: extras.fileStart.description } : null,
          status: placeholder?.status ?? 'R',
          verdict: interchangeVerdict(placeholder?.status ?? 'R'),
          note: code(describeTa105)(placeholder?.note ?? '023'),
          sendTa1: placeholder?.sendTa1 ?? false,
        }
      : null,
    interchanges: interchanges.map(interchange),
    acknowledgementsReceived: (received?.acknowledgements ?? []).map(receivedAck),
  };
}

function receivedAck(a: ReceivedAcknowledgement): JsonReceivedTa1 | JsonReceived999 {
  return a.kind === 'TA1' ? receivedTa1(a) : received999(a);
}

function receivedTa1(t: ReceivedTa1): JsonReceivedTa1 {
  return {
    kind: 'TA1',
    interchange: t.carrier.control,
    fileOffset: t.fileOffset,
    answersControl: t.answersControl,
    date: t.date,
    time: t.time,
    status: t.status,
    verdict: receivedVerdict(t.status),
    note: code(describeTa105)(t.note),
    faults: [...t.faults],
  };
}

function received999(a: Received999): JsonReceived999 {
  const v = a.groupVerdict;
  return {
    kind: '999',
    interchange: a.carrier.control,
    groupControl: a.groupControl,
    setControl: a.setControl,
    fileOffset: a.fileOffset,
    answers: a.answers ? { functionalId: a.answers.functionalId, groupControl: a.answers.groupControl, version: a.answers.version } : null,
    groupVerdict: v
      ? { status: v.status, verdict: receivedVerdict(v.status), included: v.included, received: v.received, accepted: v.accepted, codes: v.codes.map(code(describeAk9)) }
      : null,
    sets: a.sets.map((s) => ({
      transactionSet: s.transactionSet,
      control: s.control,
      convention: s.convention,
      status: s.status,
      verdict: receivedVerdict(s.status),
      codes: s.codes.map(code(describeIk5)),
      segmentErrors: s.segmentErrors,
      elementErrors: s.elementErrors,
    })),
  };
}

const code = (describe: (c: string) => string) => (c: string): JsonCode => ({ code: c, description: describe(c) });

function interchange(ix: InterchangeResult): JsonInterchange {
  return {
    control: ix.control,
    sender: { qualifier: ix.senderQualifier, id: ix.sender.trim() },
    receiver: { qualifier: ix.receiverQualifier, id: ix.receiver.trim() },
    date: ix.date,
    time: ix.time,
    version: ix.version,
    usage: ix.usage,
    ackRequested: ix.ackRequested,
    status: ix.status,
    verdict: interchangeVerdict(ix.status),
    note: code(describeTa105)(ix.note),
    otherNotes: ix.otherNotes.map(code(describeTa105)),
    sendTa1: ix.sendTa1,
    fileOffset: ix.fileOffset,
    groups: ix.groups.map(group),
  };
}

function group(g: GroupResult): JsonGroup {
  return {
    functionalId: g.functionalId,
    control: g.control,
    version: g.version,
    sender: g.sender,
    receiver: g.receiver,
    status: g.status,
    verdict: verdict(g.status),
    codes: g.codes.map(code(describeAk9)),
    // JSON has no NaN; JSON.stringify would turn it into null anyway, say so explicitly.
    declaredSets: Number.isFinite(g.declaredSets) ? g.declaredSets : null,
    receivedSets: g.sets.length,
    acceptedSets: acceptedSets(g),
    acknowledge: g.acknowledge,
    fileOffset: g.fileOffset,
    sets: g.sets.map(set),
  };
}

function set(s: SetResult): JsonSet {
  return {
    id: s.id,
    control: s.control,
    convention: s.convention,
    guide: s.guide ?? null,
    status: s.status,
    verdict: verdict(s.status),
    codes: s.codes.map(code(describeIk5)),
    segmentCount: s.segmentCount,
    fileOffset: s.fileOffset,
    errorsTruncated: s.errorsTruncated,
    errors: s.errors.map(segmentError),
  };
}

function segmentError(e: SegmentError): JsonSegmentError {
  const t = e.trigger;
  return {
    segmentId: e.segmentId,
    position: e.position,
    loopId: e.loopId ?? null,
    name: e.name ?? null,
    fileOffset: isMissing(e) ? null : e.fileOffset,
    missing: isMissing(e),
    error: code(describeIk304)(e.code),
    businessUnit: e.businessUnit ? { name: e.businessUnit.name } : null,
    trigger: t
      ? {
          segmentId: t.segmentId,
          position: t.position,
          loopId: t.loopId ?? null,
          element: t.element ?? null,
          component: t.component ?? null,
          ref: t.ref ?? null,
        }
      : null,
    elements: e.elements.map(elementError),
  };
}

function elementError(el: ElementError): JsonElementError {
  return {
    position: el.position,
    component: el.component ?? null,
    repetition: el.repetition ?? null,
    ref: el.ref ?? null,
    name: el.name ?? null,
    error: code(describeIk403)(el.code),
    valueLength: el.value !== undefined && el.value !== '' ? el.value.length : null,
    rule: el.rule ?? null,
  };
}
