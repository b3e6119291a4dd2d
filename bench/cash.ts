/**
 * The cash application bench: an 820 of N individual remittance lines (default 1,000,000, in
 * sets of 100,000) matched and applied against PostgreSQL through the real path (ingestFile
 * with the application's set handlers: validate, acknowledge, then each set applied in one
 * transaction by src/remittance). Before the clock: N subscribers with a PPO01 EMP coverage
 * are inserted in SQL and December is billed (one invoice of N lines, timed separately). Most
 * lines pay their bill; some pay short, some over, some name a member we do not have, so every
 * path runs. The ingest runs in a child process (cash-child.ts), whose peak RSS is its own.
 * Floors: under 60 s and 300 MB for 1,000,000 lines; beside it, the ratio to the 834 ingest
 * rate of the same run (when `ingest` runs too).
 *
 * Environment: BENCH_CASH_LINES (default 1,000,000), BENCH_CASH_SET_SIZE (100,000),
 * BENCH_DATABASE_URL / TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
import { createWriteStream, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { billGroup } from '../src/billing/invoice.js';
import { createPgDb } from '../src/db/pg.js';
import { migrate } from '../src/db/migrate.js';
import { loadReferenceData, readReferenceFile } from '../src/reference/index.js';
import { intEnv } from './env.js';
import { fmt, table, type TargetCheck } from './report.js';
import { runJsonChild } from './run-child.js';
import type { CashChildResult } from './cash-child.js';

const FLOOR_LINES = 1_000_000;
const FLOOR_SEC = 60;
const FLOOR_RSS_MB = 300;
const RATE_CENTS = 51240;
const CHILD = fileURLToPath(new URL('./cash-child.js', import.meta.url));
const REFERENCE = fileURLToPath(new URL('../../samples/reference-data.yaml', import.meta.url));

export interface CashBenchReport {
  lines: number;
  skipped?: string;
  invoiceSeconds?: number;
  ingest?: CashChildResult & { seconds: number; linesPerSec: number };
  /** Lines/s ÷ the 834 change file's members/s of the same run. */
  ratioTo834?: number;
  targets: TargetCheck[];
}

const money = (c: number): string => (c / 100).toFixed(2);

/** The bench 820, streamed to disk; returns the money it moves. */
async function write820(path: string, invoice: string, lines: number, setSize: number): Promise<{ paidCents: number }> {
  const out = createWriteStream(path);
  const w = async (s: string): Promise<void> => {
    if (!out.write(`${s}~\n`)) await once(out, 'drain');
  };
  let paidTotal = 0;
  const amount = (i: number): number => (i % 200 === 7 ? RATE_CENTS - 10000 : i % 200 === 11 ? RATE_CENTS + 500 : RATE_CENTS);
  const member = (i: number): string => (i % 500 === 3 ? `X${String(i).padStart(7, '0')}` : `S${String(i).padStart(7, '0')}`);
  await w('ISA*00*          *00*          *ZZ*ACMEEMPLOYER   *ZZ*EDIBRIDGEPLAN  *261205*1015*^*00501*000820820*0*P*:');
  const sets = Math.ceil(lines / setSize);
  await w(`GS*RA*ACMEEMPLOYER*EDIBRIDGEPLAN*20261205*1015*820820*X*005010X218`);
  for (let s = 0; s < sets; s++) {
    const first = s * setSize + 1;
    const last = Math.min(lines, first + setSize - 1);
    let total = 0;
    for (let i = first; i <= last; i++) total += amount(i);
    paidTotal += total;
    const st = String(s + 1).padStart(4, '0');
    let n = 0;
    const seg = async (x: string): Promise<void> => {
      n++;
      await w(x);
    };
    await seg(`ST*820*${st}*005010X218`);
    await seg(`BPR*C*${money(total)}*C*ACH*CCP*01*011000015*DA*1234567890*1234567890**01*021000021*DA*9876543210*20261205`);
    await seg(`TRN*1*BENCH-CASH-${s + 1}*1234567890`);
    await seg('REF*38*GRP10045');
    await seg('DTM*582****RD8*20261201-20261231');
    await seg('N1*PE*EDIBRIDGE HEALTH PLAN*FI*987654321');
    await seg('N1*PR*ACME WIDGETS INC*FI*123456789');
    for (let i = first; i <= last; i++) {
      const m = member(i);
      await seg(`ENT*${i - first + 1}*2J*EI*${m}`);
      await seg(`NM1*IL*1*BENCH*MEMBER****N*${m}`);
      await seg(`RMR*IK*${invoice}**${money(amount(i))}`);
      await seg('DTM*582****RD8*20261201-20261231');
    }
    await w(`SE*${n + 1}*${st}`);
  }
  await w(`GE*${sets}*820820`);
  await w('IEA*1*000820820');
  out.end();
  await once(out, 'finish');
  return { paidCents: paidTotal };
}

