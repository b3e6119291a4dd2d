/**
 * A plain-text report of one file's validation for operations people: what was received,
 * what was accepted or rejected, and why, in words.
 *
 * Element values are never printed (IK404 copies and business-unit references may hold
 * names, SSNs, birth dates): we say how long a value was, not what it was.
 */
import { onlyAcknowledgements, type Received999, type ReceivedAcknowledgements, type ReceivedTa1 } from '../ack/inbound.js';
import { acceptedSets, type ElementError, type FileReport, type GroupResult, type InterchangeResult, type SegmentError, type SetResult } from '../x12/report.js';
import {
  describeAk9,
  describeIk304,
  describeIk403,
  describeIk5,
  describeTa105,
  elementRef,
  guideLabel,
  interchangeVerdict,
  interchangeWhen,
  plural,
  segmentLocation,
  setApplied,
  totals,
  verdict,
} from './describe.js';
import { ak1Line, ak2Line, ak9Line, countReceived, placeholderInterchange, ta1Line, type ReportExtras } from './received.js';

const USAGE: Readonly<Record<string, string>> = { P: 'production', T: 'test', I: 'information' };

export function formatReport(report: FileReport, extras: ReportExtras = {}): string {
  const lines: string[] = [];
  const received = extras.received;
  const ackFile = received !== undefined && onlyAcknowledgements(received) && report.accepted;
  lines.push(
    `File ${report.file} (${plural(report.bytes, 'byte')}, ${plural(report.segments, 'segment')}): ` +
      (ackFile ? 'ACKNOWLEDGEMENT RECEIVED' : report.accepted ? 'ACCEPTED' : 'NOT FULLY ACCEPTED'),
  );
  // The "no interchange" problem is said by the line below, with what the file looks like.
  for (const p of report.problems) {
    if (p.kind !== 'no-interchange') lines.push(`  problem at byte offset ${p.fileOffset} (${p.kind}): ${p.message}`);
  }
  const placeholder = placeholderInterchange(report);
  if (placeholder || report.interchanges.length === 0) {
    lines.push(`  no interchange (ISA) found${extras.fileStart ? `: ${extras.fileStart.description}` : ''}`);
  }
  if (placeholder) {
    const sent = placeholder.sendTa1 ? 'a TA1 is sent back' : 'no TA1 is sent';
    lines.push(`  TA1: ${interchangeVerdict(placeholder.status)}, ${placeholder.note} ${describeTa105(placeholder.note)} (${sent}); nothing in the file is applied`);
  } else {
    for (const ix of report.interchanges) interchangeLines(ix, lines, received);
  }
  lines.push(ackFile ? `Summary: acknowledgement received (${countReceived(received)}); nothing to apply, nothing sent back` : summaryLine(report, placeholder !== undefined || report.interchanges.length === 0));
  return lines.join('\n') + '\n';
}

function interchangeLines(ix: InterchangeResult, out: string[], received: ReceivedAcknowledgements | undefined): void {
  const usage = USAGE[ix.usage] ?? `usage indicator "${ix.usage}"`;
  out.push(
    `Interchange ${ix.control} from ${ix.senderQualifier}/${ix.sender.trim()} to ${ix.receiverQualifier}/${ix.receiver.trim()}, ` +
      `sent ${interchangeWhen(ix.date, ix.time)}, ${usage}, version ${ix.version}`,
  );
  const also = ix.otherNotes.length > 0 ? `; also ${ix.otherNotes.map((n) => `${n} ${describeTa105(n)}`).join('; ')}` : '';
  const sent = ix.sendTa1 ? 'a TA1 is sent back' : 'no TA1 is sent';
  const ta1s = (received?.acknowledgements ?? []).filter((a): a is ReceivedTa1 => a.kind === 'TA1' && a.carrier.fileOffset === ix.fileOffset);
  // Beside a TA1 received, our own verdict on the envelope is named as such, not as "TA1".
  const label = ta1s.length ? 'Envelope (our check)' : 'TA1';
  out.push(`  ${label}: ${interchangeVerdict(ix.status)}, ${ix.note} ${describeTa105(ix.note)}${also} (${sent})`);
  if (ix.status === 'R') out.push('  Nothing in this interchange is applied; the TA1 answers it (no 999).');
  for (const t of ta1s) {
    out.push(`  TA1 received (acknowledgement): ${ta1Line(t)}`);
    if (t.faults.length) out.push(`    this TA1 is malformed: ${t.faults.join('; ')}`);
  }
  if (ta1s.length) out.push('  Nothing is sent back for an acknowledgement received (no TA1, no 999).');
  for (const g of ix.groups) groupLines(ix, g, out, received);
}

