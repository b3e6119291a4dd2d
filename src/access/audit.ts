/**
 * The audit of PHI views: every time a person is shown member data (names, SSNs, birth
 * dates, addresses, raw segments), one row says who, what, when and why. Append-only; ops
 * admins read and export it.
 */
import { z } from 'zod';
import type { Db } from '../db/db.js';
import { csvRow } from '../core/csv.js';
import type { Principal } from './principal.js';

export const PHI_ACTIONS = ['exception-phi', 'member-verify', 'census', 'family', 'held-file'] as const;
export type PhiAction = (typeof PHI_ACTIONS)[number];

/** Why a PHI view happens: required, short, no PHI of its own expected. */
export const Reason = z.string().trim().min(3, 'say why you need to see it').max(500);

export interface PhiView {
  action: PhiAction;
  /** What was shown, by id (an exception id, a member id, a group): never the PHI itself. */
  subject: string;
  reason: string;
  /** The client's address, as the HTTP adapter saw it. */
  client?: string;
}

export async function recordPhiView(db: Db, who: Principal, view: PhiView, now: Date): Promise<void> {
  await db.query(
    'insert into phi_audit (at, user_id, user_login, organisation_id, action, subject, reason, client) values ($1, $2::bigint, $3, $4::bigint, $5, $6, $7, $8)',
    [now, who.userId, who.login, who.organisationId, view.action, view.subject.slice(0, 200), Reason.parse(view.reason), view.client ?? null],
  );
}

export const AuditQuery = z
  .object({
    user: z.string().trim().min(1).max(200).optional(),
    action: z.enum(PHI_ACTIONS).optional(),
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
    limit: z.coerce.number().int().min(1).max(10000).default(100),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();
export type AuditQuery = z.infer<typeof AuditQuery>;

export interface AuditRow {
  id: string;
  at: Date;
  userLogin: string;
  organisationId: string;
  action: PhiAction;
  subject: string;
  reason: string;
  client: string | null;
}

export async function listAudit(db: Db, q: AuditQuery): Promise<AuditRow[]> {
  const { rows } = await db.query<AuditRow>(
    `select id::text as id, at, user_login as "userLogin", organisation_id::text as "organisationId", action, subject, reason, client
       from phi_audit
      where ($1::text is null or user_login = $1) and ($2::text is null or action = $2)
        and ($3::timestamptz is null or at >= $3) and ($4::timestamptz is null or at < $4)
      order by at desc, id desc limit $5 offset $6`,
    [q.user ?? null, q.action ?? null, q.from ?? null, q.to ?? null, q.limit, q.offset],
  );
  return rows;
}

export function auditCsv(rows: readonly AuditRow[]): string {
  const lines = [csvRow(['at', 'user', 'organisation', 'action', 'subject', 'reason', 'client'])];
  for (const r of rows) lines.push(csvRow([r.at.toISOString(), r.userLogin, r.organisationId, r.action, r.subject, r.reason, r.client ?? '']));
  return `${lines.join('\n')}\n`;
}
