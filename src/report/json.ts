/**
 * A machine-readable report: stable field names, null for "absent" (never a missing key),
 * codes next to their descriptions.
 *
 * Built field by field from an allowlist rather than by spreading the validator's objects,
 * so a field added to the results later (possibly holding PHI) does not leak out here.
 * Element values and business-unit references are left out; only a value's length is kept.
 */
import { acceptedSets, type ElementError, type FileReport, type GroupResult, type InterchangeResult, type SegmentError, type SetResult } from '../x12/report.js';
import {
  describeAk9,
  describeIk304,
  describeIk403,
  describeIk5,
  describeTa105,
  interchangeVerdict,
  totals,
  verdict,
  type Totals,
} from './describe.js';

export const JSON_REPORT_FORMAT = 'edibridge.validation-report/1';

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
  fileOffset: number;
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

export interface JsonReport {
  format: typeof JSON_REPORT_FORMAT;
  file: string;
  bytes: number;
  segments: number;
  accepted: boolean;
  summary: Totals;
  problems: { kind: string; message: string; fileOffset: number }[];
  interchanges: JsonInterchange[];
}

export function toJsonReport(report: FileReport): JsonReport {
  return {
    format: JSON_REPORT_FORMAT,
    file: report.file,
    bytes: report.bytes,
    segments: report.segments,
    accepted: report.accepted,
    summary: totals(report),
    problems: report.problems.map((p) => ({ kind: p.kind, message: p.message, fileOffset: p.fileOffset })),
    interchanges: report.interchanges.map(interchange),
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
    fileOffset: e.fileOffset,
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
