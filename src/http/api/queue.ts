/** The exception queue: list, item, history, actions, bulk actions, report, and an item's PHI. */
import { z } from 'zod';
import { recordPhiView, Reason } from '../../access/audit.js';
import { seesGroup, seesPartner, type Principal } from '../../access/principal.js';
import { OPS_ROLES } from '../../access/roles.js';
import { EdiBridgeError } from '../../core/errors.js';
import type { Db } from '../../db/db.js';
import { AssignInput, CloseInput, SelectInput, assignExceptions, closeExceptions, commentException, isDueSoon, queueReport, queueReportCsv, selectItems } from '../../exceptions/actions.js';
import { EXCEPTION_CATEGORY_LIST, EXCEPTION_STATES, categoryTitle } from '../../exceptions/categories.js';
import { RerunInput, rerunException } from '../../exceptions/rerun.js';
import { segmentsAround } from '../../exceptions/segments.js';
import { ListExceptionsInput, listQueue } from '../../exceptions/service.js';
import { EXCEPTION_SORT_KEYS, exceptionHistory, getException, type ExceptionRecord } from '../../exceptions/store.js';
import { findFamilies } from '../../membership/member-view.js';
import { IdParam, Paging, QueryBool, page, route, type RouteDef } from '../routes.js';

/** The queue's filters as a query string. */
export const QueueQuery = z
  .object({
    state: z.enum(EXCEPTION_STATES).optional(),
    category: z.enum(EXCEPTION_CATEGORY_LIST).optional(),
    group: z.string().min(1).max(80).optional(),
    partner: z.string().min(1).max(80).optional(),
    overdue: QueryBool.optional(),
    sort: z.enum(EXCEPTION_SORT_KEYS).default('due'),
    desc: QueryBool.optional(),
    ...Paging,
  })
  .strict();
export type QueueQuery = z.infer<typeof QueueQuery>;

/** An item as the API shows it: no subscriber ID (PHI: see the item's PHI route). */
export function itemView(e: ExceptionRecord, now: Date): Record<string, unknown> {
  const { subscriberId: _phi, ...rest } = e;
  return { ...rest, title: categoryTitle(e.category), dueSoon: isDueSoon(e, now) };
}

export function visible(p: Principal, e: Pick<ExceptionRecord, 'groupNumber' | 'partner'>): boolean {
  return e.groupNumber !== null ? seesGroup(p.scope, e.groupNumber) : seesPartner(p.scope, e.partner);
}

/** The item, if the caller may see it; an item of another organisation reads as unknown. */
export async function visibleItem(db: Db, p: Principal, id: string, now: Date): Promise<ExceptionRecord> {
  const e = await getException(db, id, now);
  if (!e || !visible(p, e)) throw new EdiBridgeError('NOT_FOUND', `no exception ${id}`, { exception: id });
  return e;
}

export async function queuePage(db: Db, p: Principal, q: QueueQuery, now: Date) {
  const input = ListExceptionsInput.parse({
    ...(q.state ? { state: q.state } : {}),
    ...(q.category ? { category: q.category } : {}),
    ...(q.group ? { group: q.group } : {}),
    ...(q.partner ? { partner: q.partner } : {}),
    overdue: q.overdue ?? false,
    sort: q.sort,
    desc: q.desc ?? false,
    limit: q.limit,
    offset: q.offset,
  });
  const items = await listQueue(db, input, now, p.scope);
  return page(items.map((e) => itemView(e, now)), q.limit, q.offset);
}

/** What the PHI route shows: the member's family on file and the raw segments around the position. */
export async function itemPhi(ctx: { db: Db; app: { phi(): Promise<import('../../phi/protector.js').PhiProtector>; store(): import('../../transport/store/index.js').ObjectStore } }, e: ExceptionRecord, today: string) {
  const key = e.memberId ?? e.subscriberId;
  const families = key && e.groupNumber ? await findFamilies(ctx.db, await ctx.app.phi(), key, today, { groupNumber: e.groupNumber, historyLimit: 5 }) : [];
  let segments: Awaited<ReturnType<typeof segmentsAround>> = [];
  let segmentsNote: string | null = null;
  if (e.fileId && e.setControl && e.segmentPosition) {
    const { rows } = await ctx.db.query<{ archive_key: string | null }>('select archive_key from inbound_file where id = $1::bigint', [e.fileId]);
    const archiveKey = rows[0]?.archive_key;
    if (archiveKey) segments = await segmentsAround(ctx.app.store(), archiveKey, e.setControl, e.segmentPosition);
    else segmentsNote = 'the file was ingested from a local path and not archived: its segments are not kept';
  } else segmentsNote = 'the item names no segment';
  return { subscriberId: e.subscriberId, families, segments, segmentsNote };
}

const Owner = z.object({ owner: z.string().trim().min(1).max(100), note: z.string().trim().min(1).max(4000).optional() }).strict();
const Note = z.object({ note: z.string().trim().min(1).max(4000) }).strict();
const ReasonBody = z.object({ reason: z.string().trim().min(1).max(4000) }).strict();
const Bulk = z
  .object({
    action: z.enum(['assign', 'resolve', 'reject']),
    owner: z.string().trim().min(1).max(100).optional(),
    reason: z.string().trim().min(1).max(4000).optional(),
    ...SelectInput.shape,
  })
  .strict();

const ReportQuery = z.object({ format: z.enum(['json', 'csv']).default('json') }).strict();

