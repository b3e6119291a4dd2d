/**
 * The job engine: pg-boss 10 over the `Db` port (src/worker/boss-db.ts), the same code path
 * for PostgreSQL and PGlite. Queues, job data and settings are in src/worker/queues.ts.
 *
 * - pg-boss keeps its tables in their own schema (`edibridge_jobs`, see jobsSchemaFor), which
 *   it installs and upgrades itself at start (its own versioned migrations, under an advisory
 *   lock) when EDIBRIDGE_MIGRATE is `auto`; with `off`, start fails until `edibridge db
 *   migrate` has installed it.
 * - The queues are created (or brought to their settings) once at start, retried on the
 *   deadlock two processes' first creation can meet.
 * - pg-boss stores, sends, retries and expires jobs (its maintenance fails the claims of dead
 *   workers). Partners' schedules are node-cron's, fired once across replicas
 *   (src/mailbox/schedule.ts). The workers are the
 *   engine's own loop: pg-boss 10's `fetch` swallows every SQL error (a database outage
 *   looks like an empty queue) and claims a singleton key's waiting job even while another
 *   of that key is active, which fails the claim of the whole batch and holds up every other
 *   key behind it. The engine's claim skips keys that are active and lets errors through,
 *   so a worker backs off (doubling up to a minute) instead of polling blindly.
 * - A job's data is checked against its queue's schema when sent and when claimed: a job
 *   that does not match fails at once (JOB_INVALID, no retry) and the worker goes on.
 * - A handler gets an AbortSignal, aborted when its job expires or the engine stops without
 *   waiting for it; the job is then failed back to its queue for a retry.
 */
import PgBoss from 'pg-boss';
import type { Logger } from '../core/logger.js';
import { EdiBridgeError, coerceError } from '../core/errors.js';
import { metrics as processMetrics, type Metrics } from '../core/metrics.js';
import type { AppConfig } from '../core/config.js';
import type { Db } from '../db/db.js';
import { DbError, SqlState } from '../db/errors.js';
import { bossDb } from './boss-db.js';
import { JOB_DATA, QUEUE_NAMES, QUEUE_SETTINGS, singletonKey, type JobData, type QueueName, type QueueSettings } from './queues.js';

export const DEFAULT_JOBS_SCHEMA = 'edibridge_jobs';
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const MAX_BACKOFF_MS = 60_000;
/** Attempts at recording a job's outcome (about 30 s in all) before leaving it to the claim's expiry. */
const OUTCOME_ATTEMPTS = 7;

export interface EngineConfig {
  /** pg-boss's schema (default edibridge_jobs). */
  schema?: string;
  /** Install or upgrade pg-boss's schema at start (EDIBRIDGE_MIGRATE=auto). */
  migrate: boolean;
  /** Seconds between polls of an idle worker (at least 0.5). */
  pollSeconds: number;
  /** Default of `stop({ timeoutMs })`. */
  shutdownSeconds: number;
  /** Seconds between pg-boss maintenance runs (expiry of dead workers' claims, archiving); default 60. */
  maintenanceSeconds?: number;
  /** Per-queue overrides of QUEUE_SETTINGS (tests). */
  queues?: Partial<Record<QueueName, Partial<QueueSettings>>>;
}

export function engineConfig(config: Pick<AppConfig, 'migrate' | 'service'>): EngineConfig {
  const { service } = config;
  const override: Partial<QueueSettings> = {
    ...(service.jobExpireSeconds !== undefined ? { expireInSeconds: service.jobExpireSeconds } : {}),
    ...(service.jobRetryDelaySeconds !== undefined ? { retryDelay: service.jobRetryDelaySeconds } : {}),
  };
  return {
    migrate: config.migrate === 'auto',
    pollSeconds: service.pollSeconds,
    shutdownSeconds: service.shutdownSeconds,
    ...(service.jobMaintenanceSeconds !== undefined ? { maintenanceSeconds: service.jobMaintenanceSeconds } : {}),
    ...(Object.keys(override).length ? { queues: Object.fromEntries(QUEUE_NAMES.map((q) => [q, override])) } : {}),
  };
}

/** A job as its handler sees it. */
export interface JobContext<Q extends QueueName = QueueName> {
  readonly queue: Q;
  readonly id: string;
  /** 1 on the first run. */
  readonly attempt: number;
  /** Runs allowed in all (retryLimit + 1). */
  readonly attempts: number;
  /** Aborted when the job expires or the engine stops without waiting for it. */
  readonly signal: AbortSignal;
  readonly log: Logger;
}

