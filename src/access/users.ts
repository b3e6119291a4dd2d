/**
 * Accounts: sign-in with lockout, password age and inactivity; creating, disabling and
 * resetting users. Ops admins manage every organisation's users; partner admins their own
 * organisation's partner users. Every function takes `now`, so the rules are tested with a
 * controllable clock.
 */
import { z } from 'zod';
import type { Db } from '../db/db.js';
import { EdiBridgeError } from '../core/errors.js';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { ACCESS_POLICY, DAY_MS } from './policy.js';
import { AccessError, type Principal } from './principal.js';
import { ROLES, isOpsRole, organisationKindOf, type Role } from './roles.js';

export const Login = z.string().trim().toLowerCase().min(3).max(200).regex(/^[a-z0-9._@+-]+$/, 'letters, digits and . _ @ + - only');

export interface UserRecord {
  id: string;
  login: string;
  displayName: string;
  role: Role;
  organisationId: string;
  organisationName: string;
  organisationKind: 'plan' | 'partner';
  passwordChangedAt: Date;
  mustChangePassword: boolean;
  failedAttempts: number;
  lockedAt: Date | null;
  lastLoginAt: Date | null;
  disabledAt: Date | null;
  disabledReason: string | null;
  createdAt: Date;
}

const USER_COLUMNS = `u.id::text as id, u.login, u.display_name as "displayName", u.role, u.organisation_id::text as "organisationId",
  o.name as "organisationName", o.kind as "organisationKind", u.password_changed_at as "passwordChangedAt",
  u.must_change_password as "mustChangePassword", u.failed_attempts as "failedAttempts", u.locked_at as "lockedAt",
  u.last_login_at as "lastLoginAt", u.disabled_at as "disabledAt", u.disabled_reason as "disabledReason", u.created_at as "createdAt"`;

export async function getUser(db: Db, id: string): Promise<UserRecord | undefined> {
  const { rows } = await db.query<UserRecord>(`select ${USER_COLUMNS} from app_user u join organisation o on o.id = u.organisation_id where u.id = $1::bigint`, [id]);
  return rows[0];
}

/** Whether the password must be changed before anything else (reset, or older than 90 days). */
export function passwordExpired(u: Pick<UserRecord, 'passwordChangedAt' | 'mustChangePassword'>, now: Date): boolean {
  return u.mustChangePassword || now.getTime() - u.passwordChangedAt.getTime() > ACCESS_POLICY.passwordMaxAgeDays * DAY_MS;
}

// A hash to verify against when the login is unknown, so both answers take as long.
let dummyHash: Promise<string> | undefined;

export const SignInInput = z.object({ login: Login, password: z.string().min(1).max(200) }).strict();
export type SignInInput = z.infer<typeof SignInInput>;

export interface SignedIn {
  user: UserRecord;
  /** The password must be changed before the session may do anything else. */
  passwordExpired: boolean;
}

/**
 * Checks a sign-in. Refusals say why only where that tells an attacker nothing new: a wrong
 * name and a wrong password read the same; a locked, disabled or dormant account says so (the
 * person must call an administrator either way).
 */
export async function signIn(db: Db, input: SignInInput, now: Date): Promise<SignedIn> {
  const refused = (why: string): AccessError => new AccessError('SIGN_IN_REFUSED', why);
  const { rows } = await db.query<UserRecord & { passwordHash: string }>(
    `select ${USER_COLUMNS}, u.password_hash as "passwordHash" from app_user u join organisation o on o.id = u.organisation_id where u.login = $1`,
    [input.login],
  );
  const user = rows[0];
  if (!user) {
    await verifyPassword(input.password, await (dummyHash ??= hashPassword('not-a-password-0')));
    throw refused('wrong sign-in name or password');
  }
  if (user.disabledAt) throw refused('this account is disabled: ask your administrator');
  // Dormant since the last sign-in, or since the account was made or its password last set (a reset restarts the clock).
  const lastUse = Math.max(user.lastLoginAt?.getTime() ?? 0, user.createdAt.getTime(), user.passwordChangedAt.getTime());
  if (now.getTime() - lastUse > ACCESS_POLICY.inactiveDisableDays * DAY_MS) {
    await db.query(`update app_user set disabled_at = $2, disabled_reason = 'unused for two years' where id = $1::bigint and disabled_at is null`, [user.id, now]);
    throw refused('this account was unused for two years and is now disabled: ask your administrator');
  }
  if (user.lockedAt) throw refused(`this account is locked after ${ACCESS_POLICY.lockoutAttempts} failed sign-ins: ask your administrator to reset it`);
  if (!(await verifyPassword(input.password, user.passwordHash))) {
    const { rows: after } = await db.query<{ locked: boolean }>(
      `update app_user set failed_attempts = failed_attempts + 1,
              locked_at = case when failed_attempts + 1 >= $2 then $3::timestamptz else locked_at end
        where id = $1::bigint returning locked_at is not null as locked`,
      [user.id, ACCESS_POLICY.lockoutAttempts, now],
    );
    throw refused(after[0]?.locked ? `wrong password: the account is now locked after ${ACCESS_POLICY.lockoutAttempts} failed sign-ins` : 'wrong sign-in name or password');
  }
  await db.query('update app_user set failed_attempts = 0, last_login_at = $2 where id = $1::bigint', [user.id, now]);
  const { passwordHash: _hash, ...clean } = user;
  const signedIn = { ...clean, failedAttempts: 0, lastLoginAt: now };
  return { user: signedIn, passwordExpired: passwordExpired(signedIn, now) };
}

