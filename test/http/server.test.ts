/** The HTTP adapter: probes and metrics, over an engine on in-memory PGlite. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { OTHER_LABEL, createMetrics, safeLabel } from '../../src/core/metrics.js';
import type { Db } from '../../src/db/db.js';
import { createPgliteDb } from '../../src/db/pglite.js';
import { createHttpServer, type HttpServer } from '../../src/http/server.js';
import { createEngine, type Engine } from '../../src/worker/engine.js';

const log = createLogger({ level: 'silent' });

describe('HTTP probes', () => {
  let db: Db;
  let engine: Engine;
  let http: HttpServer;
  let base: string;
  const metrics = createMetrics();

  beforeAll(async () => {
    db = await createPgliteDb();
    engine = createEngine({ db, log, metrics, config: { migrate: true, pollSeconds: 0.5, shutdownSeconds: 2 } });
    http = createHttpServer({
      log,
      metrics,
      readiness: {
        database: async () => void (await db.query('select 1')),
        engine: () => {
          const h = engine.health();
          return h.stopping ? { ready: false, reason: 'stopping' } : h.started ? { ready: true } : { ready: false, reason: 'not started' };
        },
      },
    });
    base = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await engine.stop({ graceful: false });
    await http.close();
    await db.close();
  });

  it('/healthz answers 200 while the process is up', async () => {
    const r = await fetch(`${base}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
  });

  it('/readyz: 503 before the engine starts, 200 after, 503 once the database is closed', async () => {
    let r = await fetch(`${base}/readyz`);
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ status: 'not ready', reason: 'job engine: not started' });
    await engine.start();
    r = await fetch(`${base}/readyz`);
    expect(r.status).toBe(200);
    await engine.stop({ graceful: false });
    await db.close();
    r = await fetch(`${base}/readyz`);
    expect(r.status).toBe(503);
    expect(((await r.json()) as { reason: string }).reason).toMatch(/^database: /);
  });

  it('answers 404 elsewhere and 405 for other methods', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('/metrics exposes every metric, with no PHI in any label', async () => {
    metrics.filePulled('acme');
    metrics.filePulled('John Smith');
    metrics.filePulled('123456789');
    metrics.setAcknowledged('834', 'A');
    metrics.setAcknowledged('834', 'Smith');
    metrics.setAcknowledged('123-45-6789', 'R');
    metrics.membersApplied(12);
    metrics.exceptionOpened('rejected-set');
    metrics.exceptionOpened('SSN 123-45-6789 mismatch');
    metrics.slaBreached();
    metrics.jobFinished('process-file', 0.2, false);
    metrics.jobFinished('process-file', 1.5, true);
    const r = await fetch(`${base}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await r.text();
    for (const name of [
      'edibridge_files_pulled_total', 'edibridge_sets_total', 'edibridge_members_applied_total', 'edibridge_exceptions_opened_total',
      'edibridge_sla_breaches_total', 'edibridge_job_duration_seconds', 'edibridge_job_failures_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('edibridge_files_pulled_total{partner="acme"} 1');
    expect(text).toContain(`edibridge_files_pulled_total{partner="${OTHER_LABEL}"} 2`);
    expect(text).toContain('edibridge_sets_total{transaction_set="834",verdict="A"} 1');
    expect(text).toContain('edibridge_members_applied_total 12');
    expect(text).toContain('edibridge_job_failures_total{queue="process-file"} 1');
    for (const phi of ['John', 'Smith', '123456789', '123-45-6789', 'SSN']) expect(text).not.toContain(phi);
    // Every label value in the output is one the patterns allow.
    for (const [, value] of text.matchAll(/[a-z_]+="([^"]*)"/g)) expect(value).toMatch(/^([a-z0-9_-]+|\d{3}|[A-Z]|[0-9.+Inf]+)$/);
  });

  it('safeLabel keeps ids and codes, and refuses names, SSNs, dates and free text', () => {
    expect(safeLabel('partner', 'acme')).toBe('acme');
    expect(safeLabel('partner', 'tpa_01')).toBe('tpa_01');
    expect(safeLabel('partner', '2026-01-01')).toBe(OTHER_LABEL);
    expect(safeLabel('partner', 'Jane Doe')).toBe(OTHER_LABEL);
    expect(safeLabel('category', 'dependent-age')).toBe('dependent-age');
    expect(safeLabel('transaction_set', '820')).toBe('820');
    expect(safeLabel('transaction_set', '82O')).toBe(OTHER_LABEL);
    expect(safeLabel('verdict', 'E')).toBe('E');
    expect(safeLabel('verdict', 'Doe')).toBe(OTHER_LABEL);
    expect(safeLabel('queue', 'deliver-acks')).toBe('deliver-acks');
  });
});
