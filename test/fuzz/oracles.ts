/**
 * What must hold for every input, as functions returning a list of violations (empty =
 * fine), so the property tests and the regression cases share one definition.
 */
import { acknowledgementsFor, type Acknowledgement } from '../../src/ack/acknowledgements.js';
import { memoryControlNumbers, type AckContext } from '../../src/ack/envelope.js';
import { escapeValue } from '../../src/ack/writer.js';
import type { FileReport } from '../../src/x12/report.js';
import { validateBytes, validateStream } from '../../src/x12/validate.js';
import { checkAcknowledgement } from '../../src/ack/check.js';
import { STRICT, explainChunking, hit } from './known-bugs.js';

export function fixedContext(): AckContext {
  return { now: () => new Date('2026-01-02T03:04:00Z'), nextControlNumber: memoryControlNumbers(1) };
}

export interface Outcome {
  report: FileReport;
  acks: Acknowledgement[];
}

/** Property 1: validate and acknowledge (throws are the failure). */
export function run(data: Uint8Array): Outcome {
  const report = validateBytes(data, { name: 'fuzz' });
  const acks = acknowledgementsFor(report, fixedContext());
  return { report, acks };
}

/** What acknowledgementsFor must produce for a report: [kind, name stem] in order. */
export function expectedAcks(report: FileReport): { kind: 'TA1' | '999'; interchange: number }[] {
  const out: { kind: 'TA1' | '999'; interchange: number }[] = [];
  report.interchanges.forEach((ic, i) => {
    if (ic.sendTa1) out.push({ kind: 'TA1', interchange: i });
    if (ic.status !== 'R' && ic.groups.some((g) => g.acknowledge)) out.push({ kind: '999', interchange: i });
  });
  return out;
}

function segmentsOf(text: string): string[][] {
  return text
    .split('~')
    .map((s) => s.replace(/^[\r\n]+/, ''))
    .filter((s) => s.length > 0)
    .map((s) => s.split('*'));
}

/** Observations that are legal by rule but worth knowing about (collected, not failed). */
export const observations = new Map<string, number>();
function observe(what: string): void {
  observations.set(what, (observations.get(what) ?? 0) + 1);
}