export const ChangePasswordInput = z.object({ current: z.string().min(1).max(200), next: z.string().min(1).max(200) }).strict();

/** Changes one's own password: the current one must be right, the new one follow the rules and differ. */
export async function changePassword(db: Db, userId: string, input: z.infer<typeof ChangePasswordInput>, now: Date): Promise<void> {
  const { rows } = await db.query<{ login: string; hash: string }>('select login, password_hash as hash from app_user where id = $1::bigint', [userId]);
  const row = rows[0];
  if (!row) throw new AccessError('UNAUTHENTICATED', 'no such user');
  if (!(await verifyPassword(input.current, row.hash))) throw new AccessError('SIGN_IN_REFUSED', 'the current password is wrong');
  const problem = passwordProblem(input.next, row.login);
  if (problem) throw new EdiBridgeError('USAGE', `the new password ${problem}`);
  if (input.next === input.current) throw new EdiBridgeError('USAGE', 'the new password must differ from the current one');
  await db.query('update app_user set password_hash = $2, password_changed_at = $3, must_change_password = false where id = $1::bigint', [userId, await hashPassword(input.next), now]);
}

export const NewUserInput = z
  .object({
    login: Login,
    displayName: z.string().trim().min(1).max(200),
    role: z.enum(ROLES),
    organisation: z.string().trim().min(1).max(200),
    /** Omit to generate one, which the answer carries once; either way it must be changed at first sign-in. */
    password: z.string().min(1).max(200).optional(),
  })
  .strict();
export type NewUserInput = z.infer<typeof NewUserInput>;

/** Who may manage a user of this organisation and role (undefined: the bootstrap, from the CLI). */
function mayManage(actor: Principal | undefined, organisationId: string, role: Role): boolean {
  if (!actor) return true;
  if (actor.role === 'ops-admin') return true;
  return actor.role === 'partner-admin' && !isOpsRole(role) && actor.organisationId === organisationId;
}

export async function createUser(db: Db, input: NewUserInput, now: Date, actor?: Principal): Promise<{ user: UserRecord; password: string }> {
  const { rows: orgs } = await db.query<{ id: string; kind: 'plan' | 'partner' }>('select id::text as id, kind from organisation where name = $1', [input.organisation]);
  const org = orgs[0];
  if (!org || (actor && !mayManage(actor, org.id, input.role))) {
    if (org && actor) throw new AccessError('FORBIDDEN', `you may not add a ${input.role} to ${input.organisation}`);
    throw new EdiBridgeError('NOT_FOUND', `no organisation ${input.organisation}`);
  }
  if (organisationKindOf(input.role) !== org.kind) {
    throw new EdiBridgeError('USAGE', `a ${input.role} belongs to ${org.kind === 'plan' ? 'a partner' : "the plan's"} organisation, not ${input.organisation}`);
  }
  const password = input.password ?? generatePassword();
  const problem = passwordProblem(password, input.login);
  if (problem) throw new EdiBridgeError('USAGE', `the password ${problem}`);
  const inserted = await db.query<{ id: string }>(
    `insert into app_user (organisation_id, login, display_name, role, password_hash, password_changed_at, must_change_password, created_at)
     values ($1::bigint, $2, $3, $4, $5, $6, true, $6) on conflict (login) do nothing returning id::text as id`,
    [org.id, input.login, input.displayName, input.role, await hashPassword(password), now],
  );
  const id = inserted.rows[0]?.id;
  if (!id) throw new EdiBridgeError('INVALID_STATE', `a user ${input.login} already exists`);
  return { user: (await getUser(db, id))!, password };
}

