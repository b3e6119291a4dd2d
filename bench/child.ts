/**
 * Child-process entry: `node child.js <subject> <file>`. Runs one subject once and
 * prints one JSON line. A process per measurement keeps peak RSS honest (maxRSS
 * never goes down, so a shared process would report the worst subject for all).
 */
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { basename } from 'node:path';
import { NotAvailable, isSubjectName, prepare } from './subjects.js';

export interface ChildResult {
  subject: string;
  file: string;
  bytes: number;
  segments: number;
  ms: number;
  /** process.resourceUsage().maxRSS (KiB) / 1024. */
  maxRssMb: number;
  accepted?: boolean;
}

export interface ChildFailure {
  subject: string;
  file: string;
  notAvailable?: string;
  error?: string;
}

async function main(): Promise<void> {
  const [subject = '', file = ''] = process.argv.slice(2);
  if (!isSubjectName(subject) || file === '') {
    throw new Error('usage: child.js <floor|x12-parser|node-x12|edibridge> <file>');
  }
  const { size } = await stat(file);
  let run;
  try {
    run = await prepare(subject);
  } catch (err) {
    if (!(err instanceof NotAvailable)) throw err;
    const out: ChildFailure = { subject, file: basename(file), notAvailable: err.message };
    process.stdout.write(JSON.stringify(out) + '\n');
    return;
  }
  const t0 = performance.now();
  const r = await run(file);
  const ms = performance.now() - t0;
  const out: ChildResult = {
    subject,
    file: basename(file),
    bytes: size,
    segments: r.segments,
    ms: Math.round(ms * 10) / 10,
    maxRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
    ...(r.accepted === undefined ? {} : { accepted: r.accepted }),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err: unknown) => {
  const [subject = '', file = ''] = process.argv.slice(2);
  const out: ChildFailure = { subject, file: basename(file), error: err instanceof Error ? err.message : String(err) };
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exitCode = 1;
});
