/**
 * Child-process entry of the ingest bench: `node ingest-child.js <file> <schema>` with the
 * database URL in BENCH_INGEST_URL (and BENCH_INGEST_BATCH, members per write batch, and
 * BENCH_INGEST_SSN_THREAD, 0 or 1, when set). Ingests one file into the (already migrated,
 * reference-loaded) schema and prints one JSON line: wall time, peak RSS of this process,
 * the ingest's totals, and where the time went on the database side (every statement is
 * timed; "busy" is the time at least one statement was outstanding, so wall − busy is
 * JS-only time).
 */
import { performance } from 'node:perf_hooks';
import { basename } from 'node:path';
import type { Db, QueryResult } from '../src/db/db.js';
import { createPgDb } from '../src/db/pg.js';
import { ingestFile } from '../src/ingest/ingest.js';
import { handlerRegistry } from '../src/ingest/handlers.js';
import { enrollmentHandler, enrollmentOf } from '../src/enrollment/handler.js';
import { capHeapGrowth } from '../src/cli/memory.js';
import { PhiProtector } from '../src/phi/protector.js';
import { intEnv } from './env.js';

export interface StatementStat {
  statement: string;
  calls: number;
  ms: number;
}

export interface IngestChildResult {
  file: string;
  ms: number;
  maxRssMb: number;
  /** CPU time of this process (user + system), ms. */
  cpuMs: number;
  status: string;
  setsApplied: number;
  totals: Record<string, number>;
  omitted: number;
  exceptions: Record<string, number>;
  db: {
    statements: number;
    /** Sum of statement round trips (ms). */
    sumMs: number;
    /** Wall time with at least one statement outstanding (ms). */
    busyMs: number;
    /** From the start until the first transaction opened: identify, register, validate, acks (ms). */
    beforeApplyMs: number;
    top: StatementStat[];
  };
  /** Highest sampled RSS (every 50 ms) before the first set's transaction (validation) and after (apply), MB. */
  rssPhasesMb: { beforeApply: number; apply: number; heapUsedMax: number };
}

/** Statement text → a short key: the first words, whitespace folded, unnest lists elided. */
function statementKey(text: string): string {
  const folded = text.replace(/\s+/g, ' ').trim().toLowerCase();
  const m = /^(insert into \w+|update \w+|delete from \w+|create \w+ \w+|truncate \w+)/.exec(folded);
  if (m?.[1]) return m[1];
  if (folded.startsWith('select')) {
    const from = / from (\w+)/.exec(folded)?.[1];
    return `${folded.slice(0, 24)}… from ${from ?? '?'}`;
  }
  return folded.slice(0, 40);
}

class Timing {
  readonly stats = new Map<string, StatementStat>();
  statements = 0;
  sumMs = 0;
  busyMs = 0;
  private outstanding = 0;
  private busySince = 0;
  firstTransactionAt: number | undefined;

  async time<T>(key: string, run: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    if (this.outstanding++ === 0) this.busySince = t0;
    try {
      return await run();
    } finally {
      const t1 = performance.now();
      if (--this.outstanding === 0) this.busyMs += t1 - this.busySince;
      this.statements++;
      this.sumMs += t1 - t0;
      let s = this.stats.get(key);
      if (!s) this.stats.set(key, (s = { statement: key, calls: 0, ms: 0 }));
      s.calls++;
      s.ms += t1 - t0;
    }
  }
}

/** A Db that times every statement of the one it wraps (and of its transactions). */
class TimedDb implements Db {
  constructor(
    private readonly inner: Db,
    private readonly timing: Timing,
  ) {}

  get kind(): Db['kind'] {
    return this.inner.kind;
  }

  query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>> {
    return this.timing.time(statementKey(text), () => this.inner.query<R>(text, values));
  }

  exec(script: string): Promise<void> {
    return this.timing.time('(script)', () => this.inner.exec(script));
  }

  script<R = Record<string, unknown>>(text: string): Promise<QueryResult<R>> {
    return this.timing.time('(script)', () => this.inner.script<R>(text));
  }

  copyFrom(table: string, columns: readonly string[], data: string): Promise<number> {
    return this.timing.time(`copy ${table}`, () => this.inner.copyFrom(table, columns, data));
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    this.timing.firstTransactionAt ??= performance.now();
    return this.inner.transaction((tx) => fn(new TimedDb(tx, this.timing)));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

async function main(): Promise<void> {
  // What the `edibridge` launcher sets, so peak RSS is the command's.
  capHeapGrowth();
  const [file = '', schema = ''] = process.argv.slice(2);
  const url = process.env['BENCH_INGEST_URL'];
  if (file === '' || schema === '' || !url) throw new Error('usage: BENCH_INGEST_URL=... ingest-child.js <file> <schema>');
  const pg = createPgDb({ connectionString: url, searchPath: schema, max: 4, applicationName: 'edibridge-bench' });
  const timing = new Timing();
  const db = new TimedDb(pg, timing);
  const phi = new PhiProtector(Buffer.alloc(32, 1));
  const phases = { beforeApply: 0, apply: 0, heapUsedMax: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    const key = timing.firstTransactionAt === undefined ? 'beforeApply' : 'apply';
    phases[key] = Math.max(phases[key], Math.round(m.rss / 1048576));
    phases.heapUsedMax = Math.max(phases.heapUsedMax, Math.round(m.heapUsed / 1048576));
  }, 50);
  sampler.unref();
  try {
    const t0 = performance.now();
    // Unset (0): the ingest's own batch size.
    const batch = intEnv('BENCH_INGEST_BATCH', 0, 1);
    // Unset: the ingest's own choice; 0 or 1 turns the SSN thread off or on (for A/B runs).
    const thread = process.env['BENCH_INGEST_SSN_THREAD'];
    const handlers = handlerRegistry(
      enrollmentHandler({
        phi,
        ...(batch > 0 ? { batchMembers: batch } : {}),
        ...(thread === '0' || thread === '1' ? { ssnThread: thread === '1' } : {}),
      }),
    );
    const r = await ingestFile(file, { db, handlers });
    const ms = performance.now() - t0;
    const enrollment = enrollmentOf(r);
    clearInterval(sampler);
    const round = (n: number): number => Math.round(n * 10) / 10;
    const out: IngestChildResult = {
      file: basename(file),
      ms: round(ms),
      maxRssMb: round(process.resourceUsage().maxRSS / 1024),
      cpuMs: round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
      status: r.status,
      setsApplied: enrollment.sets.filter((x) => x.status === 'applied').length,
      totals: { ...enrollment.totals },
      omitted: enrollment.sets.reduce((n, x) => n + x.omitted, 0),
      exceptions: r.exceptions as Record<string, number>,
      db: {
        statements: timing.statements,
        sumMs: round(timing.sumMs),
        busyMs: round(timing.busyMs),
        beforeApplyMs: round((timing.firstTransactionAt ?? performance.now()) - t0),
        top: [...timing.stats.values()]
          .sort((a, b) => b.ms - a.ms)
          .slice(0, 12)
          .map((x) => ({ ...x, ms: round(x.ms) })),
      },
      rssPhasesMb: phases,
    };
    process.stdout.write(JSON.stringify(out) + '\n');
  } finally {
    await pg.close();
  }
}

main().catch((err: unknown) => {
  process.stdout.write(JSON.stringify({ error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }) + '\n');
  process.exitCode = 1;
});
