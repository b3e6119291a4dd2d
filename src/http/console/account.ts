/** Sign-in, sign-out, password change, users and the audit log, as pages. */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../access/principal.js';
import type { Db } from '../../db/db.js';
import { AuditQuery, listAudit } from '../../access/audit.js';
import { ACCESS_POLICY } from '../../access/policy.js';
import { isOpsRole, ADMIN_ROLES, ROLES } from '../../access/roles.js';
import { endSession, startSession } from '../../access/sessions.js';
import { ChangePasswordInput, Login, NewUserInput, SignInInput, changePassword, createUser, disableUser, listUsers, resetUser, signIn } from '../../access/users.js';
import { clearSessionCookie, setSessionCookie } from '../api/session.js';
import { SESSION_COOKIE, errorBody, route, type RouteDef } from '../routes.js';
import { act, back, sendPage } from './forms.js';
import { html } from './html.js';
import { csrfField, page } from './layout.js';

/** The flash and error messages every page may show. */
export const Messages = { flash: z.string().max(300).optional(), error: z.string().max(300).optional() };

export function signInPage(error?: string, flash?: string) {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · edibridge</title>
<style>body{font:14px system-ui,sans-serif;background:#f4f6f9;color:#1d2733}.signin{max-width:360px;margin:80px auto;background:#fff;border:1px solid #d8dee6;border-radius:8px;padding:24px}
label{display:block;margin:10px 0 4px}input{width:100%;padding:6px;border:1px solid #b8c2cc;border-radius:4px;font:inherit}button{margin-top:16px;padding:7px 16px;background:#14324f;color:#fff;border:0;border-radius:4px;font:inherit}
.error{background:#fdecea;border:1px solid #e6a19a;padding:8px;border-radius:4px}.flash{background:#e8f6ec;border:1px solid #8fd19e;padding:8px;border-radius:4px}</style></head>
<body><form class="signin" method="post" action="/sign-in"><h1>edibridge</h1>
${error ? html`<div class="error" role="alert">${error}</div>` : ''}${flash ? html`<div class="flash" role="status">${flash}</div>` : ''}
<label for="login">Sign-in name</label><input id="login" name="login" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form></body></html>`;
}

/** The users page; `password` shows a new or reset user's first password once (never in a URL). */
async function usersPage(db: Db, principal: Principal, csrf: string, reply: FastifyReply, query: { flash?: string | undefined; error?: string | undefined; password?: string; for?: string }) {
  const users = await listUsers(db, principal);
  const roles = principal.role === 'ops-admin' ? ROLES : (['partner-admin', 'partner-user'] as const);
  return sendPage(
        reply,
        page(
          { title: 'Users', principal, csrf: csrf, path: '/users', flash: query.flash, error: query.error },
          html`${query.password ? html`<div class="panel"><strong>First password for ${query.for ?? ''}:</strong> <code>${query.password}</code> — give it to the person once; it must be changed at the first sign-in.</div>` : ''}
<table><thead><tr><th>Sign-in</th><th>Name</th><th>Role</th><th>Organisation</th><th>Last sign-in</th><th>State</th><th></th></tr></thead><tbody>
${users.map(
  (u) => html`<tr><td>${u.login}</td><td>${u.displayName}</td><td>${u.role}</td><td>${u.organisationName}</td><td>${u.lastLoginAt ?? 'never'}</td>
<td>${u.disabledAt ? html`<span class="badge rejected">disabled: ${u.disabledReason}</span>` : u.lockedAt ? html`<span class="badge overdue">locked</span>` : html`<span class="badge resolved">active</span>`}</td>
<td><form class="inline" method="post" action="/users/${u.login}/reset">${csrfField(csrf)}<button class="secondary">Reset</button></form>
${u.disabledAt ? '' : html`<form class="inline" method="post" action="/users/${u.login}/disable">${csrfField(csrf)}<input name="reason" placeholder="reason" required><button class="secondary">Disable</button></form>`}</td></tr>`,
)}</tbody></table>
<h2>Add a user</h2><form class="panel inline" method="post" action="/users">${csrfField(csrf)}
<input name="login" placeholder="sign-in name" required><input name="displayName" placeholder="name" required>
<select name="role">${roles.map((r) => html`<option>${r}</option>`)}</select>
<input name="organisation" placeholder="organisation" value="${principal.role === 'ops-admin' ? '' : principal.organisationName}" required><button>Add</button></form>`,
    ),
  );
}

export const accountPages: RouteDef[] = [
  route({
    method: 'GET',
    url: '/sign-in',
    access: 'public',
    page: true,
    tag: 'console',
    summary: 'Show the sign-in form',
    query: z.object(Messages),
    handler: async ({ query, reply }) => sendPage(reply, signInPage(query.error, query.flash)),
  }),
  route({
    method: 'POST',
    url: '/sign-in',
    access: 'public',
    page: true,
    tag: 'console',
    summary: 'Sign in',
    async handler({ db, now, request, reply }) {
      try {
        const input = SignInInput.parse({ login: (request.body as Record<string, unknown>)?.['login'], password: (request.body as Record<string, unknown>)?.['password'] });
        const { user, passwordExpired } = await signIn(db, input, now);
        const s = await startSession(db, user.id, now);
        setSessionCookie(reply, s.token);
        return reply.redirect(passwordExpired ? '/password' : isOpsRole(user.role) ? '/dashboard' : '/portal', 303);
      } catch (err) {
        const { status, body } = errorBody(err);
        if (status >= 500) throw err;
        return sendPage(reply, signInPage(status === 400 ? 'Enter your sign-in name and password.' : body.error.message), status);
      }
    },
  }),
  route({
    method: 'POST',
    url: '/sign-out',
    access: 'signed-in',
    page: true,
    tag: 'console',
    summary: 'Sign out',
    async handler({ db, request, reply }) {
      await endSession(db, request.cookies[SESSION_COOKIE] ?? '');
      clearSessionCookie(reply);
      return back(reply, '/sign-in', 'Signed out.');
    },
  }),
  route({
    method: 'GET',
    url: '/password',
    access: 'signed-in',
    page: true,
    tag: 'console',
    summary: 'Show the password change form',
    query: z.object(Messages),
    handler: async ({ principal, session, query, reply }) =>
      sendPage(
        reply,
        page(
          { title: 'Change your password', principal, csrf: session.csrfToken, path: '/password', flash: query.flash, error: query.error ?? (session.passwordExpired ? `Your password must be changed (every ${ACCESS_POLICY.passwordMaxAgeDays} days, and after a reset).` : undefined) },
          html`<form class="panel" method="post" action="/password">${csrfField(session.csrfToken)}
<p><label>Current password <input type="password" name="current" autocomplete="current-password" required></label></p>
<p><label>New password (12 or more characters, letters with digits or symbols) <input type="password" name="next" autocomplete="new-password" required></label></p>
<button type="submit">Change password</button></form>`,
        ),
      ),
  }),
  route({
    method: 'POST',
    url: '/password',
    access: 'signed-in',
    page: true,
    tag: 'console',
    summary: 'Change your password',
    body: ChangePasswordInput,
    async handler({ db, now, principal, body, reply }) {
      try {
        await changePassword(db, principal.userId, body, now);
      } catch (err) {
        const { status, body: e } = errorBody(err);
        if (status >= 500) throw err;
        return back(reply, '/password', e.error.message, 'error');
      }
      return back(reply, isOpsRole(principal.role) ? '/dashboard' : '/portal', 'Password changed.');
    },
  }),
  route({
    method: 'GET',
    url: '/users',
    access: ADMIN_ROLES,
    page: true,
    tag: 'console',
    summary: 'Show users',
    query: z.object(Messages),
    handler: ({ db, principal, session, query, reply }) => usersPage(db, principal, session.csrfToken, reply, query),
  }),
  route({
    method: 'POST',
    url: '/users',
    access: ADMIN_ROLES,
    page: true,
    tag: 'console',
    summary: 'Add a user',
    body: NewUserInput.omit({ password: true }),
    async handler({ db, now, principal, session, body, reply }) {
      try {
        const { user, password } = await createUser(db, body, now, principal);
        return usersPage(db, principal, session.csrfToken, reply, { flash: `Added ${user.login}.`, password, for: user.login });
      } catch (err) {
        const { status, body: e } = errorBody(err);
        if (status >= 500) throw err;
        return back(reply, '/users', e.error.message, 'error');
      }
    },
  }),
  route({
    method: 'POST',
    url: '/users/:login/disable',
    access: ADMIN_ROLES,
    page: true,
    tag: 'console',
    summary: 'Disable a user',
    params: z.object({ login: Login }),
    body: z.object({ reason: z.string().trim().min(1).max(200) }),
    handler: ({ db, now, principal, params, body, reply }) => act(reply, '/users', async () => `Disabled ${(await disableUser(db, params.login, body.reason, now, principal)).login}.`),
  }),
  route({
    method: 'POST',
    url: '/users/:login/reset',
    access: ADMIN_ROLES,
    page: true,
    tag: 'console',
    summary: 'Reset a user',
    params: z.object({ login: Login }),
    async handler({ db, now, principal, session, params, reply }) {
      try {
        const { user, password } = await resetUser(db, params.login, now, principal);
        return usersPage(db, principal, session.csrfToken, reply, { flash: `Reset ${user.login}.`, password, for: user.login });
      } catch (err) {
        const { status, body: e } = errorBody(err);
        if (status >= 500) throw err;
        return back(reply, '/users', e.error.message, 'error');
      }
    },
  }),
  route({
    method: 'GET',
    url: '/audit',
    access: ['ops-admin'],
    page: true,
    tag: 'console',
    summary: 'Show the audit of PHI views',
    query: z.object({ ...Messages, user: z.string().max(200).optional() }),
    async handler({ db, principal, session, query, reply }) {
      const rows = await listAudit(db, AuditQuery.parse({ ...(query.user ? { user: query.user } : {}), limit: 200 }));
      return sendPage(
        reply,
        page(
          { title: 'Audit of PHI views', principal, csrf: session.csrfToken, path: '/audit' },
          html`<p><a href="/api/audit?format=csv&limit=10000">Export CSV</a></p><table><thead><tr><th>When</th><th>Who</th><th>What</th><th>Subject</th><th>Why</th><th>From</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td>${r.at}</td><td>${r.userLogin}</td><td>${r.action}</td><td>${r.subject}</td><td>${r.reason}</td><td>${r.client ?? ''}</td></tr>`)}</tbody></table>`,
        ),
      );
    },
  }),
];
