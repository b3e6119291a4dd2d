/** The exception queue as a table for a person. */
import { categoryTitle } from '../../exceptions/categories.js';
import type { ExceptionRecord } from '../../exceptions/store.js';

/** A timestamp as ops read it: UTC to the minute. */
export function minuteUtc(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

export function formatExceptionTable(rows: readonly ExceptionRecord[]): string {
  const header = ['ID', 'CATEGORY', 'GROUP', 'SUBSCRIBER', 'DUE', 'STATE', 'OWNER', 'OVERDUE'];
  const cells = rows.map((r) => [
    r.id,
    categoryTitle(r.category),
    r.groupNumber ?? '-',
    r.subscriberId ?? '-',
    minuteUtc(r.dueAt),
    r.state,
    r.owner ?? '-',
    r.overdue ? 'OVERDUE' : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string => c.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}
