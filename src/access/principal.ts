/**
 * Who is acting, and what they may see. Every HTTP request resolves its session to a
 * Principal once; services that read partner data take its Scope and filter in SQL.
 *
 * Scope: ops (the plan's organisation) see everything; a partner organisation sees the groups
 * granted to it, every group of the trading partners granted to it, and those partners'
 * files. No match, no access.
 */
import type { Db } from '../db/db.js';
import { EdiBridgeError, type ErrorContext } from '../core/errors.js';
import type { Role } from './roles.js';

export type Scope = { readonly all: true } | { readonly all: false; readonly groups: readonly string[]; readonly partners: readonly string[] };

export const EVERYTHING: Scope = { all: true };

export interface Principal {
  userId: string;
  login: string;
  displayName: string;
  role: Role;
  organisationId: string;
  organisationName: string;
  scope: Scope;
}

/** A refused access: not signed in, not allowed, sign-in refused, or a missing CSRF token. */
export class AccessError extends EdiBridgeError {
  constructor(code: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'SIGN_IN_REFUSED' | 'CSRF_INVALID', message: string, context: ErrorContext = {}) {
    super(code, message, context);
  }
}

/** The groups and partners an organisation may see. */
export async function organisationScope(db: Db, organisationId: string, kind: 'plan' | 'partner'): Promise<Scope> {
  if (kind === 'plan') return EVERYTHING;
  const { rows } = await db.query<{ groups: string[] | null; partners: string[] | null }>(
    `select (select array_agg(distinct g) from (
               select group_number as g from organisation_group where organisation_id = $1::bigint
               union select e.group_number from employer_group e join organisation_partner p on p.partner_id = e.partner_id
                 where p.organisation_id = $1::bigint) x) as groups,
            (select array_agg(partner_id order by partner_id) from organisation_partner where organisation_id = $1::bigint) as partners`,
    [organisationId],
  );
  return { all: false, groups: (rows[0]?.groups ?? []).sort(), partners: rows[0]?.partners ?? [] };
}

/** Whether the scope covers a group (an unknown or absent group is covered by ops only). */
export function seesGroup(scope: Scope, group: string | null | undefined): boolean {
  return scope.all || (group != null && scope.groups.includes(group));
}

/** Whether the scope covers a partner's files. */
export function seesPartner(scope: Scope, partner: string | null | undefined): boolean {
  return scope.all || (partner != null && scope.partners.includes(partner));
}

/** The scope as two SQL array parameters: null, null for everything. */
export function scopeParams(scope: Scope | undefined): [string[] | null, string[] | null] {
  if (!scope || scope.all) return [null, null];
  return [[...scope.groups], [...scope.partners]];
}

export function requireGroup(scope: Scope, group: string, what = 'group'): void {
  // The same answer as an unknown group: a partner learns nothing of others' groups.
  if (!seesGroup(scope, group)) throw new EdiBridgeError('NOT_FOUND', `no ${what} ${group}`, { group });
}