export async function runCashBench(outDir: string, rate834?: number): Promise<CashBenchReport> {
  const lines = intEnv('BENCH_CASH_LINES', FLOOR_LINES, 1);
  const setSize = intEnv('BENCH_CASH_SET_SIZE', 100_000, 1);
  const url = process.env['BENCH_DATABASE_URL'] || process.env['TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/test';
  const report: CashBenchReport = { lines, targets: [] };
  const schema = `bench_cash_${process.pid}`;
  const admin = createPgDb({ connectionString: url, max: 1 });
  try {
    await admin.query('select 1');
  } catch (err) {
    await admin.close();
    report.skipped = `no PostgreSQL at the bench URL: ${(err as Error).message}`;
    return report;
  }
  const db = createPgDb({ connectionString: url, searchPath: schema, max: 4 });
  const file = join(outDir, `820-cash-n${lines}.x12`);
  try {
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.query(`create schema ${schema}`);
    await migrate(db, { schema });
    await loadReferenceData(db, await readReferenceFile(REFERENCE));
    console.log(`cash application bench: ${fmt(lines)} lines; setting up ${fmt(lines)} subscribers`);
    await db.query(`insert into inbound_file (partner, file_name, sha256, size_bytes, status) values ('acme', 'bench setup', repeat('0', 64), 0, 'processed')`);
    await db.query(
      `insert into member (group_number, subscriber_number, is_subscriber, relationship, eligibility_begin, created_file_id, updated_file_id)
       select 'GRP10045', 'S' || lpad(n::text, 7, '0'), true, '18', '2026-12-01', 1, 1 from generate_series(1, $1::int) n`,
      [lines],
    );
    await db.query(`insert into coverage (member_id, insurance_line, plan_id, coverage_level, begin_date) select id, 'HLT', 'PPO01', 'EMP', '2026-12-01' from member`);
    await db.query('analyze');
    const t0 = performance.now();
    const bill = await billGroup(db, { group: 'GRP10045', period: '2026-12' });
    report.invoiceSeconds = Math.round((performance.now() - t0) / 100) / 10;
    console.log(`  invoice ${bill.invoiceNumber}: ${fmt(bill.activeLines)} lines built in ${report.invoiceSeconds} s`);
    const { paidCents } = await write820(file, bill.invoiceNumber, lines, setSize);
    process.stdout.write('  applying the 820 ... ');
    const run = await runJsonChild<CashChildResult & { error?: string }>([CHILD, file, schema], 30 * 60_000, { ...process.env, BENCH_CASH_URL: url });
    const r = run.parsed;
    if (!r || r.error !== undefined) throw new Error(`cash child failed: ${r?.error ?? run.stderr.slice(-600)}`);
    const seconds = r.ms / 1000;
    report.ingest = { ...r, seconds: Math.round(seconds * 10) / 10, linesPerSec: Math.round(lines / seconds) };
    console.log(`${report.ingest.seconds} s, ${fmt(report.ingest.linesPerSec)} lines/s, ${fmt(r.maxRssMb)} MB RSS`);
    // Every line accounted for, to the cent.
    const sums = await db.query<{ n: string; cents: string }>(`select count(*)::text as n, coalesce(sum(amount_cents), 0)::text as cents from payment_allocation`);
    const counted = Number(sums.rows[0]!.n);
    const cents = Number(sums.rows[0]!.cents);
    if (cents !== paidCents) throw new Error(`allocations add up to ${cents} cents, the file paid ${paidCents}`);
    if (counted < lines) throw new Error(`${counted} allocations for ${lines} lines`);
    if (rate834 !== undefined) report.ratioTo834 = Math.round((report.ingest.linesPerSec / rate834) * 100) / 100;
    const limit = (FLOOR_SEC * lines) / FLOOR_LINES;
    report.targets.push(
      { name: `cash application ${fmt(lines)} lines < ${fmt(limit, 1)} s`, value: `${report.ingest.seconds} s (${fmt(report.ingest.linesPerSec)} lines/s${report.ratioTo834 !== undefined ? `, ${report.ratioTo834}× the 834 ingest rate` : ''})`, verdict: report.ingest.seconds < limit ? 'PASS' : 'MISS' },
      { name: `cash application peak RSS < ${FLOOR_RSS_MB} MB`, value: `${fmt(r.maxRssMb)} MB`, verdict: r.maxRssMb < FLOOR_RSS_MB ? 'PASS' : 'MISS' },
    );
    return report;
  } finally {
    rmSync(file, { force: true });
    await db.close();
    if (process.env['BENCH_CASH_KEEP'] !== '1') await admin.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    await admin.close();
  }
}

export function cashTable(r: CashBenchReport): string {
  if (r.skipped) return `cash application: skipped (${r.skipped})`;
  const i = r.ingest;
  const rows = [['what', 'seconds', 'lines/s', 'peak RSS MB', 'vs 834 ingest rate', 'floor']];
  rows.push([`invoice of ${fmt(r.lines)} lines`, fmt(r.invoiceSeconds ?? 0, 1), '-', '-', '-', '-']);
  if (i) {
    rows.push([`820 of ${fmt(r.lines)} lines applied`, fmt(i.seconds, 1), fmt(i.linesPerSec), fmt(i.maxRssMb), r.ratioTo834 === undefined ? 'n/a (ingest not run)' : `${r.ratioTo834}×`, `< ${fmt((FLOOR_SEC * r.lines) / FLOOR_LINES, 1)} s, < ${FLOOR_RSS_MB} MB`]);
  }
  const phases = i ? `\nphases: validate and acknowledge ${fmt(i.beforeApplyMs / 1000, 1)} s, apply ${fmt((i.ms - i.beforeApplyMs) / 1000, 1)} s; applied ${money(i.appliedCents)}, credit ${money(i.creditCents)}, suspense ${money(i.suspenseCents)}; exceptions ${JSON.stringify(i.exceptions)}` : '';
  const slowest = i?.statements?.length ? `\nslowest statements:\n${i.statements.map((x) => `  ${x}`).join('\n')}` : '';
  return `Cash application (820 → PostgreSQL)\n${table(rows)}${phases}${slowest}`;
}
