/**
 * One ingest of the bench 820 in a process of its own (its peak RSS is the ingest's): the
 * application's set handlers (834 and 820) over PostgreSQL in the bench's schema. Prints one
 * JSON line: wall time, the time before the first set was applied, peak RSS, what was applied.
 */
import { performance } from 'node:perf_hooks';
import type { Db } from '../src/db/db.js';
import { createPgDb } from '../src/db/pg.js';
import { enrollmentHandler } from '../src/enrollment/handler.js';
import { handlerRegistry } from '../src/ingest/handlers.js';
import { ingestFile } from '../src/ingest/ingest.js';
import { PhiProtector } from '../src/phi/protector.js';
import { remittanceHandler, remittanceOf } from '../src/remittance/handler.js';

export interface CashChildResult {
  ms: number;
  beforeApplyMs: number;
  maxRssMb: number;
  status: string;
  setsApplied: number;
  appliedCents: number;
  creditCents: number;
  suspenseCents: number;
  exceptions: Record<string, number>;
  /** The slowest statements by total time. */
  statements?: string[];
}

async function main(): Promise<void> {
  const [file = '', schema = ''] = process.argv.slice(2);
  const raw = createPgDb({ connectionString: process.env['BENCH_CASH_URL'] ?? '', searchPath: schema, max: 4 });
  const stats = new Map<string, { calls: number; ms: number }>();
  const timed = (target: Db): Db =>
    new Proxy(target, {
      get(t, prop, recv) {
        if (prop === 'query') {
          return async (text: string, values?: unknown[]) => {
            const t0 = performance.now();
            try {
              return await t.query(text, values as never);
            } finally {
              const key = text.replace(/\s+/g, ' ').trim().slice(0, 60);
              const st = stats.get(key) ?? { calls: 0, ms: 0 };
              st.calls++;
              st.ms += performance.now() - t0;
              stats.set(key, st);
            }
          };
        }
        if (prop === 'transaction') return (fn: (tx: Db) => Promise<unknown>) => t.transaction((tx) => fn(timed(tx)));
        return Reflect.get(t, prop, recv);
      },
    });
  const db = timed(raw);
  try {
    const t0 = performance.now();
    let applyAt: number | undefined;
    const handlers = handlerRegistry(enrollmentHandler({ phi: new PhiProtector(Buffer.alloc(32, 3)) }), remittanceHandler());
    const r = await ingestFile(file, {
      db,
      handlers,
      onProgress: (p) => {
        if (p.phase === 'apply' && applyAt === undefined) applyAt = performance.now();
      },
    });
    const ms = performance.now() - t0;
    const cash = remittanceOf(r);
    const sum = (k: 'appliedCents' | 'creditCents' | 'suspenseCents'): number => cash.payments.reduce((s, p) => s + p[k], 0);
    const result: CashChildResult = {
      ms,
      beforeApplyMs: (applyAt ?? performance.now()) - t0,
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      status: r.status,
      setsApplied: cash.setsApplied,
      appliedCents: sum('appliedCents'),
      creditCents: sum('creditCents'),
      suspenseCents: sum('suspenseCents'),
      exceptions: cash.exceptions as Record<string, number>,
    };
    result.statements = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8).map(([k, v]) => `${v.ms.toFixed(0).padStart(7)} ms ${String(v.calls).padStart(6)} × ${k}`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await raw.close();
  }
}

main().catch((err: unknown) => {
  process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? `${err.message}` : String(err) })}\n`);
  process.exitCode = 1;
});
