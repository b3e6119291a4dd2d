/**
 * Plain-text tables and target checks for the bench results.
 */
import type { SubjectName } from './subjects.js';

export type Status = 'ok' | 'not available' | 'crashed' | 'out of memory' | 'timeout' | 'error';

export interface Measurement {
  subject: SubjectName;
  file: string;
  status: Status;
  /** Why it failed, or a warning (e.g. segment count differs from the generator's). */
  detail?: string;
  bytes?: number;
  segments?: number;
  /** Best (lowest) time of the runs. */
  ms?: number;
  /** Highest peak RSS of the runs. */
  maxRssMb?: number;
  mbPerSec?: number;
  accepted?: boolean;
  runs: number;
}

export interface TargetCheck {
  name: string;
  value: string;
  verdict: 'PASS' | 'MISS' | 'n/a';
}

export const TARGET_MBPS_834 = 100;
export const TARGET_RSS_MB = 200;

const RATIO_BASES: readonly SubjectName[] = ['floor', 'x12-parser', 'node-x12'];

/** A number with thousands separators and a fixed number of decimals. */
export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ratio(self: Measurement, base: Measurement | undefined): string {
  if (base === undefined || base.subject === self.subject) return '—';
  if (self.mbPerSec === undefined || base.mbPerSec === undefined || base.mbPerSec === 0) return '—';
  const r = self.mbPerSec / base.mbPerSec;
  return `${fmt(r, r >= 10 ? 1 : 2)}×`;
}

/** Rows as a plain-text table: first and last columns left-aligned, the others right-aligned. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (row: string[]): string =>
    row.map((cell, i) => (i === 0 || i === row.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  const [head, ...body] = rows;
  if (head === undefined) return '';
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(head), rule, ...body.map(line)].join('\n');
}

/** One table per file: throughput, peak RSS, segment count and throughput ratios. */
export function fileTable(file: string, bytes: number, expectedSegments: number | undefined, ms: Measurement[]): string {
  const bySubject = new Map(ms.map((m) => [m.subject, m] as const));
  const rows: string[][] = [
    ['subject', 'MB/s', 'peak RSS MB', 'segments', 'vs floor', 'vs x12-parser', 'vs node-x12', 'note'],
  ];
  for (const m of ms) {
    if (m.status !== 'ok') {
      rows.push([m.subject, m.status, '—', '—', '—', '—', '—', m.detail ?? '']);
      continue;
    }
    const notes: string[] = [];
    if (m.accepted !== undefined) notes.push(m.accepted ? 'accepted' : 'REJECTED');
    if (m.detail !== undefined) notes.push(m.detail);
    rows.push([
      m.subject,
      m.mbPerSec === undefined ? '—' : fmt(m.mbPerSec, 1),
      m.maxRssMb === undefined ? '—' : fmt(m.maxRssMb, 0),
      m.segments === undefined ? '—' : m.segments.toLocaleString('en-US'),
      ...RATIO_BASES.map((b) => ratio(m, bySubject.get(b))),
      notes.join('; '),
    ]);
  }
  const expected = expectedSegments === undefined ? '' : `, ${expectedSegments.toLocaleString('en-US')} segments`;
  return `${file} (${fmt(bytes / 1e6, 1)} MB${expected})\n${table(rows)}`;
}

/** The validator's targets: ≥100 MB/s on the 834, peak RSS < 200 MB on each file. */
export function targetChecks(results: { kind: '834' | '820'; measurements: Measurement[] }[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const { kind, measurements } of results) {
    const v = measurements.find((m) => m.subject === 'edibridge');
    const ok = v !== undefined && v.status === 'ok';
    const why = v === undefined ? 'not run' : v.status;
    if (kind === '834') {
      checks.push({
        name: `edibridge validate ${kind} throughput ≥ ${TARGET_MBPS_834} MB/s`,
        value: ok && v.mbPerSec !== undefined ? `${fmt(v.mbPerSec, 1)} MB/s` : why,
        verdict: ok && v.mbPerSec !== undefined ? (v.mbPerSec >= TARGET_MBPS_834 ? 'PASS' : 'MISS') : 'n/a',
      });
    }
    checks.push({
      name: `edibridge validate ${kind} peak RSS < ${TARGET_RSS_MB} MB`,
      value: ok && v.maxRssMb !== undefined ? `${fmt(v.maxRssMb, 0)} MB` : why,
      verdict: ok && v.maxRssMb !== undefined ? (v.maxRssMb < TARGET_RSS_MB ? 'PASS' : 'MISS') : 'n/a',
    });
  }
  return checks;
}

export function targetTable(checks: TargetCheck[]): string {
  return `targets\n${table([['target', 'value', 'verdict'], ...checks.map((c) => [c.name, c.value, c.verdict])])}`;
}
