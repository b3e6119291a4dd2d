/**
 * The OpenAPI 3.1 document, made from the route table and its zod schemas: what a client can
 * call, with which input, as whom. Served at /api/openapi.json.
 */
import { z, type ZodType } from 'zod';
import { ERROR_CODES_DOC } from './error-codes.js';
import type { RouteDef } from './routes.js';

function schemaOf(t: ZodType): Record<string, unknown> {
  const { $schema: _s, ...rest } = z.toJSONSchema(t, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function parameters(t: ZodType | undefined, where: 'path' | 'query'): unknown[] {
  if (!t) return [];
  const s = schemaOf(t) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, schema]) => ({ name, in: where, required: where === 'path' || (s.required ?? []).includes(name), schema }));
}

export function openApiDocument(routes: readonly RouteDef[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    if (r.page || !r.url.startsWith('/api/')) continue;
    const path = r.url.replace(/:([a-zA-Z]+)/g, '{$1}');
    const who = r.access === 'public' ? 'anyone' : r.access === 'signed-in' ? 'any signed-in user' : r.access.join(', ');
    const content = r.produces === 'csv' ? 'text/csv' : 'application/json';
    (paths[path] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
      description: `Who may call it: ${who}.${r.phi ? ' Shows PHI: each call is written to the audit log with its reason.' : ''}${r.method !== 'GET' && r.access !== 'public' ? ' Needs the session\'s CSRF token in the x-csrf-token header.' : ''}`,
      tags: [r.tag],
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(r.body) } } } } : {}),
      ...(r.access === 'public' ? { security: [] } : {}),
      responses: {
        '200': { description: 'OK', content: { [content]: {} } },
        '400': { $ref: '#/components/responses/Error' },
        ...(r.access === 'public' ? {} : { '401': { $ref: '#/components/responses/Error' }, '403': { $ref: '#/components/responses/Error' } }),
        '404': { $ref: '#/components/responses/Error' },
        '409': { $ref: '#/components/responses/Error' },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'edibridge API', version, description: `Every service the console and the employer portal use. Errors: {"error": {"code", "message"}} with a stable code: ${ERROR_CODES_DOC}` },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'edibridge_session' } },
      responses: {
        Error: {
          description: 'A refusal with its stable code',
          content: { 'application/json': { schema: { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } } } } },
        },
      },
    },
    security: [{ session: [] }],
    paths,
  };
}
