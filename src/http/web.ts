/**
 * The API, its OpenAPI document, the ops console and the employer portal, mounted on the
 * service's fastify instance. Every route is in one table (see routes.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app/context.js';
import { coerceError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import { activityRoutes } from './api/activity.js';
import { billingRoutes } from './api/billing.js';
import { heldRoutes } from './api/held.js';
import { portalRoutes } from './api/portal.js';
import { queueRoutes } from './api/queue.js';
import { sessionRoutes } from './api/session.js';
import { userRoutes } from './api/users.js';
import { accountPages } from './console/account.js';
import { sendPage } from './console/forms.js';
import { html } from './console/html.js';
import { page } from './console/layout.js';
import { heldPages } from './console/held.js';
import { opsPages } from './console/ops.js';
import { portalPages } from './console/portal.js';
import { openApiDocument } from './openapi.js';
import { errorBody, registerRoutes, route, type RouteDef } from './routes.js';
import type { Session } from '../access/sessions.js';

export const API_ROUTES: RouteDef[] = [...sessionRoutes, ...queueRoutes, ...activityRoutes, ...billingRoutes, ...heldRoutes, ...portalRoutes, ...userRoutes];
export const CONSOLE_PAGES: RouteDef[] = [...accountPages, ...opsPages, ...heldPages, ...portalPages];

const VERSION = '0.1.0';

export const openApiRoute: RouteDef = route({
  method: 'GET',
  url: '/api/openapi.json',
  access: 'public',
  tag: 'meta',
  summary: 'The OpenAPI document',
  handler: async (): Promise<unknown> => openApiDocument([...API_ROUTES, openApiRoute], VERSION),
});

/** Every route the web adapter serves (the API tests walk this list). */
export const ALL_ROUTES: RouteDef[] = [...API_ROUTES, openApiRoute, ...CONSOLE_PAGES];

function pageError(log: Logger, err: unknown, request: FastifyRequest, reply: FastifyReply, session: Session | undefined): FastifyReply {
  const { status, body } = errorBody(err);
  if (body.error.code === 'UNAUTHENTICATED') return reply.redirect(`/sign-in?error=${encodeURIComponent('Sign in to continue.')}`, 303);
  if (session?.passwordExpired && body.error.code === 'FORBIDDEN') return reply.redirect('/password', 303);
  if (status >= 500) log.error({ err: coerceError(err), route: request.routeOptions.url }, 'page failed');
  const principal = session?.principal;
  return sendPage(
    reply,
    page(
      { title: status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : 'Something went wrong', ...(principal ? { principal, csrf: session.csrfToken } : {}), error: body.error.message },
      html`<p><a href="/">Back to your start page</a></p>`,
    ),
    status,
  );
}

export async function mountWeb(fastify: FastifyInstance, app: AppContext, metrics: Metrics, log: Logger): Promise<void> {
  registerRoutes(fastify, app, ALL_ROUTES, {
    log,
    pageError: (err, request, reply, session) => pageError(log, err, request, reply, session),
    observe: (method, url, status, seconds) => metrics.httpAnswered(method, url, status, seconds),
  });
}