function groupLines(ix: InterchangeResult, g: GroupResult, out: string[], received: ReceivedAcknowledgements | undefined): void {
  const accepted = acceptedSets(g);
  out.push(
    `  Group ${g.functionalId} ${g.control} from ${g.sender} to ${g.receiver}, version ${g.version}: ${verdict(g.status)} ` +
      `(${accepted} of ${plural(g.sets.length, 'set')} accepted)`,
  );
  for (const c of g.codes) out.push(`    group error: ${describeAk9(c)} (AK9 code ${c})`);
  if (!g.acknowledge) out.push('    no 999 is sent: this group is itself an acknowledgement');
  for (const s of g.sets) {
    setLines(ix, g, s, out);
    const ack = received?.acknowledgements.find((a): a is Received999 => a.kind === '999' && a.fileOffset === s.fileOffset);
    if (ack) received999Lines(ack, out);
  }
}

/** What a partner's 999 says: the group of ours it answers, each set's verdict, the group's. */
function received999Lines(a: Received999, out: string[]): void {
  out.push(`      999 received (acknowledgement): ${ak1Line(a)}`);
  out.push(`        group verdict (AK9): ${ak9Line(a)}`);
  for (const s of a.sets) out.push(`        ${ak2Line(s)}`);
}

function setLines(ix: InterchangeResult, g: GroupResult, s: SetResult, out: string[]): void {
  const why = s.codes.length > 0 ? ` — ${s.codes.map((c) => `${describeIk5(c)} (IK5 code ${c})`).join('; ')}` : '';
  // A set that passed on its own is still not applied when its interchange or group was rejected.
  const above = ix.status === 'R' ? 'interchange' : 'group';
  const held = s.status !== 'R' && !setApplied(ix, g, s) ? ` — not applied: its ${above} was rejected` : '';
  out.push(`    Set ${s.id} ${s.control} (${guideLabel(s.convention, s.guide)}): ${verdict(s.status)}${why}${held}`);
  for (const e of s.errors) segmentLines(e, out);
  if (s.errorsTruncated) out.push('      … more errors were found than are listed here');
}

function segmentLines(e: SegmentError, out: string[]): void {
  const head = `      ${segmentLocation(e)}: ${e.name ?? `${e.segmentId} segment`}`;
  // Code 8 only says "see the element errors", so it needs no line of its own when they follow.
  if (e.code !== '8' || e.elements.length === 0) out.push(`${head} — ${describeIk304(e.code)}`);
  for (const el of e.elements) out.push(`${head} — ${elementLine(e.segmentId, el)}`);
  if (e.businessUnit) out.push(`        member identified by ${e.businessUnit.name} (value not shown)`);
  const t = e.trigger;
  if (t) {
    const loop = t.loopId ? `, loop ${t.loopId}` : '';
    const element = t.element !== undefined ? ` element ${elementRef(t.segmentId, { position: t.element, component: t.component })}` : '';
    out.push(`        required because of segment ${t.position} (${t.segmentId}${loop})${element}`);
  }
}

function elementLine(segmentId: string, el: ElementError): string {
  const name = el.name ? ` "${el.name}"` : '';
  const value = el.value !== undefined && el.value !== '' ? ` (value not shown, ${plural(el.value.length, 'character')})` : '';
  const rule = el.rule ? ` — guide rule: ${el.rule}` : '';
  return `element ${elementRef(segmentId, el)}${name}: ${describeIk403(el.code)}${value}${rule}`;
}

function summaryLine(report: FileReport, noInterchange: boolean): string {
  if (noInterchange) return 'Summary: no interchange found, nothing accepted';
  const t = totals(report);
  let line = `Summary: ${t.setsAccepted} of ${plural(t.sets, 'set')} accepted, ${t.setsRejected} rejected`;
  if (t.interchangesRejected > 0) line += `; ${t.interchangesRejected} of ${plural(t.interchanges, 'interchange')} rejected`;
  return line;
}
