/** Signing in and out, the current session, and changing one's password. */
import type { FastifyReply } from 'fastify';
import { ACCESS_POLICY } from '../../access/policy.js';
import { endSession, startSession } from '../../access/sessions.js';
import { ChangePasswordInput, SignInInput, changePassword, signIn } from '../../access/users.js';
import type { Principal } from '../../access/principal.js';
import { SESSION_COOKIE, route, type RouteDef } from '../routes.js';

/** HttpOnly (no script reads it), Secure (HTTPS only; browsers treat localhost as secure), SameSite=Strict. */
export function setSessionCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, secure: true, sameSite: 'strict', path: '/', maxAge: ACCESS_POLICY.sessionMaxHours * 3600 });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, secure: true, sameSite: 'strict', path: '/' });
}

/** The caller as the API shows it (the scope's lists, not the session's secrets). */
export function whoAmI(p: Principal): Record<string, unknown> {
  return {
    login: p.login,
    displayName: p.displayName,
    role: p.role,
    organisation: p.organisationName,
    scope: p.scope.all ? 'all' : { groups: p.scope.groups, partners: p.scope.partners },
  };
}

export const sessionRoutes: RouteDef[] = [
  route({
    method: 'POST',
    url: '/api/session',
    access: 'public',
    tag: 'session',
    summary: 'Sign in',
    body: SignInInput,
    async handler({ db, now, body, reply }) {
      const { user, passwordExpired } = await signIn(db, body, now);
      const s = await startSession(db, user.id, now);
      setSessionCookie(reply, s.token);
      return { user: { login: user.login, displayName: user.displayName, role: user.role, organisation: user.organisationName }, csrfToken: s.csrfToken, passwordExpired, expiresAt: s.expiresAt };
    },
  }),
  route({
    method: 'GET',
    url: '/api/session',
    access: 'signed-in',
    tag: 'session',
    summary: 'Show the current session',
    async handler({ principal, session }) {
      return { user: whoAmI(principal), csrfToken: session.csrfToken, passwordExpired: session.passwordExpired };
    },
  }),
  route({
    method: 'DELETE',
    url: '/api/session',
    access: 'signed-in',
    tag: 'session',
    summary: 'Sign out',
    async handler({ db, request, reply }) {
      await endSession(db, request.cookies[SESSION_COOKIE] ?? '');
      clearSessionCookie(reply);
      return undefined;
    },
  }),
  route({
    method: 'POST',
    url: '/api/session/password',
    access: 'signed-in',
    tag: 'session',
    summary: 'Change your password',
    body: ChangePasswordInput,
    async handler({ db, now, body, principal }) {
      await changePassword(db, principal.userId, body, now);
      return { changed: true };
    },
  }),
];
