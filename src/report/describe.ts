/**
 * Words for codes and verdicts, shared by the text and JSON reports so both say the same
 * thing. Nothing here looks at element values: reports must never carry PHI.
 */
import { AK9, IK304, IK403, IK5, TA105 } from '../x12/codes.js';
import type { ElementError, FileReport, GroupResult, InterchangeResult, SegmentError, SetResult } from '../x12/report.js';

type CodeList = Readonly<Record<string, string>>;

function lookup(list: CodeList, code: string): string {
  return list[code] ?? `unknown code ${code}`;
}

export const describeTa105 = (code: string): string => lookup(TA105, code);
export const describeIk304 = (code: string): string => lookup(IK304, code);
export const describeIk403 = (code: string): string => lookup(IK403, code);
export const describeIk5 = (code: string): string => lookup(IK5, code);
export const describeAk9 = (code: string): string => lookup(AK9, code);

/** TA104 in words. */
export function interchangeVerdict(status: InterchangeResult['status']): string {
  switch (status) {
    case 'A':
      return 'accepted';
    case 'E':
      return 'accepted with errors';
    case 'R':
      return 'rejected';
    default:
      return unknownStatus(status);
  }
}

/** AK901 / IK501 in words. */
export function verdict(status: GroupResult['status'] | SetResult['status']): string {
  switch (status) {
    case 'A':
      return 'ACCEPTED';
    case 'E':
      return 'ACCEPTED WITH ERRORS';
    case 'P':
      return 'PARTIALLY ACCEPTED';
    case 'R':
      return 'REJECTED';
    default:
      return unknownStatus(status);
  }
}

// Exhaustive switches above; at run time a stray value is still shown rather than thrown.
function unknownStatus(status: never): string {
  return `status ${String(status)}`;
}

/** "NM103", "SVC01-2", "HI01-2 repetition 3": how people name an element. */
export function elementRef(segmentId: string, el: Pick<ElementError, 'position' | 'component' | 'repetition'>): string {
  let ref = segmentId + String(el.position).padStart(2, '0');
  if (el.component !== undefined) ref += `-${el.component}`;
  if (el.repetition !== undefined) ref += ` repetition ${el.repetition}`;
  return ref;
}

/**
 * "segment 12 (NM1, loop 2100A, byte offset 3456)"; for a segment that is missing (no byte
 * offset: it is not in the file), "missing REF (loop 2000) before segment 6", its position
 * (IK302) being that of the segment it was expected before.
 */
export function segmentLocation(e: SegmentError): string {
  if (isMissing(e)) return `missing ${e.segmentId}${e.loopId ? ` (loop ${e.loopId})` : ''} before segment ${e.position}`;
  const parts = [e.segmentId];
  if (e.loopId) parts.push(`loop ${e.loopId}`);
  parts.push(`byte offset ${e.fileOffset}`);
  return `segment ${e.position} (${parts.join(', ')})`;
}

/** A segment error about a segment not in the file (required segment or loop missing): it has no byte offset. */
export function isMissing(e: SegmentError): boolean {
  return e.fileOffset < 0;
}

/**
 * "005010X220A1 HIPAA Benefit Enrollment and Maintenance": the convention once, then the
 * guide's name without it (guide names end with their version).
 */
export function guideLabel(convention: string, guide: string | undefined): string {
  const title = (guide ?? '').split(/\s+/).filter((w) => w !== '' && w !== convention).join(' ');
  return title ? `${convention} ${title}` : convention;
}

/** A set counts as accepted (will be applied) only when nothing above it was rejected. */
export function setApplied(ix: InterchangeResult, g: GroupResult, s: SetResult): boolean {
  return ix.status !== 'R' && g.status !== 'R' && s.status !== 'R';
}

export interface Totals {
  interchanges: number;
  interchangesRejected: number;
  groups: number;
  sets: number;
  setsAccepted: number;
  setsRejected: number;
}

export function totals(report: FileReport): Totals {
  const t: Totals = { interchanges: 0, interchangesRejected: 0, groups: 0, sets: 0, setsAccepted: 0, setsRejected: 0 };
  for (const ix of report.interchanges) {
    t.interchanges += 1;
    if (ix.status === 'R') t.interchangesRejected += 1;
    for (const g of ix.groups) {
      t.groups += 1;
      for (const s of g.sets) {
        t.sets += 1;
        if (setApplied(ix, g, s)) t.setsAccepted += 1;
        else t.setsRejected += 1;
      }
    }
  }
  return t;
}

/** ISA09 YYMMDD + ISA10 HHMM as "2026-09-28 12:00"; anything unreadable is shown as sent. */
export function interchangeWhen(date: string, time: string): string {
  const d = /^(\d\d)(\d\d)(\d\d)$/.exec(date);
  const t = /^(\d\d)(\d\d)$/.exec(time);
  const day = d ? `20${d[1]}-${d[2]}-${d[3]}` : date;
  const clock = t ? `${t[1]}:${t[2]}` : time;
  return `${day} ${clock}`.trim();
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
