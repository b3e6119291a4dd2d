/**
 * The ingest bench: a change file (BGN08 2) of N members applied into PostgreSQL, then a
 * full file (BGN08 RX) of the same members compared against what the first one stored.
 * Each ingest runs in a child process (ingest-child.ts), so its peak RSS is that of the
 * ingest alone. Everything happens in a fresh schema that is dropped afterwards.
 *
 * Environment:
 *   BENCH_DATABASE_URL / TEST_DATABASE_URL  PostgreSQL to use (default
 *                          postgres://postgres@127.0.0.1:5432/test); its database name must
 *                          contain "test"
 *   BENCH_INGEST_MEMBERS   members in the change file (default 1,000,000)
 *   BENCH_INGEST_GROUPS    employer groups = ST sets per file (default 10)
 *   BENCH_INGEST_KEEP      1: keep the schema afterwards (to look at the data)
 *   BENCH_INGEST_NODE_ARGS extra node flags for the ingest children (e.g. --cpu-prof)
 *   BENCH_INGEST_BATCH     members per write batch (default: the ingest's own)
 *   BENCH_INGEST_SSN_THREAD 0 or 1: the SSN thread off or on (default: the ingest's choice)
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { redactUrl } from '../src/db/open.js';
import { createPgDb, type PgDb } from '../src/db/pg.js';
import { migrate } from '../src/db/migrate.js';
import { loadReferenceData } from '../src/reference/store.js';
import { ReferenceDataSchema } from '../src/reference/schema.js';
import { firstOfThisMonth, generateIngest834, ingestReferenceData, type GenerateIngestResult, type IngestMode } from './generate834-ingest.js';
import type { IngestChildResult } from './ingest-child.js';
import { fmt, table, type TargetCheck } from './report.js';
import { intEnv } from './env.js';
import { runJsonChild } from './run-child.js';

/** Bump when the ingest generator's output changes, so stale cached files are not reused. */
const INGEST_GENERATOR_VERSION = 1;
const CHILD_TIMEOUT_MS = 30 * 60 * 1000;
const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The issue's floors, for 1,000,000 members. */
export const FLOOR_MEMBERS_PER_SEC = 25_000;
export const FLOOR_RSS_MB = 300;
export const FLOOR_RX_SEC = 60;
const FLOOR_RX_MEMBERS = 1_000_000;

export interface IngestRun {
  mode: IngestMode;
  file: string;
  bytes: number;
  membersInFile: number;
  ok: boolean;
  detail?: string;
  result?: IngestChildResult;
  seconds?: number;
  membersPerSec?: number;
  /** CPU per member, µs: the ingest process, and the rest of the machine meanwhile (the PostgreSQL server, when it is local). */
  cpu?: { nodeUsPerMember: number; restUsPerMember?: number };
}

export interface IngestBenchReport {
  skipped?: string;
  members: number;
  groups: number;
  server?: string;
  database?: string;
  runs: IngestRun[];
  rows?: Record<string, number>;
  targets: TargetCheck[];
}

