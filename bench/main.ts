/**
 * `npm run bench`: generate (or reuse) a large 834 and 820, then measure each
 * subject on each file in a fresh child process and print comparison tables.
 *
 * Environment:
 *   BENCH_MEMBERS   members in the 834 and lines in the 820 (default 1,000,000)
 *   BENCH_RUNS      runs per subject and file; best time, highest RSS (default 1)
 *   BENCH_SET_SIZE  members/lines per ST set (default members/10, so ~10 sets)
 *   BENCH_SEED      PRNG seed (default 834 for the 834, 820 for the 820)
 *   BENCH_OUT       cache and results folder (default ./bench-out)
 *   BENCH_SUBJECTS  comma list to run a subset (floor,x12-parser,node-x12,edibridge-1-thread,edibridge,ingest,sftp-pull);
 *                   "ingest" is the PostgreSQL ingest bench (see ingest.ts for its own settings);
 *                   "sftp-pull" the SFTP pull beside OpenSSH's sftp (see sftp-pull.ts);
 *                   "cash" 820 cash application against PostgreSQL (see cash.ts)
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generate834, type GenerateResult } from './generate834.js';
import { generate820 } from './generate820.js';
import { SUBJECT_NAMES, isSubjectName, type SubjectName } from './subjects.js';
import type { ChildFailure, ChildResult } from './child.js';
import { fileTable, targetChecks, targetTable, type Measurement } from './report.js';
import { ingestTables, runIngestBench, type IngestBenchReport } from './ingest.js';
import { runJsonChild } from './run-child.js';
import { intEnv } from './env.js';
import { runSftpPullBench, sftpPullTable, type SftpPullReport } from './sftp-pull.js';
import { cashTable, runCashBench, type CashBenchReport } from './cash.js';

/** Bump when the generators' output changes, so stale cached files are not reused. */
const GENERATOR_VERSION = 2;
const CHILD_TIMEOUT_MS = 10 * 60 * 1000;

interface Config {
  members: number;
  runs: number;
  setSize: number;
  seed834: number;
  seed820: number;
  outDir: string;
  subjects: SubjectName[];
  /** Run the ingest bench (PostgreSQL) too. */
  ingest: boolean;
  /** Run the SFTP pull bench too. */
  sftpPull: boolean;
  /** Run the 820 cash application bench too (PostgreSQL). */
  cash: boolean;
}

/** Subjects measured by benches of their own, beside the parse subjects. */
const EXTRA_SUBJECTS = ['ingest', 'sftp-pull', 'cash'];

function readConfig(): Config {
  const members = intEnv('BENCH_MEMBERS', 1_000_000, 1);
  const seed = process.env['BENCH_SEED'];
  const subjects = (process.env['BENCH_SUBJECTS'] ?? SUBJECT_NAMES.join(','))
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  for (const x of subjects) if (!isSubjectName(x) && !EXTRA_SUBJECTS.includes(x)) throw new Error(`BENCH_SUBJECTS: unknown subject "${x}"`);
  return {
    members,
    runs: intEnv('BENCH_RUNS', 1, 1),
    setSize: intEnv('BENCH_SET_SIZE', Math.ceil(members / 10), 1),
    seed834: seed === undefined ? 834 : intEnv('BENCH_SEED', 834, 0),
    seed820: seed === undefined ? 820 : intEnv('BENCH_SEED', 820, 0),
    outDir: resolve(process.env['BENCH_OUT'] ?? 'bench-out'),
    subjects: subjects.filter(isSubjectName),
    ingest: process.env['BENCH_SUBJECTS'] === undefined || subjects.includes('ingest'),
    sftpPull: process.env['BENCH_SUBJECTS'] === undefined || subjects.includes('sftp-pull'),
    cash: process.env['BENCH_SUBJECTS'] === undefined || subjects.includes('cash'),
  };
}

