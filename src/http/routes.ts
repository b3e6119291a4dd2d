/**
 * The route table: every API route and console page declares its method, path, the roles
 * that may call it, and zod schemas for its params, query and body. One registrar turns the
 * table into fastify routes (session, role, CSRF and input checks first, in that order), the
 * OpenAPI document is made from the same table, and the API tests walk it as every role.
 *
 * Handlers are thin: parse (done here), call a service, shape the answer.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import '@fastify/cookie';
import { z, type ZodType } from 'zod';
import { AccessError, type Principal } from '../access/principal.js';
import type { Role } from '../access/roles.js';
import { checkCsrf, resolveSession, type Session } from '../access/sessions.js';
import type { AppContext } from '../app/context.js';
import { EdiBridgeError, coerceError, type ErrorCode } from '../core/errors.js';
import type { Db } from '../db/db.js';
import type { Logger } from '../core/logger.js';

export const SESSION_COOKIE = 'edibridge_session';

/** Who may call a route: anyone, any signed-in user, or the roles listed. */
export type Access = 'public' | 'signed-in' | readonly Role[];

export interface RouteContext<P, Q, B> {
  app: AppContext;
  db: Db;
  now: Date;
  params: P;
  query: Q;
  body: B;
  /** The caller, on routes that are not public. */
  principal: Principal;
  session: Session;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteDef<P = unknown, Q = unknown, B = unknown> {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  access: Access;
  summary: string;
  tag: string;
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  /** What the answer is (for the OpenAPI document): JSON by default. */
  produces?: 'json' | 'csv' | 'html';
  /** Whether the route shows PHI (each call is audited by its handler). */
  phi?: boolean;
  /** A console page (HTML) rather than an API route: errors render as a page, not JSON. */
  page?: boolean;
  handler(ctx: RouteContext<P, Q, B>): Promise<unknown>;
}

/** Declares a route with its types inferred from its schemas. */
export function route<P = Record<string, never>, Q = Record<string, never>, B = Record<string, never>>(def: RouteDef<P, Q, B>): RouteDef {
  return def as unknown as RouteDef;
}

/** HTTP status of each error code. */
export function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'USAGE':
    case 'CONFIG_INVALID':
    case 'GUIDE_INVALID':
    case 'FILE_UNREADABLE':
      return 400;
    case 'UNAUTHENTICATED':
    case 'SIGN_IN_REFUSED':
      return 401;
    case 'FORBIDDEN':
    case 'CSRF_INVALID':
      return 403;
    case 'NOT_FOUND':
    case 'GUIDE_NOT_FOUND':
      return 404;
    case 'INVALID_STATE':
      return 409;
    case 'STORE_UNAVAILABLE':
    case 'SFTP_UNAVAILABLE':
      return 503;
    default:
      return 500;
  }
}

export interface ApiError {
  error: { code: ErrorCode; message: string; issues?: Array<{ path: string; message: string }> };
}

export function errorBody(err: unknown): { status: number; body: ApiError } {
  if (err instanceof z.ZodError) {
    const issues = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    return { status: 400, body: { error: { code: 'USAGE', message: issues.map((i) => `${i.path || 'input'}: ${i.message}`).join('; '), issues } } };
  }
  const e = err instanceof EdiBridgeError ? err : coerceError(err);
  const status = statusOf(e.code);
  // An internal error's message may hold anything: the client gets the code only.
  return { status, body: { error: { code: e.code, message: status >= 500 ? 'internal error' : e.message } } };
}

/** A form's empty fields mean "not given" (a filter left blank), not an empty value. */
function withoutBlanks(query: unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries((query as Record<string, unknown>) ?? {}).filter(([, v]) => v !== ''));
}

const UNSAFE = new Set(['POST', 'DELETE', 'PUT', 'PATCH']);

/** The session the request's cookie names, resolved once per request. */
async function sessionOf(app: AppContext, request: FastifyRequest): Promise<Session | undefined> {
  const token = request.cookies[SESSION_COOKIE];
  if (!token) return undefined;
  return resolveSession(await app.db(), token, app.now());
}

export interface RegisterOptions {
  /** Where failures are logged (their code and route, never the URL or the body). */
  log: Logger;
  /** How a console page answers a refusal (redirect to sign-in, an error page). */
  pageError?(err: unknown, request: FastifyRequest, reply: FastifyReply, session: Session | undefined): Promise<unknown> | unknown;
  /** Metrics: the route pattern, method and status of each answer. */
  observe?(method: string, url: string, status: number, seconds: number): void;
}

export function registerRoutes(fastify: FastifyInstance, app: AppContext, routes: readonly RouteDef[], options: RegisterOptions): void {
  for (const def of routes) {
    fastify.route({
      method: def.method,
      url: def.url,
      handler: async (request, reply) => {
        const started = process.hrtime.bigint();
        let session: Session | undefined;
        try {
          if (def.access !== 'public') {
            session = await sessionOf(app, request);
            if (!session) throw new AccessError('UNAUTHENTICATED', 'sign in first');
            if (session.passwordExpired && !def.url.startsWith('/api/session') && !def.url.startsWith('/password') && def.url !== '/sign-out') {
              throw new AccessError('FORBIDDEN', 'your password has expired: change it first');
            }
            if (Array.isArray(def.access) && !def.access.includes(session.principal.role)) {
              throw new AccessError('FORBIDDEN', `a ${session.principal.role} may not ${def.summary.toLowerCase()}`);
            }
            if (UNSAFE.has(def.method)) {
              const given = request.headers['x-csrf-token'];
              const fromForm = (request.body as Record<string, unknown> | undefined)?.['_csrf'];
              checkCsrf(session, typeof given === 'string' ? given : typeof fromForm === 'string' ? fromForm : undefined);
            }
          }
          const rawBody = { ...((request.body as Record<string, unknown> | null) ?? {}) };
          delete rawBody['_csrf'];
          const ctx: RouteContext<unknown, unknown, unknown> = {
            app,
            db: await app.db(),
            now: app.now(),
            params: def.params ? def.params.parse(request.params) : {},
            query: def.query ? def.query.parse(withoutBlanks(request.query)) : {},
            body: def.body ? def.body.parse(rawBody) : {},
            principal: session?.principal as Principal,
            session: session as Session,
            request,
            reply,
          };
          const answer = await def.handler(ctx);
          if (reply.sent) return reply;
          if (answer === undefined) return reply.code(204).send();
          return reply.send(answer);
        } catch (err) {
          if (def.page && options.pageError) return options.pageError(err, request, reply, session);
          const { status, body } = errorBody(err);
          if (status >= 500) options.log.error({ err: coerceError(err), route: def.url }, 'request failed');
          return reply.code(status).header('cache-control', 'no-store').send(body);
        } finally {
          options.observe?.(def.method, def.url, reply.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
        }
      },
    });
  }
}

/** A paged list: the items, and where the next page starts when there may be one. */
export interface Page<T> {
  items: T[];
  limit: number;
  offset: number;
  next: number | null;
}

export function page<T>(items: T[], limit: number, offset: number): Page<T> {
  return { items, limit, offset, next: items.length === limit ? offset + limit : null };
}

export const Paging = { limit: z.coerce.number().int().min(1).max(1000).default(100), offset: z.coerce.number().int().min(0).max(1_000_000).default(0) };
export const IdParam = z.object({ id: z.string().regex(/^[1-9][0-9]{0,18}$/, 'must be a numeric id') }).strict();
/** Query-string booleans: "true"/"1" and "false"/"0". */
export const QueryBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