/** Busy CPU time of the whole machine so far (Linux /proc/stat), ms; undefined elsewhere. */
function machineBusyMs(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'latin1').split('\n')[0] ?? '';
    const [, user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).map(Number);
    const ticks = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0);
    return Number.isFinite(ticks) ? ticks * 10 : undefined; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function ensureIngestFile(outDir: string, members: number, groups: number, seed: number, mode: IngestMode, begin: string): Promise<GenerateIngestResult> {
  const control = mode === 'change' ? 1001 : 1002;
  const name = `834-ingest-${mode}-n${members}-g${groups}-seed${seed}-begin${begin}-v${INGEST_GENERATOR_VERSION}.x12`;
  const path = join(outDir, name);
  const metaPath = `${path}.json`;
  if ((await exists(path)) && (await exists(metaPath))) {
    const info = JSON.parse(await readFile(metaPath, 'utf8')) as GenerateIngestResult;
    console.log(`reusing ${name} (${(info.bytes / 1e6).toFixed(1)} MB)`);
    return info;
  }
  process.stdout.write(`generating ${name} ... `);
  const t0 = performance.now();
  const info = await generateIngest834(path, { members, seed, groups, mode, control, coverageBegin: begin });
  await writeFile(metaPath, JSON.stringify(info, null, 2) + '\n');
  console.log(`${(info.bytes / 1e6).toFixed(1)} MB, ${fmt(info.membersWritten)} members, ${info.sets} sets in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return info;
}

const childScript = fileURLToPath(new URL('./ingest-child.js', import.meta.url));

async function runIngestChild(url: string, schema: string, file: string): Promise<{ ok: true; result: IngestChildResult } | { ok: false; detail: string }> {
  const extra = (process.env['BENCH_INGEST_NODE_ARGS'] ?? '').split(/\s+/).filter((x) => x !== '');
  const run = await runJsonChild<IngestChildResult & { error?: string }>([...extra, childScript, file, schema], CHILD_TIMEOUT_MS, { ...process.env, BENCH_INGEST_URL: url });
  const { parsed } = run;
  if (run.timedOut) return { ok: false, detail: `timeout: killed after ${CHILD_TIMEOUT_MS / 60000} min` };
  if (run.code === 0 && parsed && parsed.error === undefined && typeof parsed.ms === 'number') return { ok: true, result: parsed };
  const how = run.signal !== null ? `signal ${run.signal}` : `exit code ${run.code ?? '?'}`;
  const why = parsed?.error ?? run.stderr.trim().split('\n').slice(-3).join(' | ');
  return { ok: false, detail: `${how}: ${why.slice(0, 300)}` };
}

/** Connects to the bench database, or says why not (the ingest bench is then skipped). */
async function connect(url: string): Promise<{ db: PgDb; server: string; database: string } | { skipped: string }> {
  let database: string;
  try {
    database = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  } catch {
    return { skipped: 'the database URL does not parse' };
  }
  if (!/test/i.test(database)) {
    return { skipped: `refusing database "${database}" at ${redactUrl(url)}: the bench creates and drops a schema, so the database name must contain "test"` };
  }
  const db = createPgDb({ connectionString: url, max: 2, connectionTimeoutMillis: 5000, applicationName: 'edibridge-bench' });
  try {
    const { rows } = await db.query<{ v: string }>('select version() as v');
    const server = (rows[0]?.v ?? '').split(' on ')[0] ?? '';
    return { db, server, database };
  } catch (err) {
    await db.close().catch(() => undefined);
    return { skipped: `no PostgreSQL answered at ${redactUrl(url)} (${err instanceof Error ? err.message : String(err)})` };
  }
}

export async function runIngestBench(outDir: string, seed = 834): Promise<IngestBenchReport> {
  const members = intEnv('BENCH_INGEST_MEMBERS', 1_000_000, 1);
  const groups = intEnv('BENCH_INGEST_GROUPS', 10, 1);
  const report: IngestBenchReport = { members, groups, runs: [], targets: [] };
  const url = process.env['BENCH_DATABASE_URL'] || process.env['TEST_DATABASE_URL'] || DEFAULT_URL;
  const conn = await connect(url);
  if ('skipped' in conn) {
    report.skipped = conn.skipped;
    report.targets = targetChecks(report);
    return report;
  }
  const { db } = conn;
  report.server = conn.server;
  report.database = conn.database;
  console.log(`ingest bench: ${fmt(members)} members in ${groups} groups, ${conn.server}, database ${conn.database}`);
  const begin = firstOfThisMonth();
  const change = await ensureIngestFile(outDir, members, groups, seed, 'change', begin);
  const replace = await ensureIngestFile(outDir, members, groups, seed, 'replace', begin);

  const schema = `bench_ingest_${process.pid}_${Date.now().toString(36)}`;
  const keep = process.env['BENCH_INGEST_KEEP'] === '1';
  const scoped = createPgDb({ connectionString: url, searchPath: schema, max: 2, applicationName: 'edibridge-bench' });
  try {
    await migrate(scoped, { schema });
    await loadReferenceData(scoped, ReferenceDataSchema.parse(ingestReferenceData(groups)));
    for (const file of [change, replace]) {
      const label = file.mode === 'change' ? 'change (BGN08 2)' : 'full file (BGN08 RX)';
      process.stdout.write(`  ingest ${label}, ${fmt(file.membersWritten)} members ... `);
      const run: IngestRun = { mode: file.mode, file: file.path, bytes: file.bytes, membersInFile: file.membersWritten, ok: false };
      const busyBefore = machineBusyMs();
      const outcome = await runIngestChild(url, schema, file.path);
      const busyAfter = machineBusyMs();
      if (outcome.ok) {
        const r = outcome.result;
        run.ok = r.status === 'processed';
        run.result = r;
        run.seconds = r.ms / 1000;
        run.membersPerSec = Math.round(file.membersWritten / run.seconds);
        const perMember = (ms: number): number => Math.round((ms * 1000) / Math.max(1, file.membersWritten));
        run.cpu = { nodeUsPerMember: perMember(r.cpuMs) };
        if (busyBefore !== undefined && busyAfter !== undefined) run.cpu.restUsPerMember = perMember(Math.max(0, busyAfter - busyBefore - r.cpuMs));
        if (!run.ok) run.detail = `ingest status ${r.status}`;
        console.log(`${run.seconds.toFixed(1)} s, ${fmt(run.membersPerSec)} members/s, ${fmt(r.maxRssMb)} MB RSS`);
      } else {
        run.detail = outcome.detail;
        console.log(`failed: ${outcome.detail}`);
      }
      report.runs.push(run);
    }
    const { rows } = await scoped.query<Record<string, string>>(
      `select (select count(*) from member) as member, (select count(*) from coverage) as coverage,
              (select count(*) from member_history) as member_history, (select count(*) from id_card_request) as id_card_request,
              (select count(*) from retro_adjustment) as retro_adjustment, (select count(*) from exception) as exception`,
    ).catch(() => ({ rows: [] as Record<string, string>[] }));
    if (rows[0]) report.rows = Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)]));
  } finally {
    await scoped.close().catch(() => undefined);
    if (keep) console.log(`  schema ${schema} kept (BENCH_INGEST_KEEP=1)`);
    else await db.exec(`drop schema if exists ${schema} cascade`).catch((err: unknown) => console.error(`could not drop schema ${schema}:`, err));
    await db.close();
  }
  report.targets = targetChecks(report);
  return report;
}

export function targetChecks(report: IngestBenchReport): TargetCheck[] {
  const change = report.runs.find((r) => r.mode === 'change');
  const rx = report.runs.find((r) => r.mode === 'replace');
  const why = (r: IngestRun | undefined): string => report.skipped ?? (r === undefined ? 'not run' : r.detail ?? 'failed');
  const rate = change?.ok && change.membersPerSec !== undefined ? change.membersPerSec : undefined;
  const rss = change?.ok ? change.result?.maxRssMb : undefined;
  const rxLimit = (FLOOR_RX_SEC * report.members) / FLOOR_RX_MEMBERS;
  const scaled = report.members !== FLOOR_RX_MEMBERS ? ` (pro-rated to ${fmt(report.members)} members: ${fmt(rxLimit, 1)} s)` : '';
  return [
    {
      name: `ingest change file ≥ ${fmt(FLOOR_MEMBERS_PER_SEC)} members/s`,
      value: rate !== undefined ? `${fmt(rate)} members/s (${fmt(rate / FLOOR_MEMBERS_PER_SEC, 2)}× floor)` : why(change),
      verdict: rate !== undefined ? (rate >= FLOOR_MEMBERS_PER_SEC ? 'PASS' : 'MISS') : 'n/a',
    },
    {
      name: `ingest change file peak RSS < ${FLOOR_RSS_MB} MB`,
      value: rss !== undefined ? `${fmt(rss)} MB (${fmt(rss / FLOOR_RSS_MB, 2)}× limit)` : why(change),
      verdict: rss !== undefined ? (rss < FLOOR_RSS_MB ? 'PASS' : 'MISS') : 'n/a',
    },
    {
      name: `ingest full file (RX) < ${FLOOR_RX_SEC} s for ${fmt(FLOOR_RX_MEMBERS)} members${scaled}`,
      value: rx?.ok && rx.seconds !== undefined ? `${fmt(rx.seconds, 1)} s (${fmt(rx.seconds / rxLimit, 2)}× limit)` : why(rx),
      verdict: rx?.ok && rx.seconds !== undefined ? (rx.seconds < rxLimit ? 'PASS' : 'MISS') : 'n/a',
    },
  ];
}

function cpuSplit(r: IngestRun): string {
  const c = r.cpu;
  if (!c) return '—';
  return c.restUsPerMember === undefined ? `${fmt(c.nodeUsPerMember)} + ?` : `${fmt(c.nodeUsPerMember)} + ${fmt(c.restUsPerMember)} = ${fmt(c.nodeUsPerMember + c.restUsPerMember)}`;
}

/** Members/s the measured CPU per member allows on this machine's cores, at best. */
function cpuCeiling(r: IngestRun): string {
  const c = r.cpu;
  if (!c || c.restUsPerMember === undefined) return '—';
  return `${fmt((cpus().length * 1e6) / Math.max(1, c.nodeUsPerMember + c.restUsPerMember))}/s`;
}

/** The ingest tables: one row per file beside its floor, then where the time went. */
export function ingestTables(report: IngestBenchReport): string {
  if (report.skipped !== undefined) return `ingest: skipped — ${report.skipped}`;
  const out: string[] = [];
  const rxLimit = (FLOOR_RX_SEC * report.members) / FLOOR_RX_MEMBERS;
  const rows: string[][] = [['run', 'members', 'MB', 'seconds', 'members/s', 'peak RSS MB', 'floor', 'vs floor', 'note']];
  for (const r of report.runs) {
    const name = r.mode === 'change' ? 'change (BGN08 2)' : 'full file (RX)';
    const floor = r.mode === 'change' ? `≥ ${fmt(FLOOR_MEMBERS_PER_SEC)}/s, RSS < ${FLOOR_RSS_MB} MB` : `< ${fmt(rxLimit, 1)} s`;
    if (!r.ok || r.result === undefined || r.seconds === undefined || r.membersPerSec === undefined) {
      rows.push([name, fmt(r.membersInFile), fmt(r.bytes / 1e6, 1), '—', '—', '—', floor, '—', r.detail ?? 'failed']);
      continue;
    }
    const res = r.result;
    const vs =
      r.mode === 'change'
        ? `${fmt(r.membersPerSec / FLOOR_MEMBERS_PER_SEC, 2)}× rate, ${fmt(res.maxRssMb / FLOOR_RSS_MB, 2)}× RSS`
        : `${fmt(r.seconds / rxLimit, 2)}× time`;
    const t = res.totals;
    const counts = ['added', 'changed', 'unchanged', 'terminated', 'cancelled', 'held']
      .filter((k) => (t[k] ?? 0) > 0)
      .map((k) => `${k} ${fmt(t[k] ?? 0)}`);
    if (res.omitted > 0) counts.push(`omitted ${fmt(res.omitted)}`);
    const exc = Object.entries(res.exceptions).map(([k, v]) => `${k} ${fmt(v)}`);
    rows.push([
      name,
      fmt(r.membersInFile),
      fmt(r.bytes / 1e6, 1),
      fmt(r.seconds, 1),
      fmt(r.membersPerSec),
      fmt(res.maxRssMb),
      floor,
      vs,
      [...counts, ...(exc.length ? [`exceptions: ${exc.join(', ')}`] : [])].join('; '),
    ]);
  }
  out.push(`ingest into ${report.server ?? 'PostgreSQL'} (${fmt(report.members)} members, ${report.groups} groups = sets per file)\n${table(rows)}`);

  const split: string[][] = [['run', 'wall s', 'before apply s', 'DB busy s', 'JS-only s', 'CPU µs/member: ingest + rest = sum', 'ceiling on these cores', 'RSS validate / apply MB', 'statements', 'top statements (ms from issue to result)']];
  for (const r of report.runs) {
    if (!r.result) continue;
    const d = r.result.db;
    const wall = r.result.ms;
    split.push([
      r.mode === 'change' ? 'change' : 'full file (RX)',
      fmt(wall / 1000, 1),
      fmt(d.beforeApplyMs / 1000, 1),
      fmt(d.busyMs / 1000, 1),
      fmt((wall - d.busyMs) / 1000, 1),
      cpuSplit(r),
      cpuCeiling(r),
      r.result.rssPhasesMb ? `${fmt(r.result.rssPhasesMb.beforeApply)} / ${fmt(r.result.rssPhasesMb.apply)}` : '—',
      fmt(d.statements),
      d.top.slice(0, 5).map((s) => `${s.statement} ${fmt(s.ms)} (${fmt(s.calls)}×)`).join('; '),
    ]);
  }
  if (split.length > 1) {
    out.push(
      `where the time went (before apply = identify, register, validate, acknowledge — mostly JS; JS-only = wall − DB busy;\n` +
        `CPU: the ingest process, and the rest of the machine meanwhile (the PostgreSQL server when it is local);\n` +
        `ceiling = members/s if every core of this machine (${cpus().length}) did nothing but this work;\n` +
        `a statement's time runs from when it was issued: statements issued together include their wait for the ones before)\n${table(split)}`,
    );
  }
  if (report.rows) out.push(`rows afterwards: ${Object.entries(report.rows).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);
  return out.join('\n\n');
}