/** Resolves: the job completes (a returned object is kept as its output). Throws: it fails, and is retried while retries remain. */
export type JobHandler<Q extends QueueName> = (data: JobData<Q>, job: JobContext<Q>) => Promise<Record<string, unknown> | void>;

export type JobHandlers = { [Q in QueueName]?: JobHandler<Q> };

export interface SendOptions {
  /** Not before this time (or this many seconds from now). */
  startAfter?: Date | number;
  priority?: number;
  /** Send within this transaction (the job exists only if it commits): what the job is about and the job, together. */
  tx?: Db;
}

export interface EngineHealth {
  started: boolean;
  stopping: boolean;
  /** The queues with a worker in this process. */
  workers: QueueName[];
  activeJobs: number;
  /** The last claim error, while it persists (cleared by the next good claim). */
  lastError?: { message: string; at: string };
}

export interface StopOptions {
  /** Wait for active jobs (default true); false: abort them and fail them back at once. */
  graceful?: boolean;
  /** How long to wait for active jobs (default the configured shutdown seconds). */
  timeoutMs?: number;
}

export interface Engine {
  start(): Promise<void>;
  stop(options?: StopOptions): Promise<void>;
  /** Sends a job; null when its singleton key already has one waiting. Throws JOB_INVALID for bad data. */
  send<Q extends QueueName>(queue: Q, data: JobData<Q>, options?: SendOptions): Promise<string | null>;
  /** Starts a worker for the queue (at start, when called before it). One per queue. */
  work<Q extends QueueName>(queue: Q, handler: JobHandler<Q>): Promise<void>;
  /** A cron schedule sending `data` to `queue` (UTC); one per queue in pg-boss 10, replaced when set again. */
  schedule<Q extends QueueName>(queue: Q, cron: string, data: JobData<Q>): Promise<void>;
  health(): EngineHealth;
  /** pg-boss itself, for tools and tests (job look-ups). */
  readonly boss: PgBoss;
  readonly schema: string;
}

export interface CreateEngineOptions {
  db: Db;
  log: Logger;
  config: EngineConfig;
  metrics?: Metrics;
}

/** A job's data that does not match its queue's schema: the paths and rules, never the values. */
export class JobDataError extends EdiBridgeError {
  constructor(queue: QueueName, readonly issues: { path: string; message: string }[]) {
    super('JOB_INVALID', `job data for ${queue} is invalid: ${issues.map((i) => `${i.path || '(data)'} ${i.message}`).join('; ')}`, { queue });
  }
}

export function validateJobData<Q extends QueueName>(queue: Q, data: unknown): JobData<Q> {
  const r = JOB_DATA[queue].safeParse(data);
  if (!r.success) throw new JobDataError(queue, r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  return r.data as JobData<Q>;
}

interface ClaimedRow {
  id: string;
  data: unknown;
  retry_count: number;
  retry_limit: number;
  expire_seconds: number;
}

/**
 * pg-boss 10's claim (plans.fetchNextJob) with one change: a singleton key with a job
 * already active is skipped, so it holds up only itself.
 */
function claimSql(schema: string): string {
  return `
    WITH next AS (
      SELECT j.id, j.singleton_key, j.policy
      FROM ${schema}.job j
      WHERE j.name = $1
        AND j.state < 'active'
        AND j.start_after < now()
        AND (j.singleton_key IS NULL OR j.policy NOT IN ('singleton', 'stately') OR NOT EXISTS (
          SELECT 1 FROM ${schema}.job a
          WHERE a.name = $1 AND a.state = 'active' AND a.singleton_key = j.singleton_key))
      ORDER BY j.priority DESC, j.created_on, j.id
      LIMIT $2
      FOR UPDATE SKIP LOCKED
    ), grouped AS (
      SELECT n.id, row_number() OVER (
        PARTITION BY CASE WHEN n.policy IN ('singleton', 'stately') THEN n.singleton_key ELSE n.id::text END
      ) AS rn
      FROM next n
    )
    UPDATE ${schema}.job j SET
      state = 'active',
      started_on = now(),
      retry_count = CASE WHEN j.started_on IS NOT NULL THEN j.retry_count + 1 ELSE j.retry_count END
    FROM grouped g
    WHERE j.name = $1 AND j.id = g.id AND g.rn = 1
    RETURNING j.id, j.data, j.retry_count, j.retry_limit, extract(epoch FROM j.expire_in)::int AS expire_seconds`;
}

/** A failure that is final whatever retries remain (malformed data). */
function exhaustRetriesSql(schema: string): string {
  return `UPDATE ${schema}.job SET retry_limit = retry_count WHERE name = $1 AND id = $2 AND state = 'active'`;
}

/** What a failed job keeps as its output: code and message, no stack, no cause's data. */
function failureOutput(err: unknown): Record<string, unknown> {
  const e = coerceError(err);
  return { code: e.code, message: e.message, ...(e instanceof JobDataError ? { issues: e.issues } : {}) };
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

const isDeadlock = (err: unknown): boolean =>
  (err instanceof DbError && err.sqlState === SqlState.deadlockDetected) || /deadlock detected/i.test(coerceError(err).message);

/**
 * Two processes installing pg-boss's schema at once: besides a deadlock, the loser's CREATE
 * SCHEMA IF NOT EXISTS now and then fails with a duplicate key in pg_namespace although it runs
 * under pg-boss's advisory lock (two `serve` replicas started together on a fresh schema).
 */
const isInstallRace = (err: unknown): boolean => isDeadlock(err) || (err instanceof DbError && err.sqlState === SqlState.uniqueViolation);

async function withRetry<T>(what: string, log: Logger, fn: () => Promise<T>, attempts = 5, retryable: (err: unknown) => boolean = isDeadlock): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !retryable(err)) throw err;
      log.warn({ attempt: i, err }, `${what}: conflict with another process, retrying`);
      await new Promise((r) => setTimeout(r, 100 * 2 ** i + Math.random() * 100));
    }
  }
}