/** Property 2: every input gets an answer, and exactly the answers the report calls for. */
export function checkAnswers({ report, acks }: Outcome): string[] {
  const v: string[] = [];
  if (report.interchanges.length === 0) v.push('report has no interchange at all');
  const accepted = report.interchanges.length > 0 && report.interchanges.every((ic) =>
    ic.status !== 'R' && ic.groups.every((g) => g.status === 'A' || g.status === 'E'));
  if (report.accepted !== accepted) v.push(`report.accepted=${report.accepted} disagrees with its interchanges`);
  for (const ic of report.interchanges) {
    if (ic.sendTa1 !== (ic.status !== 'A' || ic.ackRequested)) v.push(`interchange ${ic.control}: sendTa1=${ic.sendTa1} but status ${ic.status}, ackRequested ${ic.ackRequested}`);
    if (ic.status === 'A' && ic.note !== '000') v.push(`interchange ${ic.control}: status A with note ${ic.note}`);
    if (ic.status !== 'A' && ic.note === '000') v.push(`interchange ${ic.control}: status ${ic.status} with note 000`);
    if (ic.status === 'R' && ic.groups.some((g) => g.status !== 'R')) v.push(`interchange ${ic.control}: rejected but a group is not`);
    for (const g of ic.groups) {
      // A 999 never answers a 999; any other group is answered by a 999, or else by a TA1 that says what is wrong.
      if (g.acknowledge && g.functionalId === 'FA') v.push(`group ${g.control}: an FA group is to be acknowledged (a 999 answering a 999)`);
      if (!g.acknowledge && g.functionalId !== 'FA' && !(ic.sendTa1 && ic.status !== 'A')) {
        v.push(`group ${g.functionalId}/${g.control} gets no 999 (acknowledge=false) and interchange ${ic.control} no TA1 reporting an error`);
      }
      if (g.acknowledge && ic.status === 'R' && !ic.sendTa1) v.push(`group ${g.control}: interchange rejected without a TA1`);
      for (const s of g.sets) {
        if ((s.status === 'R') !== s.codes.length > 0) v.push(`set ${s.control}: status ${s.status} with codes [${s.codes}]`);
      }
    }
  }

  const expected = expectedAcks(report);
  const got = acks.map((a) => a.kind).join(',');
  const want = expected.map((e) => e.kind).join(',');
  if (got !== want) v.push(`acknowledgements [${got}] but the report calls for [${want}]`);
  const names = new Set(acks.map((a) => a.name));
  if (names.size !== acks.length) observe('two acknowledgements share a file name');

  if (acks.length === 0) {
    // Only legal when nothing needs an answer: clean envelopes holding only FA groups (or none).
    for (const ic of report.interchanges) {
      if (ic.status !== 'A') v.push(`no acknowledgement, yet interchange ${ic.control} has status ${ic.status}`);
      if (ic.groups.some((g) => g.acknowledge || g.functionalId !== 'FA')) v.push(`no acknowledgement, yet interchange ${ic.control} holds a non-FA group`);
    }
    const allClean = report.interchanges.every((ic) => ic.groups.every((g) => g.status === 'A' || g.status === 'E'));
    if (allClean && !report.accepted) v.push('no acknowledgement and nothing wrong, yet report.accepted is false');
    if (!allClean) observe('unanswered by rule: an FA (999) group with errors inside a clean interchange gets neither TA1 nor 999');
  }

  // Content: each TA1 carries the interchange's verdict; each 999 has one AK1 per acknowledged group, in order.
  if (got === want) {
    acks.forEach((a, k) => {
      const ic = report.interchanges[(expected[k] as { interchange: number }).interchange];
      if (!ic) return;
      const segs = segmentsOf(a.text);
      if (a.kind === 'TA1') {
        const ta1 = segs.find((s) => s[0] === 'TA1');
        if (!ta1) v.push(`${a.name}: no TA1 segment`);
        else if (ta1[4] !== ic.status || ta1[5] !== ic.note) v.push(`${a.name}: TA104/TA105 ${ta1[4]}/${ta1[5]} but the report says ${ic.status}/${ic.note}`);
      } else {
        const groups = ic.groups.filter((g) => g.acknowledge);
        const ak1 = segs.filter((s) => s[0] === 'AK1');
        const ak9 = segs.filter((s) => s[0] === 'AK9');
        const ak2 = segs.filter((s) => s[0] === 'AK2');
        if (ak1.length !== groups.length) v.push(`${a.name}: ${ak1.length} AK1 for ${groups.length} acknowledged groups`);
        if (ak2.length !== groups.reduce((n, g) => n + g.sets.length, 0)) v.push(`${a.name}: ${ak2.length} AK2 for the sets received`);
        groups.forEach((g, j) => {
          const want1 = escapeValue(g.functionalId).slice(0, 2);
          const want2 = escapeValue(g.control).slice(0, 9);
          const a1 = ak1[j];
          if (a1 && ((a1[1] ?? '') !== want1 || (a1[2] ?? '') !== want2)) v.push(`${a.name}: AK1 ${a1.join('*')} for group ${g.functionalId}/${g.control}`);
          const a9 = ak9[j];
          if (a9 && a9[1] !== g.status) v.push(`${a.name}: AK901 ${a9[1]} for group status ${g.status}`);
        });
      }
    });
  }
  return v;
}

/** How acknowledgements are written to disk (writeFile(name, text) → UTF-8). */
export function ackBytes(a: Acknowledgement): Uint8Array {
  return new TextEncoder().encode(a.text);
}

/**
 * Property 3: each acknowledgement we send is valid X12, by the same strict check
 * writeAcknowledgements applies before writing (src/ack/check.ts): a 999 accepted by our
 * 005010X231A1 guide with a clean envelope, a TA1 with a clean envelope and valid fields.
 * No known bug excuses a fault here (`strict` is kept for the callers' sake).
 */
export interface CheckOptions {
  strict?: boolean;
}

export function checkAckValidity(o: Outcome, kind: 'TA1' | '999', _opts: CheckOptions = {}): string[] {
  const v: string[] = [];
  for (const a of o.acks) {
    if (a.kind !== kind) continue;
    const faults = checkAcknowledgement(a.text, a.kind);
    if (faults.length > 0) v.push(`${a.name} is not valid X12: ${faults.join('; ')}\n--- ack ---\n${a.text}`);
  }
  return v;
}

