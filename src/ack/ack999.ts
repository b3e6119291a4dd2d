/**
 * The 999 Implementation Acknowledgment (005010X231A1), built from validation results.
 *
 * Layout, per acknowledged functional group (one 999 answers one group):
 *   GS*FA … ST*999 … AK1 (the group: GS01, GS06, GS08)
 *     loop 2000  AK2 per received set (ST01, ST02, ST03)
 *       loop 2100  IK3 per segment in error, then its CTX (business unit, situational trigger)
 *         loop 2110  IK4 per element in error (IK401 composite position:component:repetition,
 *                    IK404 copy of the bad data, at most 99 characters)
 *       IK5 set verdict A/E/R with up to five codes (IK502–IK506)
 *     AK9 group verdict A/E/P/R, sets included / received / accepted, up to five codes
 *   SE (segments ST…SE inclusive) GE
 * A 999 never answers a 999 or a TA1 (GroupResult.acknowledge is false for those), and a
 * rejected interchange gets no 999 at all: its TA1 answers it.
 */
import { acceptedSets, type ElementError, type GroupResult, type InterchangeResult, type SegmentError, type SetResult, type SituationalTrigger } from '../x12/report.js';
import { echoSetControl, echoValue } from '../x12/envelope/echo.js';
import { closeGroup, closeInterchange, openGroup, openInterchange, type AckContext, type OutboundInterchange } from './envelope.js';
import { capped, type SegmentWriter } from './writer.js';

export const ACK_999_CONVENTION = '005010X231A1';

/** IK502–IK506 and AK905–AK909 hold at most five codes each. */
const MAX_CODES = 5;

// Maximum lengths of the received values we copy back (X12 005010 element dictionary).
const LEN = {
  functionalId: 2, // 479
  groupControl: 9, // 28
  version: 12, // 480
  setId: 3, // 143
  setControl: 9, // 329
  convention: 35, // 1705
  segmentId: 3, // 721
  elementRef: 4, // 725
  badData: 99, // 724 (IK404)
  contextName: 35, // 9999
  contextReference: 35, // 9998
} as const;

export function build999(interchange: InterchangeResult, ctx: AckContext): string | null {
  if (interchange.status === 'R') return null;
  const groups = interchange.groups.filter((g) => g.acknowledge);
  if (groups.length === 0) return null;
  const ix = openInterchange(interchange, ctx);
  for (const group of groups) writeGroup(ix, group, interchange.delimiters ?? '');
  return closeInterchange(ix);
}

function firstCodes<T extends string>(codes: readonly T[]): T[] {
  return [...new Set(codes)].slice(0, MAX_CODES);
}

/**
 * AK1 and AK2 name what they answer with the received values, each as it can stand in its
 * element (echo.ts): delimiters and bytes outside printable ASCII left out, trailing
 * spaces trimmed, a short ST02 padded with zeros. The envelope validator answers a group or
 * set that cannot be named so (GS01 or ST01 outside AK101's / AK201's codes) with a TA1.
 */
function writeGroup(ix: OutboundInterchange, g: GroupResult, delims: string): void {
  // We answer as the group's receiver: our GS02 is their GS03 and the other way round.
  const out = openGroup(ix, 'FA', g.receiver, g.sender, ACK_999_CONVENTION);
  const w = ix.writer;
  const start = w.count;
  w.add('ST', '999', '0001', ACK_999_CONVENTION);
  w.add(
    'AK1',
    capped(echoValue(g.functionalId, delims), LEN.functionalId),
    capped(echoValue(g.control, delims), LEN.groupControl),
    capped(echoValue(g.version, delims), LEN.version),
  );
  for (const set of g.sets) writeSet(w, set, delims);

  const received = g.sets.length;
  const accepted = acceptedSets(g);
  // AK902 is GE01 as sent; without a readable GE we can only report what arrived.
  const declared = Number.isInteger(g.declaredSets) && g.declaredSets >= 0 ? g.declaredSets : received;
  w.add('AK9', g.status, declared, received, accepted, ...firstCodes(g.codes));
  w.add('SE', w.count - start + 1, '0001');
  out.sets = 1;
  closeGroup(ix, out);
}

function writeSet(w: SegmentWriter, set: SetResult, received: string): void {
  w.add(
    'AK2',
    capped(echoValue(set.id, received), LEN.setId),
    echoSetControl(set.control, received),
    capped(echoValue(set.convention, received), LEN.convention),
  );
  for (const error of set.errors) writeSegmentError(w, error);
  let codes = firstCodes(set.codes);
  // IK502 is required whenever IK501 is not A; "5" (segments in error) is what the IK3s say.
  if (set.status !== 'A' && codes.length === 0 && set.errors.length > 0) codes = ['5'];
  w.add('IK5', set.status, ...codes);
}

function writeSegmentError(w: SegmentWriter, e: SegmentError): void {
  w.add('IK3', segmentIdForAck(e.segmentId), e.position, diagramLoopId(e.loopId), e.code);
  // Both CTX belong to loop 2100 and come before its IK4s.
  if (e.businessUnit) {
    w.add('CTX', [capped(e.businessUnit.name, LEN.contextName), capped(e.businessUnit.value, LEN.contextReference)]);
  }
  if (e.trigger) writeTrigger(w, e.trigger);
  for (const el of e.elements) writeElementError(w, el);
}

/** CTX*SITUATIONAL TRIGGER: the segment and element whose value made a guide rule apply. */
function writeTrigger(w: SegmentWriter, t: SituationalTrigger): void {
  w.add(
    'CTX',
    'SITUATIONAL TRIGGER',
    capped(t.segmentId, LEN.segmentId),
    t.position,
    diagramLoopId(t.loopId),
    [t.element, t.component],
    capped(t.ref, LEN.elementRef),
  );
}

/**
 * IK303 / CTX04 (element 447, AN 1/4) carry the loop ID of the transaction set's own
 * diagram: the implementation guide's lettered loop names ("2100A", "1000A", "2010BA")
 * are the diagram's loop ("2100", "1000", "2010") with a suffix the guide added to tell
 * its uses apart. Anything else that does not fit 1/4 is left out (IK303 is situational)
 * rather than cut into a different loop's number.
 */
export function diagramLoopId(id: string | undefined): string | undefined {
  if (id === undefined || id === '') return undefined;
  const m = /^(\d{4})[A-Z]{1,2}$/.exec(id);
  if (m) return m[1];
  return /^[A-Z0-9]{1,4}$/.test(id) ? id : undefined;
}

/**
 * IK301 must be a segment ID (2–3 letters or digits). An unreadable one (empty, lower
 * case, other bytes) is reported by what can be kept of it, so the IK3 still gives the
 * position; the 999 stays valid.
 */
export function segmentIdForAck(id: string): string {
  if (/^[A-Z][A-Z0-9]{1,2}$/.test(id)) return id;
  const kept = id.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 3);
  return /^[A-Z]/.test(kept) && kept.length >= 2 ? kept : `X${kept}`.padEnd(2, 'X').slice(0, 3);
}

function writeElementError(w: SegmentWriter, el: ElementError): void {
  w.add(
    'IK4',
    [el.position, el.component, el.repetition],
    // IK402 is a data element number; a composite's own id ("C040") has none to give.
    /^\d{1,4}$/.test(el.ref ?? '') ? el.ref : undefined,
    el.code,
    capped(el.value, LEN.badData),
  );
  // Loop 2110's CTX: which element's value made the rule that failed apply.
  if (el.trigger) writeTrigger(w, el.trigger);
}