interface BenchFile {
  kind: '834' | '820';
  path: string;
  info: GenerateResult;
  /** Seconds spent generating, or null when reused from the cache. */
  generatedSec: number | null;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Generate a file unless one with the same parameters (encoded in its name) is cached. */
async function ensureFile(cfg: Config, kind: '834' | '820'): Promise<BenchFile> {
  const seed = kind === '834' ? cfg.seed834 : cfg.seed820;
  const name = `${kind}-n${cfg.members}-set${cfg.setSize}-seed${seed}-v${GENERATOR_VERSION}.x12`;
  const path = join(cfg.outDir, name);
  const metaPath = `${path}.json`;
  if ((await exists(path)) && (await exists(metaPath))) {
    const info = JSON.parse(await readFile(metaPath, 'utf8')) as GenerateResult;
    console.log(`reusing ${name} (${(info.bytes / 1e6).toFixed(1)} MB)`);
    return { kind, path, info, generatedSec: null };
  }
  process.stdout.write(`generating ${name} ... `);
  const t0 = performance.now();
  const info =
    kind === '834'
      ? await generate834(path, { members: cfg.members, seed, setSize: cfg.setSize })
      : await generate820(path, { lines: cfg.members, seed, setSize: cfg.setSize });
  const sec = (performance.now() - t0) / 1000;
  // The sidecar is written last: its presence marks the data file as complete.
  await writeFile(metaPath, JSON.stringify(info, null, 2) + '\n');
  console.log(`${(info.bytes / 1e6).toFixed(1)} MB, ${info.segments.toLocaleString('en-US')} segments, ${info.sets} sets in ${sec.toFixed(1)} s`);
  return { kind, path, info, generatedSec: Math.round(sec * 10) / 10 };
}

type ChildOutcome =
  | { ok: true; result: ChildResult }
  | { ok: false; status: Measurement['status']; detail: string };

const childScript = fileURLToPath(new URL('./child.js', import.meta.url));

/** Run one subject on one file in a fresh Node process with a big heap and a time limit. */
async function runChild(subject: SubjectName, file: string): Promise<ChildOutcome> {
  const run = await runJsonChild<ChildResult & ChildFailure>([childScript, subject, file], CHILD_TIMEOUT_MS);
  const { parsed, stderr, code, signal } = run;
  if (run.timedOut) return { ok: false, status: 'timeout', detail: `killed after ${CHILD_TIMEOUT_MS / 60000} min` };
  if (parsed?.notAvailable !== undefined) return { ok: false, status: 'not available', detail: parsed.notAvailable };
  if (code === 0 && parsed !== undefined && parsed.error === undefined && typeof parsed.ms === 'number') {
    return { ok: true, result: parsed };
  }
  const oom = /heap out of memory|Allocation failed|Invalid string length|Array buffer allocation failed/i.test(stderr + (parsed?.error ?? ''));
  const how = signal !== null ? `signal ${signal}` : `exit code ${code ?? '?'}`;
  const firstErr = parsed?.error ?? stderr.trim().split('\n').find((l) => /error/i.test(l)) ?? stderr.trim().split('\n').pop() ?? '';
  if (oom || signal === 'SIGKILL') {
    return { ok: false, status: 'out of memory', detail: `${how}${firstErr ? `: ${firstErr.slice(0, 160)}` : ''}` };
  }
  return { ok: false, status: parsed?.error !== undefined ? 'error' : 'crashed', detail: `${how}: ${firstErr.slice(0, 200)}` };
}

async function measure(cfg: Config, file: BenchFile, subject: SubjectName): Promise<Measurement> {
  let best: ChildResult | undefined;
  let maxRss = 0;
  let failure: Measurement | undefined;
  for (let run = 0; run < cfg.runs; run++) {
    const outcome = await runChild(subject, file.path);
    if (!outcome.ok) {
      failure = { subject, file: file.kind, status: outcome.status, detail: outcome.detail, runs: run + 1 };
      break;
    }
    const r = outcome.result;
    maxRss = Math.max(maxRss, r.maxRssMb);
    if (best === undefined || r.ms < best.ms) best = r;
  }
  if (failure !== undefined || best === undefined) {
    return failure ?? { subject, file: file.kind, status: 'error', detail: 'no runs', runs: 0 };
  }
  const m: Measurement = {
    subject,
    file: file.kind,
    status: 'ok',
    bytes: best.bytes,
    segments: best.segments,
    ms: best.ms,
    maxRssMb: maxRss,
    mbPerSec: Math.round((best.bytes / 1e6 / (best.ms / 1000)) * 10) / 10,
    runs: cfg.runs,
  };
  if (best.accepted !== undefined) m.accepted = best.accepted;
  // A tokenizer that sees a different number of segments did not really read the file right.
  if (best.segments !== file.info.segments) {
    const diff = best.segments - file.info.segments;
    m.detail = `segment count off by ${diff > 0 ? '+' : ''}${diff}`;
  }
  return m;
}

async function main(): Promise<void> {
  const cfg = readConfig();
  await mkdir(cfg.outDir, { recursive: true });
  console.log(
    `edibridge bench: ${cfg.members.toLocaleString('en-US')} members / lines, sets of ${cfg.setSize.toLocaleString('en-US')}, ` +
      `${cfg.runs} run(s) per subject, node ${process.version}`,
  );
  // Only the ingest bench asked for: no parse files to generate.
  const files = cfg.subjects.length > 0 ? [await ensureFile(cfg, '834'), await ensureFile(cfg, '820')] : [];

  const perFile: { kind: '834' | '820'; file: BenchFile; measurements: Measurement[] }[] = [];
  for (const file of files) {
    const measurements: Measurement[] = [];
    for (const subject of cfg.subjects) {
      process.stdout.write(`  ${file.kind} ${subject} ... `);
      const m = await measure(cfg, file, subject);
      console.log(m.status === 'ok' ? `${m.mbPerSec ?? '?'} MB/s, ${m.maxRssMb ?? '?'} MB RSS` : `${m.status}: ${m.detail ?? ''}`);
      measurements.push(m);
    }
    perFile.push({ kind: file.kind, file, measurements });
  }

  let ingest: IngestBenchReport | undefined;
  if (cfg.ingest) {
    console.log('');
    ingest = await runIngestBench(cfg.outDir, cfg.seed834);
    if (ingest.skipped !== undefined) console.log(`ingest bench skipped: ${ingest.skipped}`);
  }

  let cash: CashBenchReport | undefined;
  if (cfg.cash) {
    console.log('');
    const change = ingest?.runs.find((r) => r.mode === 'change' && r.ok);
    cash = await runCashBench(cfg.outDir, change?.membersPerSec);
    if (cash.skipped !== undefined) console.log(`cash application bench skipped: ${cash.skipped}`);
  }

  let sftp: SftpPullReport | undefined;
  if (cfg.sftpPull) {
    console.log('');
    sftp = await runSftpPullBench();
  }

  console.log('');
  for (const { file, measurements } of perFile) {
    console.log(fileTable(`${file.kind}  ${file.path}`, file.info.bytes, file.info.segments, measurements));
    console.log('');
  }
  if (ingest !== undefined) {
    console.log(ingestTables(ingest));
    console.log('');
  }
  if (cash !== undefined) {
    console.log(cashTable(cash));
    console.log('');
  }
  if (sftp !== undefined) {
    console.log(sftpPullTable(sftp));
    console.log('');
  }
  const checks = [...(perFile.length > 0 ? targetChecks(perFile) : []), ...(ingest?.targets ?? []), ...(cash?.targets ?? []), ...(sftp?.targets ?? [])];
  console.log(targetTable(checks));

  const resultsPath = join(cfg.outDir, 'results.json');
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    config: cfg,
    files: files.map((f) => ({ kind: f.kind, ...f.info, generatedSec: f.generatedSec })),
    measurements: perFile.flatMap((f) => f.measurements),
    ingest,
    cash,
    sftpPull: sftp,
    targets: checks,
  };
  await writeFile(resultsPath, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nresults written to ${resultsPath}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