/**
 * Property 3 (TA1 contents, which our validator does not check): TA101 nine digits,
 * TA102 a YYMMDD date, TA103 an HHMM time, TA104 A/E/R, TA105 a three-digit note.
 */
export function checkTa1Syntax(o: Outcome): string[] {
  const v: string[] = [];
  for (const a of o.acks) {
    if (a.kind !== 'TA1') continue;
    const ta1 = segmentsOf(a.text).filter((s) => s[0] === 'TA1');
    if (ta1.length !== 1) {
      v.push(`${a.name}: ${ta1.length} TA1 segments`);
      continue;
    }
    const e = ta1[0] as string[];
    const ok = [
      /^\d{9}$/.test(e[1] ?? ''),
      isYymmdd(e[2] ?? ''),
      /^([01]\d|2[0-3])[0-5]\d$/.test(e[3] ?? ''),
      ['A', 'E', 'R'].includes(e[4] ?? ''),
      /^\d{3}$/.test(e[5] ?? ''),
    ];
    const faults = ok.flatMap((good, i) => (good ? [] : [`TA10${i + 1} ${JSON.stringify(e[i + 1] ?? '')}`]));
    if (faults.length > 0) v.push(`${a.name}: invalid ${faults.join(', ')}\n--- ack ---\n${a.text}`);
  }
  return v;
}

function isYymmdd(s: string): boolean {
  if (!/^\d{6}$/.test(s)) return false;
  const m = Number(s.slice(2, 4));
  const d = Number(s.slice(4, 6));
  return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(2000 + Number(s.slice(0, 2)), m, 0)).getUTCDate();
}

/** The parts of a report that must not depend on how the bytes were chunked. */
export function comparable(r: FileReport): string {
  return JSON.stringify({ bytes: r.bytes, segments: r.segments, accepted: r.accepted, interchanges: r.interchanges, problems: r.problems });
}

export async function* chunked(data: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let o = 0;
  let k = 0;
  while (o < data.length) {
    const size = sizes.length > 0 ? (sizes[k++ % sizes.length] as number) : data.length;
    // Fresh copies, as a socket would hand them over.
    yield data.slice(o, o + size);
    o += size;
  }
}

/** Property 4: the streamed report equals the in-memory one. */
export async function checkChunking(data: Uint8Array, sizes: readonly number[], opts: CheckOptions = {}): Promise<string[]> {
  const wholeReport = validateBytes(data, { name: 'fuzz' });
  const streamedReport = await validateStream(chunked(data, sizes), { name: 'fuzz' });
  const whole = comparable(wholeReport);
  const streamed = comparable(streamedReport);
  if (whole === streamed) return [];
  const bug = explainChunking(data, wholeReport, streamedReport, opts.strict ?? STRICT);
  if (bug) {
    hit(bug);
    return [];
  }
  return [`streamed report differs from validateBytes (chunk sizes ${JSON.stringify(sizes.slice(0, 16))}…)\n` +
    `--- bytes ---\n${firstDifference(whole, streamed)}`];
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 200);
  return `validateBytes: …${a.slice(from, i + 200)}\nvalidateStream: …${b.slice(from, i + 200)}`;
}

/** The verdict of a report without byte offsets, sizes or messages: what must survive benign changes. */
export function verdict(r: FileReport): string {
  return JSON.stringify({
    accepted: r.accepted,
    problems: r.problems.map((p) => p.kind),
    interchanges: r.interchanges.map((ic) => ({
      control: ic.control, status: ic.status, note: ic.note, otherNotes: ic.otherNotes, sendTa1: ic.sendTa1,
      groups: ic.groups.map((g) => ({
        id: g.functionalId, control: g.control, status: g.status, codes: g.codes, acknowledge: g.acknowledge,
        sets: g.sets.map((s) => ({
          control: s.control, status: s.status, codes: s.codes, segments: s.segmentCount,
          errors: s.errors.map((e) => [e.segmentId, e.position, e.loopId, e.code, e.elements.map((x) => [x.position, x.component, x.code])]),
        })),
      })),
    })),
  });
}