async function managed(db: Db, login: string, actor: Principal | undefined): Promise<UserRecord> {
  const { rows } = await db.query<{ id: string }>('select id::text as id from app_user where login = $1', [Login.parse(login)]);
  const user = rows[0] ? await getUser(db, rows[0].id) : undefined;
  // Another organisation's user reads as unknown to a partner admin.
  if (!user || (actor && actor.role !== 'ops-admin' && actor.organisationId !== user.organisationId)) throw new EdiBridgeError('NOT_FOUND', `no user ${login}`);
  if (!mayManage(actor, user.organisationId, user.role)) throw new AccessError('FORBIDDEN', `you may not manage ${user.role} users`);
  return user;
}

/** Disables an account and ends its sessions. */
export async function disableUser(db: Db, login: string, reason: string, now: Date, actor?: Principal): Promise<UserRecord> {
  const user = await managed(db, login, actor);
  if (actor && actor.userId === user.id) throw new EdiBridgeError('USAGE', 'you cannot disable your own account');
  await db.transaction(async (tx) => {
    await tx.query('update app_user set disabled_at = $2, disabled_reason = $3 where id = $1::bigint', [user.id, now, reason.trim() || 'disabled by an administrator']);
    await tx.query('delete from user_session where user_id = $1::bigint', [user.id]);
  });
  return (await getUser(db, user.id))!;
}

/**
 * Resets an account: a new generated password to change at the next sign-in, unlocked and
 * re-enabled, its sessions ended. The password is in the answer once and stored only hashed.
 */
export async function resetUser(db: Db, login: string, now: Date, actor?: Principal): Promise<{ user: UserRecord; password: string }> {
  const user = await managed(db, login, actor);
  const password = generatePassword();
  await db.transaction(async (tx) => {
    await tx.query(
      `update app_user set password_hash = $2, password_changed_at = $3, must_change_password = true, failed_attempts = 0,
              locked_at = null, disabled_at = null, disabled_reason = null
        where id = $1::bigint`,
      [user.id, await hashPassword(password), now],
    );
    await tx.query('delete from user_session where user_id = $1::bigint', [user.id]);
  });
  return { user: (await getUser(db, user.id))!, password };
}

/** The users an administrator manages: every one for ops admins, their organisation's for partner admins. */
export async function listUsers(db: Db, actor?: Principal): Promise<UserRecord[]> {
  const org = actor && actor.role !== 'ops-admin' ? actor.organisationId : null;
  const { rows } = await db.query<UserRecord>(
    `select ${USER_COLUMNS} from app_user u join organisation o on o.id = u.organisation_id
      where $1::bigint is null or u.organisation_id = $1::bigint order by o.name, u.login limit 1000`,
    [org],
  );
  return rows;
}

export const OrganisationInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    kind: z.enum(['plan', 'partner']),
    groups: z.array(z.string().trim().min(1).max(50)).default([]),
    partners: z.array(z.string().trim().min(1).max(63)).default([]),
  })
  .strict();

/** Creates an organisation, or adds groups and partners to one that exists (same kind). */
export async function ensureOrganisation(db: Db, input: z.input<typeof OrganisationInput>): Promise<string> {
  const o = OrganisationInput.parse(input);
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string; kind: string }>(
      `insert into organisation (name, kind) values ($1, $2) on conflict (name) do update set name = excluded.name returning id::text as id, kind`,
      [o.name, o.kind],
    );
    const org = rows[0]!;
    if (org.kind !== o.kind) throw new EdiBridgeError('USAGE', `organisation ${o.name} is a ${org.kind} organisation`);
    if (o.kind === 'plan' && (o.groups.length || o.partners.length)) throw new EdiBridgeError('USAGE', "the plan's organisation sees every group: grant groups to partner organisations only");
    await tx.query('insert into organisation_group (organisation_id, group_number) select $1::bigint, unnest($2::text[]) on conflict do nothing', [org.id, o.groups]);
    await tx.query('insert into organisation_partner (organisation_id, partner_id) select $1::bigint, unnest($2::text[]) on conflict do nothing', [org.id, o.partners]);
    return org.id;
  });
}