interface ActiveJob {
  queue: QueueName;
  id: string;
  abort: AbortController;
  /** Settles when the handler has and the outcome is recorded. */
  done: Promise<void>;
  /** Fails the job back to its queue (at a stop that stopped waiting for it). */
  fail: () => Promise<void>;
}

/**
 * The job engine's schema for a database: `edibridge_jobs` beside edibridge's tables in
 * `public`; `<schema>_jobs` when edibridge's tables live in another schema (the URL's
 * search_path), so that two installations sharing one database never take each other's jobs.
 */
export async function jobsSchemaFor(db: Db): Promise<string> {
  const { rows } = await db.query<{ schema: string | null }>('select current_schema() as schema');
  const schema = rows[0]?.schema ?? 'public';
  if (schema === 'public') return DEFAULT_JOBS_SCHEMA;
  const derived = `${schema}_jobs`;
  if (!IDENTIFIER.test(derived)) throw new EdiBridgeError('CONFIG_INVALID', `cannot name a jobs schema after schema ${JSON.stringify(schema)}: use a lower-case identifier of at most 58 characters`, { schema });
  return derived;
}

/**
 * Installs or upgrades the job engine's own schema (pg-boss's versioned migrations, under its
 * advisory lock) without starting any worker: `edibridge db migrate`, for a service run with
 * EDIBRIDGE_MIGRATE=off. Returns pg-boss's schema version.
 */
export async function installJobSchema(db: Db, schema: string = DEFAULT_JOBS_SCHEMA): Promise<number> {
  if (!IDENTIFIER.test(schema)) throw new EdiBridgeError('CONFIG_INVALID', 'the jobs schema must be a lower-case identifier', { schema });
  const boss = new PgBoss({ db: bossDb(db) as unknown as PgBoss.Db, schema, migrate: true, supervise: false, schedule: false });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.stop({ graceful: false, close: false, wait: true });
  const { rows } = await db.query<{ version: number }>(`select version from ${schema}.version`);
  return Number(rows[0]?.version ?? 0);
}

