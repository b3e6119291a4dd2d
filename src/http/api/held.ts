/** Large full files held for a person: list, preview, release, reject (ops). */
import { z } from 'zod';
import { OPS_ROLES } from '../../access/roles.js';
import { HELD_FILE_STATES, getHeldFile, listHeldFiles, rejectHeldFile, releaseHeldFile } from '../../enrollment/held-files.js';
import type { AppContext } from '../../app/context.js';
import type { Db } from '../../db/db.js';
import { IdParam, Paging, page, route, type RouteDef } from '../routes.js';

const Note = z.string().trim().min(1).max(4000);

/** Releases a held file: its set applied from the archive through the rules, the decision recorded. */
export async function releaseHeld(db: Db, app: AppContext, id: string, actor: string, note?: string) {
  return releaseHeldFile({ db, store: app.store(), phi: await app.phi(), now: () => app.now(), log: app.log }, { id, actor, ...(note ? { note } : {}) });
}

export const heldRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/api/held-files',
    access: OPS_ROLES,
    tag: 'held-files',
    summary: 'List full files held for a person',
    query: z.object({ state: z.enum(HELD_FILE_STATES).optional(), group: z.string().trim().min(1).max(50).optional(), ...Paging }).strict(),
    handler: async ({ db, query }) => page(await listHeldFiles(db, query), query.limit, query.offset),
  }),
  route({
    method: 'GET',
    url: '/api/held-files/:id',
    access: OPS_ROLES,
    tag: 'held-files',
    summary: 'Show what a held full file would change',
    params: IdParam,
    handler: ({ db, params }) => getHeldFile(db, params.id),
  }),
  route({
    method: 'POST',
    url: '/api/held-files/:id/release',
    access: OPS_ROLES,
    tag: 'held-files',
    summary: 'Release a held full file: apply it',
    params: IdParam,
    body: z.object({ note: Note.optional() }).strict(),
    handler: ({ db, app, principal, params, body }) => releaseHeld(db, app, params.id, principal.login, body.note),
  }),
  route({
    method: 'POST',
    url: '/api/held-files/:id/reject',
    access: OPS_ROLES,
    tag: 'held-files',
    summary: 'Reject a held full file: apply nothing',
    params: IdParam,
    body: z.object({ note: Note }).strict(),
    handler: ({ db, principal, params, body }) => rejectHeldFile(db, { id: params.id, actor: principal.login, note: body.note }),
  }),
];
