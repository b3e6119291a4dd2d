/**
 * Sessions: a random 32-byte token in an HttpOnly cookie, kept in the database only as its
 * SHA-256; each with its CSRF token (synchronizer pattern). A session ends after 30 minutes
 * idle or 12 hours, at sign-out, and when its user is disabled or reset.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/db.js';
import { ACCESS_POLICY } from './policy.js';
import { AccessError, organisationScope, type Principal } from './principal.js';
import { passwordExpired, type UserRecord } from './users.js';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface Session {
  principal: Principal;
  csrfToken: string;
  /** Only a password change is allowed until it is done. */
  passwordExpired: boolean;
}

export async function startSession(db: Db, userId: string, now: Date): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ACCESS_POLICY.sessionMaxHours * 3600e3);
  await db.query(
    'insert into user_session (token_sha256, user_id, csrf_token, created_at, last_seen_at, expires_at) values ($1, $2::bigint, $3, $4, $4, $5)',
    [sha256(token), userId, csrfToken, now, expiresAt],
  );
  return { token, csrfToken, expiresAt };
}

/** How often a live session's idle clock is written: once a minute, not on every request. */
const TOUCH_EVERY_MS = 60_000;

/** The session a cookie's token names, if it is live; touches its idle clock (at most once a minute). */
export async function resolveSession(db: Db, token: string, now: Date): Promise<Session | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  const idle = `${ACCESS_POLICY.sessionIdleMinutes} minutes`;
  const hash = sha256(token);
  const { rows } = await db.query<
    Pick<UserRecord, 'login' | 'displayName' | 'role' | 'organisationId' | 'organisationName' | 'organisationKind' | 'passwordChangedAt' | 'mustChangePassword'> & {
      userId: string;
      csrfToken: string;
      lastSeenAt: Date;
    }
  >(
    `select u.id::text as "userId", u.login, u.display_name as "displayName", u.role, u.organisation_id::text as "organisationId",
            o.name as "organisationName", o.kind as "organisationKind", u.password_changed_at as "passwordChangedAt",
            u.must_change_password as "mustChangePassword", s.csrf_token as "csrfToken", s.last_seen_at as "lastSeenAt"
       from user_session s join app_user u on u.id = s.user_id join organisation o on o.id = u.organisation_id
      where s.token_sha256 = $1 and u.disabled_at is null and u.locked_at is null
        and s.expires_at > $2 and s.last_seen_at > $2::timestamptz - interval '${idle}'`,
    [hash, now],
  );
  if (rows[0] && now.getTime() - rows[0].lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    await db.query('update user_session set last_seen_at = greatest(last_seen_at, $2) where token_sha256 = $1', [hash, now]);
  }
  const r = rows[0];
  if (!r) return undefined;
  return {
    principal: {
      userId: r.userId,
      login: r.login,
      displayName: r.displayName,
      role: r.role,
      organisationId: r.organisationId,
      organisationName: r.organisationName,
      scope: await organisationScope(db, r.organisationId, r.organisationKind),
    },
    csrfToken: r.csrfToken,
    passwordExpired: passwordExpired(r, now),
  };
}

export async function endSession(db: Db, token: string): Promise<void> {
  await db.query('delete from user_session where token_sha256 = $1', [sha256(token)]);
}

/** Throws CSRF_INVALID unless `given` is the session's token (compared in constant time). */
export function checkCsrf(session: Session, given: string | undefined): void {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(session.csrfToken);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new AccessError('CSRF_INVALID', 'the request did not carry this session\'s CSRF token: reload the page and try again');
}
