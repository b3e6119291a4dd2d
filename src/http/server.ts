/**
 * The service's HTTP adapter (fastify): probes and metrics, and, given the application
 * context, the API under /api, its OpenAPI document, the ops console and the employer portal.
 *
 * - `GET /healthz`: the process is up (200).
 * - `GET /readyz`: the database answers (within 2 s) and the job engine is started and not
 *   stopping: 200; else 503 with the reason.
 * - `GET /metrics`: the metrics registry (src/core/metrics.ts) in Prometheus text format.
 *
 * Requests are not logged by fastify: a URL may carry a name being looked up. Each answer is
 * counted by route pattern, method and status instead, and a failure logged with its code.
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppContext } from '../app/context.js';
import { coerceError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import { mountWeb } from './web.js';

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
  /** The application: with it, the API, the console and the portal are served too. */
  app?: AppContext;
}

export interface HttpServer {
  /** Listens on `port` (0: a free one) and answers the port taken. */
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
  readonly server: Server;
  readonly fastify: FastifyInstance;
}

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
  // No fastify logger: it would log each request's URL; failures are logged by the handlers.
  const fastify = Fastify({ logger: false, trustProxy: false, bodyLimit: 1024 * 1024, keepAliveTimeout: 5000 });
  void fastify.register(cookie);
  void fastify.register(formbody);
  fastify.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
  fastify.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'not found' } }));
  fastify.setErrorHandler((err, _req, reply) => {
    const e = err as { statusCode?: number; message?: string };
    if (e.statusCode && e.statusCode < 500) return reply.code(e.statusCode).send({ error: { code: 'USAGE', message: e.message ?? 'bad request' } });
    log.error({ err: coerceError(err) }, 'request failed');
    return reply.code(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
  });

  fastify.get('/healthz', async () => ({ status: 'ok' }));
  fastify.get('/readyz', async (_req, reply) => {
    try {
      await withTimeout(options.readiness.database(), dbTimeout, 'the database');
    } catch (err) {
      return reply.code(503).send({ status: 'not ready', reason: `database: ${coerceError(err).message}` });
    }
    const engine = options.readiness.engine();
    if (!engine.ready) return reply.code(503).send({ status: 'not ready', reason: `job engine: ${engine.reason ?? 'not started'}` });
    return { status: 'ready' };
  });
  fastify.get('/metrics', async (_req, reply) => reply.type(options.metrics.contentType).send(await options.metrics.text()));
  fastify.route({
    method: ['POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/:probe(^healthz|readyz|metrics$)',
    handler: async (_req, reply) => reply.code(405).header('allow', 'GET, HEAD').send({ error: { code: 'USAGE', message: 'method not allowed' } }),
  });
  if (options.app) void fastify.register(async (scope) => mountWeb(scope, options.app!, options.metrics, log));

  return {
    fastify,
    get server() {
      return fastify.server;
    },
    listen: async (port, host) => {
      await fastify.listen({ port, host: host ?? '0.0.0.0' });
      return (fastify.server.address() as AddressInfo).port;
    },
    close: async () => {
      // Probes hold keep-alive connections: end idle ones now, busy ones as they finish.
      fastify.server.closeIdleConnections?.();
      await fastify.close();
    },
  };
}
