/**
 * The job engine's behaviour, run against each adapter (engine-pglite.test.ts,
 * engine-pg.test.ts): every test starts an engine in a pg-boss schema of its own.
 */
import { afterEach, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { createMetrics } from '../../src/core/metrics.js';
import type { Db } from '../../src/db/db.js';
import { JobDataError, createEngine, type Engine, type EngineConfig } from '../../src/worker/engine.js';
import type { DbHarness } from '../db/harness.js';

const log = createLogger({ level: 'silent' });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export function describeEngineContract(harness: () => DbHarness): void {
  const engines: Engine[] = [];
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.stop({ graceful: false });
  });

  function engine(config: Partial<EngineConfig> = {}, db: Db = harness().db, schema?: string): Engine {
    const e = createEngine({
      db,
      log,
      metrics: createMetrics(),
      config: { schema: schema ?? harness().freshSchemaName(), migrate: true, pollSeconds: 0.5, shutdownSeconds: 5, maintenanceSeconds: 3600, ...config },
    });
    engines.push(e);
    return e;
  }

  const state = async (e: Engine, queue: string, id: string) => {
    const job = await e.boss.getJobById<Record<string, unknown>>(queue, id);
    return job;
  };

  it('processes a job once, across two workers', async () => {
    const a = engine();
    await a.start();
    const b = engine({}, await harness().openAnother(), a.schema);
    await b.start();
    const seen: string[] = [];
    await a.work('process-file', async (data) => void seen.push(data.fileId));
    await b.work('process-file', async (data) => void seen.push(data.fileId));
    const ids: string[] = [];
    for (let i = 1; i <= 6; i++) {
      const id = await a.send('process-file', { partnerId: 'acme', fileId: `f${i}` });
      expect(id).toBeTypeOf('string');
      ids.push(id as string);
    }
    await waitFor('six jobs completed', async () => (await Promise.all(ids.map((id) => state(a, 'process-file', id)))).every((j) => j?.state === 'completed'));
    await sleep(1200);
    expect(seen.sort()).toEqual(['f1', 'f2', 'f3', 'f4', 'f5', 'f6']);
  });

  it('retries a failing handler with backoff, then completes', async () => {
    const e = engine({ queues: { 'process-file': { retryLimit: 3, retryDelay: 1, retryBackoff: true } } });
    await e.start();
    const times: number[] = [];
    const attempts: number[] = [];
    await e.work('process-file', async (_data, job) => {
      times.push(Date.now());
      attempts.push(job.attempt);
      if (times.length < 3) throw new Error(`failure ${times.length}`);
      return { ok: true };
    });
    const id = (await e.send('process-file', { partnerId: 'acme', fileId: 'f1' })) as string;
    await waitFor('completion after retries', async () => (await state(e, 'process-file', id))?.state === 'completed', 30_000);
    const job = await state(e, 'process-file', id);
    expect(attempts).toEqual([1, 2, 3]);
    expect(job?.retryCount).toBe(2);
    expect(job?.output).toEqual({ ok: true });
    const [t0 = 0, t1 = 0, t2 = 0] = times;
    // pg-boss backoff: delay·2^n/2 plus as much again at random: ≥1 s, then ≥2 s.
    expect(t1 - t0).toBeGreaterThanOrEqual(950);
    expect(t2 - t1).toBeGreaterThanOrEqual(1950);
  });

  it('a singleton key has one job waiting and never two running; other keys are not held up', async () => {
    const a = engine();
    await a.start();
    const b = engine({}, await harness().openAnother(), a.schema);
    await b.start();
    let running = 0;
    let maxAcme = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const done: string[] = [];
    const handler = async (data: { partnerId: string }): Promise<void> => {
      if (data.partnerId === 'acme') {
        running++;
        maxAcme = Math.max(maxAcme, running);
        await gate;
        running--;
      }
      done.push(data.partnerId);
    };
    const first = await a.send('pull-partner', { partnerId: 'acme' });
    expect(first).toBeTypeOf('string');
    // Waiting already: a second send for the key is dropped.
    expect(await a.send('pull-partner', { partnerId: 'acme' })).toBeNull();
    await a.work('pull-partner', handler);
    await b.work('pull-partner', handler);
    await waitFor('the first pull running', () => running === 1);
    // Active now: one more may wait, but does not run beside it.
    const second = await a.send('pull-partner', { partnerId: 'acme' });
    expect(second).toBeTypeOf('string');
    expect(await a.send('pull-partner', { partnerId: 'acme' })).toBeNull();
    const other = (await a.send('pull-partner', { partnerId: 'beta' })) as string;
    await waitFor('the other partner pulled while acme runs', async () => (await state(a, 'pull-partner', other))?.state === 'completed');
    expect(running).toBe(1);
    expect((await state(a, 'pull-partner', second as string))?.state).toBe('created');
    release();
    await waitFor('both acme pulls done', async () => (await state(a, 'pull-partner', second as string))?.state === 'completed');
    expect(maxAcme).toBe(1);
    expect(done.filter((p) => p === 'acme')).toHaveLength(2);
  });

  it('retries a job whose handler runs past its expiry, aborting the first run', async () => {
    const e = engine({ queues: { 'deliver-acks': { expireInSeconds: 1, retryDelay: 0, retryBackoff: false, retryLimit: 2 } } });
    await e.start();
    const aborted: Record<number, boolean> = {};
    let calls = 0;
    await e.work('deliver-acks', async (_data, job) => {
      calls++;
      if (job.attempt === 1) await sleep(1800);
      aborted[job.attempt] = job.signal.aborted;
    });
    const id = (await e.send('deliver-acks', { partnerId: 'acme' })) as string;
    await waitFor('completion on the retry', async () => (await state(e, 'deliver-acks', id))?.state === 'completed');
    const job = await state(e, 'deliver-acks', id);
    expect(job?.retryCount).toBe(1);
    expect(calls).toBe(2);
    await waitFor('the first run to end', () => aborted[1] !== undefined);
    expect(aborted).toEqual({ 1: true, 2: false });
  });

  it('stop({ graceful }) waits for an active job; past the timeout it fails it back to its queue', async () => {
    const e = engine();
    await e.start();
    let started = 0;
    let finished = 0;
    await e.work('process-file', async (data, job) => {
      started++;
      await sleep(data.fileId === 'slow' ? 4000 : 1200);
      if (!job.signal.aborted) finished++;
    });
    const id = (await e.send('process-file', { partnerId: 'acme', fileId: 'quick' })) as string;
    await waitFor('the job to start', () => started === 1);
    const t0 = Date.now();
    await e.stop({ graceful: true, timeoutMs: 10_000 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
    expect(finished).toBe(1);
    expect(e.health()).toMatchObject({ started: false, stopping: true, activeJobs: 0 });

    const f = engine({}, harness().db, e.schema);
    await f.start();
    await f.work('process-file', async (data, job) => {
      started++;
      await sleep(4000);
      if (!job.signal.aborted) finished++;
    });
    expect((await state(f, 'process-file', id))?.state).toBe('completed');
    const slow = (await f.send('process-file', { partnerId: 'acme', fileId: 'slow' })) as string;
    await waitFor('the slow job to start', () => started === 2);
    const t1 = Date.now();
    await f.stop({ graceful: true, timeoutMs: 600 });
    expect(Date.now() - t1).toBeLessThan(3000);
    const job = await state(f, 'process-file', slow);
    expect(job?.state).toBe('retry');
    expect(job?.output).toMatchObject({ message: 'the worker stopped while the job was active' });
  });

  it('fails a malformed job at once, without retries, and goes on working', async () => {
    const e = engine();
    await e.start();
    await expect(e.send('process-file', { partnerId: 'acme', fileId: '' })).rejects.toBeInstanceOf(JobDataError);
    await expect(e.send('process-file', { partnerId: 'acme' } as never)).rejects.toMatchObject({ code: 'JOB_INVALID' });
    const seen: string[] = [];
    await e.work('process-file', async (data) => void seen.push(data.fileId));
    // Straight into pg-boss, past the engine's check: what an old or foreign producer could send.
    const bad = (await e.boss.send('process-file', { partnerId: 'acme', fileId: 42, ssn: '123-45-6789' }, { retryLimit: 5 })) as string;
    const good = (await e.send('process-file', { partnerId: 'acme', fileId: 'f2' })) as string;
    await waitFor('the bad job failed', async () => (await state(e, 'process-file', bad))?.state === 'failed');
    await waitFor('the good job completed', async () => (await state(e, 'process-file', good))?.state === 'completed');
    const job = await state(e, 'process-file', bad);
    expect(job?.retryCount).toBe(0);
    expect(job?.output).toMatchObject({ code: 'JOB_INVALID' });
    expect(JSON.stringify(job?.output)).not.toContain('123-45-6789');
    expect(seen).toEqual(['f2']);
  });

  it('backs off while it cannot claim jobs, then recovers', async () => {
    const real = harness().db;
    let failing = true;
    let claims = 0;
    const flaky: Db = {
      kind: real.kind,
      query: async (text, values) => {
        // The engine's claim (pg-boss's own internal workers claim with another statement).
        if (/extract\(epoch FROM j\.expire_in\)/.test(text)) {
          claims++;
          if (failing) throw new Error('connection lost');
        }
        return real.query(text, values);
      },
      script: (text) => real.script(text),
      exec: (s) => real.exec(s),
      copyFrom: (t, c, d) => real.copyFrom(t, c, d),
      transaction: (fn) => real.transaction(fn),
      close: async () => {},
    };
    const e = engine({}, flaky);
    await e.start();
    await e.work('deliver-acks', async () => {});
    await sleep(3500);
    // Polling every 0.5 s would be 7 claims; backing off (1 s, 2 s, 4 s …) makes at most 3.
    expect(claims).toBeLessThanOrEqual(3);
    expect(e.health().lastError?.message).toBe('connection lost');
    failing = false;
    const id = (await e.send('deliver-acks', { partnerId: 'acme' })) as string;
    await waitFor('the job after recovery', async () => (await state(e, 'deliver-acks', id))?.state === 'completed', 30_000);
    expect(e.health().lastError).toBeUndefined();
  });

  it('Db.script answers the last statement and leaves no failed transaction open', async () => {
    const db = harness().db;
    const r = await db.script<{ n: number }>('select 1 as n; select 2 as n');
    expect(r.rows).toEqual([{ n: 2 }]);
    await expect(db.script('begin; select 1; select 1/0; commit;')).rejects.toThrow(/division by zero/);
    expect((await db.query<{ n: number }>('select 3 as n')).rows).toEqual([{ n: 3 }]);
    const s = await db.script<{ t: string }>("begin; select 'x' as t; commit;");
    expect(s.rows).toEqual([]);
  });
}
