/** The exception queue as a table for a person. */
import { categoryTitle } from '../../exceptions/categories.js';
import { AGE_BUCKETS, isDueSoon, type QueueReport } from '../../exceptions/actions.js';
import type { ExceptionEvent, ExceptionRecord } from '../../exceptions/store.js';

/** A timestamp as ops read it: UTC to the minute. */
export function minuteUtc(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

export function formatExceptionTable(rows: readonly ExceptionRecord[], now: Date = new Date()): string {
  const header = ['ID', 'CATEGORY', 'GROUP', 'SUBSCRIBER', 'DUE', 'STATE', 'OWNER', 'OVERDUE'];
  const cells = rows.map((r) => [
    r.id,
    categoryTitle(r.category),
    r.groupNumber ?? '-',
    r.subscriberId ?? '-',
    minuteUtc(r.dueAt),
    r.state,
    r.owner ?? '-',
    r.overdue ? 'OVERDUE' : isDueSoon(r, now) ? 'due soon' : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string => c.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}

/** One item for a person: what, where from, due when, and its history. */
export function formatExceptionItem(r: ExceptionRecord, history: readonly ExceptionEvent[], now: Date): string {
  const lines = [
    `#${r.id} ${categoryTitle(r.category)} (${r.category})`,
    `  ${r.state}${r.owner ? `, owner ${r.owner}` : ', unassigned'}; due ${minuteUtc(r.dueAt)}${r.overdue ? ' OVERDUE' : isDueSoon(r, now) ? ' (due soon)' : ''}`,
    `  partner ${r.partner}${r.fileId ? `, file #${r.fileId}` : ''}${r.setControl ? `, set ${r.setControl}` : ''}${r.segmentPosition ? `, segment ${r.segmentPosition}` : ''}${r.groupNumber ? `, group ${r.groupNumber}` : ''}${r.subscriberId ? `, subscriber ${r.subscriberId}` : ''}`,
    `  ${r.description}`,
    '  history:',
    ...history.map((e) => `    ${minuteUtc(e.at)} ${e.actor}: ${e.kind === 'state' ? `${e.fromState ?? 'new'} → ${e.toState}` : e.kind}${e.note ? ` — ${e.note}` : ''}`),
  ];
  return `${lines.join('\n')}\n`;
}

export function formatQueueReport(r: QueueReport): string {
  const lines = [`${r.open} open, ${r.dueSoon} due within 8 hours, ${r.overdue} overdue (as of ${minuteUtc(r.at)})`, 'by age since receipt:'];
  for (const b of AGE_BUCKETS) lines.push(`  ${b.padEnd(8)} ${r.byAge[b]}`);
  lines.push('by partner:', ...Object.entries(r.byPartner).map(([k, n]) => `  ${k.padEnd(16)} ${n}`));
  lines.push('by category:', ...Object.entries(r.byCategory).map(([k, n]) => `  ${k.padEnd(32)} ${n}`));
  if (r.overdueItems.length) {
    lines.push('overdue:', ...r.overdueItems.map((o) => `  #${o.id} ${o.category} ${o.partner} ${o.groupNumber ?? '-'} due ${minuteUtc(o.dueAt)} ${o.owner ?? 'unassigned'}`));
  }
  return `${lines.join('\n')}\n`;
}
