/**
 * The service's HTTP adapter (node:http, no framework): probes and metrics only.
 *
 * - `GET /healthz`: the process is up (200).
 * - `GET /readyz`: the database answers (within 2 s) and the job engine is started and not
 *   stopping: 200; else 503 with the reason.
 * - `GET /metrics`: the metrics registry (src/core/metrics.ts) in Prometheus text format.
 *
 * Anything else is 404 (405 for another method on a known path). Answers are small JSON or
 * text bodies and never echo the request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { coerceError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';

export interface Readiness {
  /** Resolves when the database answers a trivial statement; rejects otherwise. */
  database(): Promise<void>;
  /** Whether the job engine is started and not stopping. */
  engine(): { ready: boolean; reason?: string };
}

export interface HttpServerOptions {
  log: Logger;
  metrics: Metrics;
  readiness: Readiness;
  /** Milliseconds /readyz waits for the database (default 2000). */
  databaseTimeoutMs?: number;
}

export interface HttpServer {
  /** Listens on `port` (0: a free one) and answers the port taken. */
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
  readonly server: Server;
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const json = (res: ServerResponse, status: number, value: unknown): void => send(res, status, `${JSON.stringify(value)}\n`);

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]);
}

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const log = options.log.child({ component: 'http' });
  const dbTimeout = options.databaseTimeoutMs ?? 2000;

  async function readyz(res: ServerResponse): Promise<void> {
    try {
      await withTimeout(options.readiness.database(), dbTimeout, 'the database');
    } catch (err) {
      json(res, 503, { status: 'not ready', reason: `database: ${coerceError(err).message}` });
      return;
    }
    const engine = options.readiness.engine();
    if (!engine.ready) {
      json(res, 503, { status: 'not ready', reason: `job engine: ${engine.reason ?? 'not started'}` });
      return;
    }
    json(res, 200, { status: 'ready' });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const routes: Record<string, () => Promise<void> | void> = {
      '/healthz': () => json(res, 200, { status: 'ok' }),
      '/readyz': () => readyz(res),
      '/metrics': async () => send(res, 200, await options.metrics.text(), options.metrics.contentType),
    };
    const route = path === undefined ? undefined : routes[path];
    if (!route) return json(res, 404, { error: 'not found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return json(res, 405, { error: 'method not allowed' });
    }
    await route();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err }, 'request failed');
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;

  return {
    server,
    listen: (port, host) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        // Probes hold keep-alive connections: end idle ones now, busy ones as they finish.
        server.closeIdleConnections();
      }),
  };
}
