/** The employer portal's API: its groups, census, member verification and ID cards. */
import { z } from 'zod';
import { recordPhiView, Reason } from '../../access/audit.js';
import { requireGroup, scopeParams } from '../../access/principal.js';
import { PARTNER_ROLES } from '../../access/roles.js';
import { EdiBridgeError } from '../../core/errors.js';
import { censusOf } from '../../membership/service.js';
import { ReplacementInput, VerifyInput, censusCsv, requestReplacementCard, verifyMembers } from '../../membership/portal.js';
import { route, type RouteDef } from '../routes.js';

const GroupParam = z.object({ group: z.string().trim().min(1).max(50) }).strict();
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');

export const portalRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/api/groups',
    access: 'signed-in',
    tag: 'portal',
    summary: 'List the groups you may see',
    async handler({ db, principal }) {
      const { rows } = await db.query<{ groupNumber: string; name: string; partnerId: string }>(
        `select group_number as "groupNumber", name, partner_id as "partnerId" from employer_group
          where $1::text[] is null or group_number = any($1) order by group_number limit 1000`,
        [scopeParams(principal.scope)[0]],
      );
      return { items: rows };
    },
  }),
  route({
    method: 'GET',
    url: '/api/groups/:group/census',
    access: 'signed-in',
    tag: 'portal',
    summary: "Show a group's enrollment totals by family composition",
    params: GroupParam,
    query: z.object({ on: Day.optional(), format: z.enum(['json', 'csv']).default('json') }).strict(),
    async handler({ db, principal, params, query, now, reply }) {
      requireGroup(principal.scope, params.group);
      const c = await censusOf(db, { groupNumber: params.group, on: query.on ?? now.toISOString().slice(0, 10) });
      if (!c) throw new EdiBridgeError('NOT_FOUND', `no group ${params.group}`);
      if (query.format === 'csv') {
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="census-${params.group}-${c.on}.csv"`).send(censusCsv(c));
      }
      return c;
    },
  }),
  route({
    method: 'GET',
    url: '/api/members/verify',
    access: 'signed-in',
    tag: 'portal',
    summary: 'Verify an employee or dependent by name or member ID (audited)',
    query: VerifyInput.extend({ reason: Reason }).strict(),
    phi: true,
    async handler({ db, principal, query, now, request }) {
      if (query.group) requireGroup(principal.scope, query.group);
      const { reason, ...input } = query;
      const items = await verifyMembers(db, scopeParams(principal.scope)[0], input, now.toISOString().slice(0, 10));
      await recordPhiView(db, principal, { action: 'member-verify', subject: `${items.length} member(s)${items.length ? `: ${items.slice(0, 5).map((m) => m.memberId).join(' ')}` : ''}`, reason, client: request.ip }, now);
      return { items };
    },
  }),
  route({
    method: 'POST',
    url: '/api/id-cards/replacements',
    access: PARTNER_ROLES,
    tag: 'portal',
    summary: 'Ask for a replacement ID card',
    body: ReplacementInput,
    handler: ({ db, principal, body, now }) => requestReplacementCard(db, scopeParams(principal.scope)[0], principal.userId, body, now),
  }),
];
