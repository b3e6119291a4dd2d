/** The ingest summary people read: no element values, only counts, controls and categories. */
import { enrollmentOf } from '../../enrollment/handler.js';
import { categoryTitle, type ExceptionCategory } from '../../exceptions/categories.js';
import type { IngestResult } from '../../ingest/ingest.js';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatIngest(r: IngestResult): string {
  const lines = [`${r.file}: file ${r.fileId} from partner ${r.partner}: ${r.status}${r.resumed ? ' (resumed an interrupted ingest)' : ''}`];
  if (r.note) lines.push(`  ${r.note}`);
  if (r.validation) {
    lines.push(`  validation: ${plural(r.validation.setsAccepted, 'set')} accepted, ${r.validation.setsRejected} rejected`);
  }
  for (const a of r.acknowledgements) lines.push(`  ${a.kind} written: ${a.path ?? a.name}`);
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
    if (s.status !== 'duplicate') {
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
