/**
 * What the reports know besides the validation results: how a file with no interchange
 * starts, and the acknowledgements a file carries (a partner's TA1 or 999 answering us).
 * Words for those acknowledgements' codes, shared by the text and JSON reports.
 */
import type { Received999, ReceivedAcknowledgements, ReceivedSetVerdict, ReceivedTa1 } from '../ack/inbound.js';
import type { FileReport, InterchangeResult } from '../x12/report.js';
import { describeAk9, describeIk5, describeTa105, interchangeWhen, plural } from './describe.js';
import type { FileStart } from './file-start.js';

export interface ReportExtras {
  /** How the file starts; used when it holds no interchange. */
  fileStart?: FileStart | undefined;
  /** The acknowledgements the file carries, read with readReceivedAcknowledgements. */
  received?: ReceivedAcknowledgements | undefined;
}

/**
 * The interchange the validator puts in a report for a file with no ISA (so a TA1 can reject
 * it): not an interchange that was found. Undefined when the file has real interchanges.
 */
export function placeholderInterchange(report: FileReport): InterchangeResult | undefined {
  if (!report.problems.some((p) => p.kind === 'no-interchange')) return undefined;
  return report.interchanges.length === 1 ? report.interchanges[0] : undefined;
}

/** The report with the placeholder of a file with no interchange left out. */
export function foundInterchanges(report: FileReport): InterchangeResult[] {
  const placeholder = placeholderInterchange(report);
  return placeholder ? [] : report.interchanges;
}

const ACK_VERDICTS: Readonly<Record<string, string>> = {
  A: 'accepted',
  E: 'accepted with errors',
  P: 'partially accepted',
  R: 'rejected',
  M: 'rejected: message authentication code failed',
  W: 'rejected: assurance failed validity tests',
  X: 'rejected: content could not be analysed after decryption',
};

/** TA104 / AK901 / IK501 as a partner sent it, in words. */
export function receivedVerdict(code: string | null): string {
  if (code === null || code === '') return 'no verdict given';
  return ACK_VERDICTS[code] ?? `unknown code ${code}`;
}

/** Counts of the acknowledgements in a file: "1 TA1 and 2 999s". */
export function countReceived(received: ReceivedAcknowledgements): string {
  const ta1 = received.acknowledgements.filter((a) => a.kind === 'TA1').length;
  const n999 = received.acknowledgements.length - ta1;
  const parts: string[] = [];
  if (ta1) parts.push(plural(ta1, 'TA1'));
  if (n999) parts.push(plural(n999, '999'));
  return parts.join(' and ');
}

/** "answers our interchange 000000001, sent 2025-12-30 09:00: rejected (TA104 R), note 022 …" */
export function ta1Line(t: ReceivedTa1): string {
  return (
    `answers our interchange ${t.answersControl || '(TA101 missing)'} (TA101), sent ${interchangeWhen(t.date, t.time) || 'at an unreadable time'}: ` +
    `${receivedVerdict(t.status)} (TA104 ${t.status || 'missing'}), note ${t.note || 'missing'} ${t.note ? describeTa105(t.note) : ''}`.trimEnd() +
    ' (TA105)'
  );
}

/** "answers our group BE 7 (AK101, AK102), version 005010X220A1 (AK103)" */
export function ak1Line(a: Received999): string {
  if (!a.answers) return 'names no group of ours (no AK1)';
  return `answers our group ${a.answers.functionalId} ${a.answers.groupControl} (AK101 GS01, AK102 GS06), version ${a.answers.version} (AK103 GS08)`;
}

/** "partially accepted (AK901 P): 2 sets included, 2 received, 1 accepted" */
export function ak9Line(a: Received999): string {
  const v = a.groupVerdict;
  if (!v) return 'no group verdict (no AK9)';
  const n = (x: number | null): string => (x === null ? '?' : String(x));
  const codes = v.codes.length ? ` — ${v.codes.map((c) => `${describeAk9(c)} (AK9 code ${c})`).join('; ')}` : '';
  return `${receivedVerdict(v.status)} (AK901 ${v.status}): sets included ${n(v.included)} (AK902), received ${n(v.received)} (AK903), accepted ${n(v.accepted)} (AK904)${codes}`;
}

/** "set 834 0001: rejected (IK501 R) — One or more segments in error (IK5 code 5); 1 segment error" */
export function ak2Line(s: ReceivedSetVerdict): string {
  const codes = s.codes.length ? ` — ${s.codes.map((c) => `${describeIk5(c)} (IK5 code ${c})`).join('; ')}` : '';
  const errs: string[] = [];
  if (s.segmentErrors) errs.push(`${plural(s.segmentErrors, 'segment error')} (IK3)`);
  if (s.elementErrors) errs.push(`${plural(s.elementErrors, 'element error')} (IK4)`);
  const status = s.status === null ? 'no verdict given (IK5 missing)' : `${receivedVerdict(s.status)} (IK501 ${s.status})`;
  return `set ${s.transactionSet} ${s.control}${s.convention ? ` (${s.convention})` : ''}: ${status}${codes}${errs.length ? `; ${errs.join(', ')}` : ''}`;
}
