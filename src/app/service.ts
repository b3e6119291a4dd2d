/**
 * The running service, as `edibridge serve` and `edibridge demo` start it: the job engine with
 * a worker per queue, each partner's pull schedule (fired once across replicas), the SLA
 * clock on the exception queue, and the HTTP listener (/healthz, /readyz, /metrics).
 *
 * `stop()` stops the schedules (nothing new is sent), then the engine (no new claims; active
 * jobs get the shutdown time, then are failed back to their queue), then the listener.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { metrics as processMetrics, type Metrics } from '../core/metrics.js';
import { coerceError } from '../core/errors.js';
import { createHttpServer, type HttpServer } from '../http/server.js';
import { partnerPullTasks, startScheduledTasks, type Schedules } from '../mailbox/schedule.js';
import { runBilling } from '../billing/scheduled.js';
import type { PartnerConnection } from '../transport/partners.js';
import { createEngine, engineConfig, jobsSchemaFor, type Engine, type EngineConfig, type JobHandler, type JobHandlers } from '../worker/engine.js';
import { QUEUE_NAMES, type QueueName } from '../worker/queues.js';
import type { AppContext } from './context.js';
import { jobHandlers, type JobHandlerOptions } from './jobs.js';

/** The daily billing run: 05:00 in the service's time zone. */
const BILLING_CRON = '0 5 * * *';

export interface ServiceOptions {
  /** HTTP port (0: a free one). */
  port: number;
  metrics?: Metrics;
  /** Job handlers instead of src/app/jobs.ts's (tests). */
  jobs?: (app: AppContext, engine: Engine) => JobHandlers;
  /** Engine settings over the configuration's (tests). */
  engine?: Partial<EngineConfig>;
  /** Run the partners' pull schedules (default true). */
  schedules?: boolean;
  jobOptions?: JobHandlerOptions;
  /** Seconds between SLA checks of the exception queue (default 60). */
  slaCheckSeconds?: number;
  /** Serve the API, the console and the portal beside the probes (default true). */
  web?: boolean;
}

export interface RunningService {
  readonly engine: Engine;
  readonly port: number;
  readonly replica: string;
  /** Sends a pull (and a delivery) for the partner now, as its schedule would. */
  pullNow(partner: PartnerConnection): Promise<void>;
  stop(): Promise<void>;
}

export async function startService(app: AppContext, options: ServiceOptions): Promise<RunningService> {
  const log = app.log;
  const metrics = options.metrics ?? processMetrics;
  const db = await app.db();
  const partners = await app.partners();
  const replica = `${hostname()}/${randomUUID().slice(0, 8)}`;
  const engine = createEngine({ db, log, config: { schema: await jobsSchemaFor(db), ...engineConfig(app.config), ...options.engine }, metrics });
  const handlers = options.jobs ? options.jobs(app, engine) : jobHandlers(app, engine, { metrics, ...options.jobOptions });
  for (const queue of QUEUE_NAMES) {
    const handler = handlers[queue] as JobHandler<QueueName> | undefined;
    if (handler) await engine.work(queue, handler);
  }
  const http: HttpServer = createHttpServer({
    log,
    metrics,
    ...(options.web === false ? {} : { app }),
    readiness: {
      database: async () => {
        await db.query('select 1');
      },
      engine: () => {
        const h = engine.health();
        return h.stopping ? { ready: false, reason: 'stopping' } : h.started ? { ready: true } : { ready: false, reason: 'not started' };
      },
    },
  });
  const pullNow = async (partner: PartnerConnection): Promise<void> => {
    await engine.send('pull-partner', { partnerId: partner.id });
    await engine.send('deliver-acks', { partnerId: partner.id });
  };
  let schedules: Schedules | undefined;
  let slaTimer: NodeJS.Timeout | undefined;
  try {
    await engine.start();
    if (options.schedules !== false) {
      const pulls = partnerPullTasks(partners, async (partner, slot) => {
        log.info({ partner: partner.id, slot: slot.toISOString() }, 'scheduled pull');
        await pullNow(partner);
      });
      const billing = {
        name: 'billing',
        cron: BILLING_CRON,
        run: async (slot: Date) => {
          const r = await runBilling(db, slot.toISOString().slice(0, 10));
          log.info({ billed: r.billed.map((b) => ({ group: b.group, invoice: b.invoiceNumber })), pastDue: r.pastDue }, 'billing run');
        },
      };
      schedules = startScheduledTasks({ db, log, replica }, [...pulls, billing]);
    }
    const slaCheck = slaClock(app, metrics);
    await slaCheck().catch(() => undefined);
    slaTimer = setInterval(() => void slaCheck().catch((err: unknown) => log.warn({ err: coerceError(err) }, 'SLA check failed')), (options.slaCheckSeconds ?? 60) * 1000);
    slaTimer.unref();
    const port = await http.listen(options.port);
    log.info({ port, database: db.kind, replica, partners: partners.map((p) => p.id) }, `listening on port ${port}`);
    return {
      engine,
      port,
      replica,
      pullNow,
      async stop() {
        clearInterval(slaTimer);
        await schedules?.stop();
        await engine.stop({ graceful: true, timeoutMs: app.config.service.shutdownSeconds * 1000 });
        await http.close();
      },
    };
  } catch (err) {
    clearInterval(slaTimer);
    await schedules?.stop().catch(() => undefined);
    await engine.stop({ graceful: false }).catch(() => undefined);
    await http.close().catch(() => undefined);
    throw err;
  }
}

/**
 * The exception queue's SLA clock: the number of items now overdue (a gauge), and each item
 * that became overdue since the last look counted once as a breach.
 */
function slaClock(app: AppContext, metrics: Metrics): () => Promise<void> {
  let last: Date | undefined;
  return async () => {
    const db = await app.db();
    const now = app.now();
    const { rows } = await db.query<{ overdue: number; breached: number }>(
      `select count(*)::integer as overdue,
              count(*) filter (where $2::timestamptz is not null and due_at >= $2::timestamptz)::integer as breached
         from exception where state in ('open', 'in_progress') and due_at < $1`,
      [now.toISOString(), last?.toISOString() ?? null],
    );
    const r = rows[0];
    if (r) {
      metrics.setOverdue(r.overdue);
      if (r.breached) metrics.slaBreached(r.breached);
    }
    last = now;
  };
}