export function createEngine(options: CreateEngineOptions): Engine {
  const { db, config } = options;
  const log = options.log.child({ component: 'jobs' });
  const metrics = options.metrics ?? processMetrics;
  const schema = config.schema ?? DEFAULT_JOBS_SCHEMA;
  if (!IDENTIFIER.test(schema)) throw new EdiBridgeError('CONFIG_INVALID', 'the jobs schema must be a lower-case identifier', { schema });
  const pollMs = Math.max(500, config.pollSeconds * 1000);
  const settings = (q: QueueName): QueueSettings => ({ ...QUEUE_SETTINGS[q], ...config.queues?.[q] });
  const claim = claimSql(schema);
  const exhaust = exhaustRetriesSql(schema);

  const boss = new PgBoss({
    db: bossDb(db) as unknown as PgBoss.Db,
    schema,
    migrate: config.migrate,
    supervise: true,
    schedule: true,
    maintenanceIntervalSeconds: config.maintenanceSeconds ?? 60,
    // Timekeeper: cron checked every 30 s (pg-boss's default).
  });
  boss.on('error', (err: Error & { queue?: string }) => {
    log.warn({ err: new EdiBridgeError('INTERNAL', err.message ?? String(err), err.queue ? { queue: err.queue } : {}) }, 'job engine error');
  });

  let started = false;
  let bossStarted = false;
  let stopping = false;
  const stopSignal = new AbortController();
  const handlers = new Map<QueueName, JobHandler<QueueName>>();
  const loops = new Map<QueueName, Promise<void>>();
  const active = new Map<string, ActiveJob>();
  let lastError: { message: string; at: string } | undefined;

  async function runJob(queue: QueueName, handler: JobHandler<QueueName>, row: ClaimedRow): Promise<void> {
    const abort = new AbortController();
    const jobLog = log.child({ queue, job: row.id, attempt: row.retry_count + 1 });
    const startedAt = performance.now();
    let settled = false;
    const finish = async (failure: unknown | undefined, output?: Record<string, unknown> | void): Promise<void> => {
      if (settled) return;
      settled = true;
      metrics.jobFinished(queue, (performance.now() - startedAt) / 1000, failure !== undefined);
      // The database may be away for a moment (a restart): the outcome is retried for a while
      // rather than left to the claim's expiry, which would hold the job's key for its expiry.
      for (let attempt = 1; ; attempt++) {
        try {
          if (failure === undefined) {
            await boss.complete(queue, row.id, output ?? undefined);
            jobLog.debug('job completed');
          } else {
            if (failure instanceof JobDataError) await db.query(exhaust, [queue, row.id]);
            await boss.fail(queue, row.id, failureOutput(failure));
            const final = failure instanceof JobDataError || row.retry_count >= row.retry_limit;
            jobLog.warn({ err: failure, final }, final ? 'job failed' : 'job failed, to be retried');
          }
          return;
        } catch (err) {
          if (attempt >= OUTCOME_ATTEMPTS) {
            // The claim stays active; its expiry gives the job back to the queue.
            jobLog.error({ err, attempts: attempt }, 'could not record the job outcome');
            return;
          }
          await new Promise((r) => setTimeout(r, Math.min(8000, 250 * 2 ** attempt)));
        }
      }
    };
    let data: JobData<QueueName>;
    try {
      data = validateJobData(queue, row.data);
    } catch (err) {
      await finish(err);
      return;
    }
    const context: JobContext = {
      queue,
      id: row.id,
      attempt: row.retry_count + 1,
      attempts: row.retry_limit + 1,
      signal: abort.signal,
      log: jobLog,
    };
    const expireMs = Math.max(1, row.expire_seconds) * 1000;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), expireMs);
    });
    const run = (async () => handler(data as never, context as never))();
    const done = (async () => {
      try {
        const outcome = await Promise.race([run, expired]);
        if (outcome === 'expired') {
          abort.abort(new EdiBridgeError('JOB_EXPIRED', `the job ran past its expiry of ${row.expire_seconds} s`, { queue }));
          await finish(abort.signal.reason);
          // A handler that ignores its signal is still awaited by a graceful stop.
          await run.catch(() => undefined);
        } else {
          await finish(undefined, outcome);
        }
      } catch (err) {
        await finish(err);
      } finally {
        clearTimeout(timer);
      }
    })();
    active.set(row.id, {
      queue,
      id: row.id,
      abort,
      done: done.finally(() => active.delete(row.id)),
      fail: () => finish(new EdiBridgeError('INTERNAL', 'the worker stopped while the job was active', { queue })),
    });
    await Promise.race([done, expired.then(() => undefined)]);
  }

  async function loop(queue: QueueName): Promise<void> {
    const handler = handlers.get(queue);
    if (!handler) return;
    const { batchSize } = settings(queue);
    let failures = 0;
    while (!stopping) {
      let rows: ClaimedRow[];
      try {
        rows = (await db.query<ClaimedRow>(claim, [queue, batchSize])).rows;
        failures = 0;
        lastError = undefined;
      } catch (err) {
        if (err instanceof DbError && err.sqlState === SqlState.uniqueViolation) {
          // Another worker claimed a job of the same singleton key at the same moment.
          await sleep(pollMs, stopSignal.signal);
          continue;
        }
        failures++;
        const wait = Math.min(MAX_BACKOFF_MS, pollMs * 2 ** failures) * (0.75 + Math.random() / 2);
        lastError = { message: coerceError(err).message, at: new Date().toISOString() };
        log.warn({ err, queue, failures, retryInMs: Math.round(wait) }, 'cannot claim jobs, backing off');
        await sleep(wait, stopSignal.signal);
        continue;
      }
      if (rows.length === 0) {
        await sleep(pollMs, stopSignal.signal);
        continue;
      }
      await Promise.all(rows.map((row) => runJob(queue, handler, row)));
    }
  }

  const startLoop = (queue: QueueName): void => {
    loops.set(
      queue,
      loop(queue).catch((err) => log.error({ err, queue }, 'worker loop ended')),
    );
  };

  async function ensureQueues(): Promise<void> {
    for (const name of QUEUE_NAMES) {
      const s = settings(name);
      const queue = { name, policy: 'stately' as const, retryLimit: s.retryLimit, retryDelay: s.retryDelay, retryBackoff: s.retryBackoff, expireInSeconds: s.expireInSeconds };
      await withRetry(`create queue ${name}`, log, async () => {
        if (await boss.getQueue(name)) await boss.updateQueue(name, queue);
        else await boss.createQueue(name, queue);
      });
    }
  }

  return {
    boss,
    schema,
    async start() {
      if (started) return;
      if (stopping) throw new EdiBridgeError('INVALID_STATE', 'the job engine was stopped');
      // Installed first, each attempt by a new instance: a PgBoss whose start failed answers
      // every later start() as if it had started (its maintenance and cron never run).
      if (config.migrate) await withRetry('install the jobs schema', log, () => installJobSchema(db, schema), 5, isInstallRace);
      await withRetry('start pg-boss', log, () => boss.start());
      bossStarted = true;
      await ensureQueues();
      started = true;
      for (const queue of handlers.keys()) startLoop(queue);
      log.info({ schema, workers: [...handlers.keys()] }, 'job engine started');
    },

    async stop(stopOptions = {}) {
      if (stopping) return;
      stopping = true;
      stopSignal.abort();
      const graceful = stopOptions.graceful ?? true;
      const timeoutMs = stopOptions.timeoutMs ?? config.shutdownSeconds * 1000;
      if (graceful && active.size > 0) {
        log.info({ activeJobs: active.size, timeoutMs }, 'waiting for active jobs');
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((r) => {
          timer = setTimeout(r, timeoutMs);
        });
        await Promise.race([Promise.all([...active.values()].map((j) => j.done)), timeout]);
        clearTimeout(timer);
      }
      // Jobs still running: aborted and failed back to their queue, to be retried elsewhere.
      for (const job of [...active.values()]) {
        job.abort.abort(new EdiBridgeError('INTERNAL', 'the worker stopped', { queue: job.queue }));
        await job.fail();
      }
      if (active.size > 0) log.warn({ jobs: [...active.keys()] }, 'jobs failed back to their queue at stop');
      await Promise.race([Promise.all([...loops.values()]), new Promise((r) => setTimeout(r, 1000))]);
      if (bossStarted) {
        await boss.stop({ graceful: false, close: false, wait: true }).catch((err: unknown) => log.warn({ err }, 'pg-boss stop'));
      }
      started = false;
      log.info('job engine stopped');
    },

    async send(queue, data, sendOptions = {}) {
      const valid = validateJobData(queue, data);
      const opts: PgBoss.SendOptions = { singletonKey: singletonKey(queue, valid) };
      if (sendOptions.startAfter !== undefined) opts.startAfter = sendOptions.startAfter;
      if (sendOptions.priority !== undefined) opts.priority = sendOptions.priority;
      if (sendOptions.tx !== undefined) opts.db = bossDb(sendOptions.tx) as unknown as PgBoss.Db;
      return boss.send(queue, valid, opts);
    },

    async work(queue, handler) {
      if (handlers.has(queue)) throw new EdiBridgeError('INVALID_STATE', `the queue ${queue} already has a worker`, { queue });
      handlers.set(queue, handler as JobHandler<QueueName>);
      if (started && !stopping) startLoop(queue);
    },

    async schedule(queue, cron, data) {
      const valid = validateJobData(queue, data);
      await boss.schedule(queue, cron, valid, { tz: 'UTC', singletonKey: singletonKey(queue, valid) });
    },

    health() {
      return {
        started,
        stopping,
        workers: [...handlers.keys()],
        activeJobs: active.size,
        ...(lastError ? { lastError } : {}),
      };
    },
  };
}
