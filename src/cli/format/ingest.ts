/** The ingest summary people read: no element values, only counts, controls and categories. */
import { signedDollars, type SetOutcome } from '../../enrollment/apply/apply-set.js';
import { enrollmentOf } from '../../enrollment/handler.js';
import { categoryTitle, type ExceptionCategory } from '../../exceptions/categories.js';
import type { AcknowledgementReceived } from '../../ingest/acknowledgements-received.js';
import type { DryRunResult } from '../../ingest/dry-run.js';
import type { IngestResult } from '../../ingest/ingest.js';
import { ak1Line, ak2Line, ak9Line, ta1Line } from '../../report/received.js';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatIngest(r: IngestResult): string {
  const lines = [`${r.file}: file ${r.fileId} from partner ${r.partner}: ${r.status}${r.resumed ? ' (resumed an interrupted ingest)' : ''}`];
  lines.push(`  received ${r.receivedAt.toISOString()}${r.receivedAtSource === 'given' ? ' (given with --received-at, not observed: the date rules count from it)' : ''}`);
  if (r.note) lines.push(`  ${r.note}`);
  if (r.validation) {
    lines.push(`  validation: ${plural(r.validation.setsAccepted, 'set')} accepted, ${r.validation.setsRejected} rejected`);
  }
  for (const a of r.acknowledgements) lines.push(`  ${a.kind} written: ${a.path ?? a.name}`);
  for (const a of r.acknowledgementsReceived ?? []) lines.push(...acknowledgementReceivedLines(a));
  if (r.acknowledgementsReceived?.length && r.acknowledgements.length === 0) lines.push('  nothing sent back: an acknowledgement received is not acknowledged');
  for (const h of r.handlers) {
    if (h.setsAlreadyApplied) lines.push(`  ${plural(h.setsAlreadyApplied, 'set')} applied by the earlier run (${h.transactionSet}, ${h.handler})`);
  }
  for (const w of r.waiting) {
    lines.push(`  ${plural(w.sets, `${w.transactionSet} set`)} accepted and waiting for a handler: nothing of ${w.sets === 1 ? 'it' : 'them'} applied, the file stays open`);
  }
  const enrollment = enrollmentOf(r);
  for (const s of enrollment.sets) {
    const c = s.counts;
    lines.push(
      `  set ${s.setControl} (BGN02 ${s.reference || '-'}, ${s.action}): ${s.status}, ${plural(s.members, 'member')}` +
        (s.note ? ` — ${s.note}` : ''),
    );
    if (s.status === 'held' && s.heldFile) {
      lines.push(`    ${heldLine(s, s.heldFile)}; held file ${s.heldFile.id} waits for a person (edibridge held show ${s.heldFile.id})`);
    } else if (s.status !== 'duplicate') {
      const verb = s.status === 'verified' ? 'would be ' : '';
      lines.push(
        `    ${verb}added ${c.added}, changed ${c.changed}, terminated ${c.terminated}, cancelled ${c.cancelled}, reinstated ${c.reinstated}, unchanged ${c.unchanged}, held for a person ${c.held}` +
          (s.action !== 'change' ? `; members on file the file omits: ${s.omitted}` : ''),
      );
    }
  }
  const t = enrollment.totals;
  lines.push(`  members added ${t.added}, changed ${t.changed}, terminated ${t.terminated}, cancelled ${t.cancelled}, reinstated ${t.reinstated}`);
  const cats = Object.entries(r.exceptions) as Array<[ExceptionCategory, number]>;
  if (cats.length === 0) lines.push('  exceptions: none');
  else {
    lines.push(`  exceptions (due in 48 hours): ${cats.reduce((a, [, n]) => a + n, 0)}`);
    for (const [cat, n] of cats.sort((a, b) => b[1] - a[1])) lines.push(`    ${String(n).padStart(6)}  ${categoryTitle(cat)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A partner's TA1 or 999: what of ours it answers, the inbound file that was (when recorded), its verdicts. */
function acknowledgementReceivedLines(r: AcknowledgementReceived): string[] {
  const a = r.acknowledgement;
  const ours = r.answers ? ` — our ${r.answers.kind} ${r.answers.name} for file ${r.answers.fileId} (${r.answers.file})` : ' — not one we recorded sending';
  if (a.kind === 'TA1') {
    return [
      `  acknowledgement received: TA1 ${ta1Line(a)}${ours}`,
      ...(a.faults.length ? [`    this TA1 is malformed: ${a.faults.join('; ')}`] : []),
    ];
  }
  return [
    `  acknowledgement received: 999 ${ak1Line(a)}${ours}`,
    `    group verdict (AK9): ${ak9Line(a)}`,
    ...a.sets.map((s) => `    ${ak2Line(s)}`),
  ];
}

/** A held set: what it would change, in counts. */
function heldLine(s: SetOutcome, held: NonNullable<SetOutcome['heldFile']>): string {
  const p = held.preview;
  const g = p.groups.find((x) => x.group === p.group);
  return (
    `held: it would end or queue ${g?.omitted ?? s.omitted} of the ${g?.inForce ?? 0} members of ${p.group} in force (more than ${g?.holdPercent ?? 0}%), nothing applied; ` +
    `if released: add ${p.added}, change ${p.changed}, end ${p.ended}, queue ${p.queued}, hold ${p.held}; monthly premium ${signedDollars(p.premiumChangeCents)}`
  );
}

/** What a dry run would change, per 834 set; nothing of it was recorded. */
export function formatDryRun(r: DryRunResult): string {
  const lines = [`${r.file}: dry run for partner ${r.partner}: nothing was recorded (no file, sets, members, exceptions or acknowledgements)`];
  if (r.status === 'duplicate') {
    lines.push(`  a resend: ${r.note ?? 'nothing would be applied'}`);
    return `${lines.join('\n')}\n`;
  }
  if (r.validation) {
    lines.push(`  validation: ${plural(r.validation.setsAccepted, 'set')} accepted, ${r.validation.setsRejected} rejected${r.validation.setsRejected ? ' (the 999 would reject them; nothing of them would be applied)' : ''}`);
  }
  for (const w of r.waiting) lines.push(`  ${plural(w.sets, `${w.transactionSet} set`)} would wait for a handler`);
  const enrollment = enrollmentOf(r);
  for (const s of enrollment.sets) {
    const head = `  set ${s.setControl} (BGN02 ${s.reference || '-'}, ${s.action}):`;
    const premium = s.premiumChangeCents === undefined ? '' : `; monthly premium ${signedDollars(s.premiumChangeCents)}`;
    const c = s.counts;
    if (s.status === 'duplicate') lines.push(`${head} ${s.note ?? 'a resend'}`);
    else if (s.status === 'held' && s.heldFile) lines.push(`${head} would be ${heldLine(s, s.heldFile)}`);
    else {
      const verb = s.status === 'verified' ? 'verify only (BGN08 4), it would' : 'would';
      lines.push(`${head} ${verb} add ${c.added}, change ${c.changed}, terminate or cancel ${c.terminated + c.cancelled}, reinstate ${c.reinstated}, queue ${s.queued}, hold ${c.held}${premium}`);
    }
  }
  const cats = Object.entries(r.exceptions) as Array<[ExceptionCategory, number]>;
  if (cats.length === 0) lines.push('  exceptions it would open: none');
  else {
    lines.push(`  exceptions it would open: ${cats.reduce((a, [, n]) => a + n, 0)}`);
    for (const [cat, n] of cats.sort((a, b) => b[1] - a[1])) lines.push(`    ${String(n).padStart(6)}  ${categoryTitle(cat)}`);
  }
  return `${lines.join('\n')}\n`;
}
