/** Users (administrators) and the PHI audit log (ops admins). */
import { z } from 'zod';
import { AuditQuery, auditCsv, listAudit } from '../../access/audit.js';
import { ADMIN_ROLES } from '../../access/roles.js';
import { Login, NewUserInput, createUser, disableUser, listUsers, resetUser, type UserRecord } from '../../access/users.js';
import { route, type RouteDef } from '../routes.js';

const LoginParam = z.object({ login: Login }).strict();

/** A user as the API shows it (never the hash). */
export function userView(u: UserRecord): Record<string, unknown> {
  return {
    login: u.login,
    displayName: u.displayName,
    role: u.role,
    organisation: u.organisationName,
    locked: u.lockedAt !== null,
    disabled: u.disabledAt !== null,
    disabledReason: u.disabledReason,
    lastLoginAt: u.lastLoginAt,
    passwordChangedAt: u.passwordChangedAt,
    mustChangePassword: u.mustChangePassword,
  };
}

export const userRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/api/users',
    access: ADMIN_ROLES,
    tag: 'users',
    summary: 'List the users you manage',
    handler: async ({ db, principal }) => ({ items: (await listUsers(db, principal)).map(userView) }),
  }),
  route({
    method: 'POST',
    url: '/api/users',
    access: ADMIN_ROLES,
    tag: 'users',
    summary: 'Add a user (the answer carries its first password once)',
    body: NewUserInput.omit({ password: true }),
    async handler({ db, principal, body, now, reply }) {
      const { user, password } = await createUser(db, body, now, principal);
      reply.code(201);
      return { user: userView(user), password };
    },
  }),
  route({
    method: 'POST',
    url: '/api/users/:login/disable',
    access: ADMIN_ROLES,
    tag: 'users',
    summary: 'Disable a user',
    params: LoginParam,
    body: z.object({ reason: z.string().trim().min(1).max(200) }).strict(),
    handler: async ({ db, principal, params, body, now }) => ({ user: userView(await disableUser(db, params.login, body.reason, now, principal)) }),
  }),
  route({
    method: 'POST',
    url: '/api/users/:login/reset',
    access: ADMIN_ROLES,
    tag: 'users',
    summary: "Reset a user's password, unlock and re-enable it",
    params: LoginParam,
    async handler({ db, principal, params, now }) {
      const { user, password } = await resetUser(db, params.login, now, principal);
      return { user: userView(user), password };
    },
  }),
  route({
    method: 'GET',
    url: '/api/audit',
    access: ['ops-admin'],
    tag: 'audit',
    summary: 'Read or export the audit of PHI views',
    query: AuditQuery.extend({ format: z.enum(['json', 'csv']).default('json') }).strict(),
    async handler({ db, query, reply }) {
      const { format, ...q } = query;
      const rows = await listAudit(db, q);
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="phi-audit.csv"').send(auditCsv(rows));
      return { items: rows, limit: q.limit, offset: q.offset, next: rows.length === q.limit ? q.offset + q.limit : null };
    },
  }),
];
