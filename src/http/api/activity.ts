/** The dashboard, files and partners. */
import { z } from 'zod';
import { OPS_ROLES } from '../../access/roles.js';
import { queueReport } from '../../exceptions/actions.js';
import { dailyActivity } from '../../ingest/activity.js';
import { FILE_STATUSES, ListFilesInput, fileDetail, listFiles } from '../../mailbox/files.js';
import { partnerStatuses } from '../../mailbox/partner-status.js';
import { scopeParams } from '../../access/principal.js';
import { IdParam, Paging, QueryBool, page, route, type RouteDef } from '../routes.js';

export const FilesQuery = z
  .object({ partner: z.string().min(1).max(80).optional(), status: z.enum(FILE_STATUSES).optional(), undelivered: QueryBool.optional(), ...Paging })
  .strict();

export const activityRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/api/dashboard',
    access: OPS_ROLES,
    tag: 'dashboard',
    summary: 'Show the queue counts and the last 30 days of files and sets',
    async handler({ db, now }) {
      const r = await queueReport(db, now);
      return { at: now, open: r.open, dueSoon: r.dueSoon, overdue: r.overdue, byAge: r.byAge, byCategory: r.byCategory, byPartner: r.byPartner, days: await dailyActivity(db, now) };
    },
  }),
  route({
    method: 'GET',
    url: '/api/files',
    access: 'signed-in',
    tag: 'files',
    summary: 'List files with their acknowledgements',
    query: FilesQuery,
    async handler({ db, principal, query }) {
      const input = ListFilesInput.parse({ ...query, undelivered: query.undelivered ?? false });
      return page(await listFiles(db, input, scopeParams(principal.scope)[1]), query.limit, query.offset);
    },
  }),
  route({
    method: 'GET',
    url: '/api/files/:id',
    access: 'signed-in',
    tag: 'files',
    summary: 'Show a file with its sets, acknowledgements and what it applied',
    params: IdParam,
    handler: ({ db, principal, params }) => fileDetail(db, params.id, scopeParams(principal.scope)[1]),
  }),
  route({
    method: 'GET',
    url: '/api/partners',
    access: OPS_ROLES,
    tag: 'partners',
    summary: 'List partners with their last pull and last error',
    handler: async ({ db }) => ({ items: await partnerStatuses(db) }),
  }),
];