export const queueRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/api/exceptions',
    access: 'signed-in',
    tag: 'queue',
    summary: 'List exceptions',
    query: QueueQuery,
    handler: ({ db, principal, query, now }) => queuePage(db, principal, query, now),
  }),
  route({
    method: 'GET',
    url: '/api/exceptions/report',
    access: OPS_ROLES,
    tag: 'queue',
    summary: 'Report the queue by age, partner and category',
    query: ReportQuery,
    async handler({ db, now, query, reply }) {
      const r = await queueReport(db, now);
      if (query.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="exceptions-report.csv"').send(queueReportCsv(r));
      return r;
    },
    produces: 'json',
  }),
  route({
    method: 'GET',
    url: '/api/exceptions/:id',
    access: 'signed-in',
    tag: 'queue',
    summary: 'Show an exception with its history',
    params: IdParam,
    async handler({ db, principal, params, now }) {
      const e = await visibleItem(db, principal, params.id, now);
      return { item: itemView(e, now), history: await exceptionHistory(db, e.id) };
    },
  }),
  route({
    method: 'GET',
    url: '/api/exceptions/:id/phi',
    access: OPS_ROLES,
    tag: 'queue',
    summary: "Show an exception's member data and raw segments (audited)",
    params: IdParam,
    query: z.object({ reason: Reason }).strict(),
    phi: true,
    async handler(ctx) {
      const e = await visibleItem(ctx.db, ctx.principal, ctx.params.id, ctx.now);
      await recordPhiView(ctx.db, ctx.principal, { action: 'exception-phi', subject: `exception ${e.id}`, reason: ctx.query.reason, client: ctx.request.ip }, ctx.now);
      return itemPhi(ctx, e, ctx.now.toISOString().slice(0, 10));
    },
  }),
  route({
    method: 'POST',
    url: '/api/exceptions/:id/assign',
    access: OPS_ROLES,
    tag: 'queue',
    summary: 'Assign an exception',
    params: IdParam,
    body: Owner,
    async handler({ db, principal, params, body }) {
      const [r] = await assignExceptions(db, AssignInput.parse({ ids: [params.id], owner: body.owner, actor: principal.login, ...(body.note ? { note: body.note } : {}) }));
      return outcome(r!);
    },
  }),
  route({
    method: 'POST',
    url: '/api/exceptions/:id/comment',
    access: OPS_ROLES,
    tag: 'queue',
    summary: 'Comment on an exception',
    params: IdParam,
    body: Note,
    handler: async ({ db, principal, params, body }) => ({ item: await commentException(db, { id: params.id, actor: principal.login, note: body.note }) }),
  }),
  ...(['resolve', 'reject'] as const).map((action) =>
    route({
      method: 'POST',
      url: `/api/exceptions/:id/${action}`,
      access: OPS_ROLES,
      tag: 'queue',
      summary: action === 'resolve' ? 'Resolve an exception with a reason' : 'Reject an exception with a reason',
      params: IdParam,
      body: ReasonBody,
      async handler({ db, principal, params, body }) {
        const [r] = await closeExceptions(db, CloseInput.parse({ ids: [params.id], actor: principal.login, reason: body.reason, outcome: action === 'resolve' ? 'resolved' : 'rejected' }));
        return outcome(r!);
      },
    }),
  ),
  route({
    method: 'POST',
    url: '/api/exceptions/:id/rerun',
    access: OPS_ROLES,
    tag: 'queue',
    summary: "Re-run an exception's held change through the rules (after the data was fixed)",
    params: IdParam,
    handler: ({ db, app, principal, params }) => rerunItem({ db, app }, params.id, principal.login),
  }),
  route({
    method: 'POST',
    url: '/api/exceptions/bulk',
    access: OPS_ROLES,
    tag: 'queue',
    summary: 'Assign, resolve or reject every open item that shares a cause',
    body: Bulk,
    async handler({ db, principal, body }) {
      const { action, owner, reason, ...select } = body;
      const ids = await selectItems(db, select);
      if (ids.length === 0) return { selected: 0, outcomes: [] };
      if (action === 'assign') {
        if (!owner) throw new EdiBridgeError('USAGE', 'owner: a bulk assign needs an owner');
        return { selected: ids.length, outcomes: await assignExceptions(db, AssignInput.parse({ ids, owner, actor: principal.login })) };
      }
      if (!reason) throw new EdiBridgeError('USAGE', `reason: a bulk ${action} needs a reason`);
      return { selected: ids.length, outcomes: await closeExceptions(db, CloseInput.parse({ ids, actor: principal.login, reason, outcome: action === 'resolve' ? 'resolved' : 'rejected' })) };
    },
  }),
];

/** One item's action answer: the item, or the refusal as an error. */
export function outcome(r: { ok: boolean; item?: ExceptionRecord; error?: { code: string; message: string } }): unknown {
  if (!r.ok) throw new EdiBridgeError(r.error?.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'INVALID_STATE', r.error?.message ?? 'refused');
  return { item: r.item };
}

/** Re-runs an item's held change; the answer says whether it applied or what still holds it. */
export async function rerunItem(ctx: { db: Db; app: { phi(): Promise<import('../../phi/protector.js').PhiProtector>; store(): import('../../transport/store/index.js').ObjectStore; now(): Date } }, id: string, actor: string) {
  const r = await rerunException({ db: ctx.db, store: ctx.app.store(), phi: await ctx.app.phi(), now: () => ctx.app.now() }, RerunInput.parse({ id, actor }));
  return { outcome: r.outcome, counts: r.counts, reason: r.reason ?? null, hold: r.hold ?? null, item: itemView(r.item, ctx.app.now()) };
}
