/**
 * What an employer's portal offers on its own groups: verifying an employee or dependent by
 * name or member ID, each member's ID-card status, and asking for a replacement card; the
 * census totals as CSV. Every function takes the groups the caller may see (null: every
 * group); a member outside them is not found.
 */
import { z } from 'zod';
import { csvRow } from '../core/csv.js';
import { EdiBridgeError } from '../core/errors.js';
import type { Db } from '../db/db.js';
import type { Census } from './census.js';
import { memberActiveOnSql } from './model.js';

export const VerifyInput = z
  .object({
    /** A member ID (EB…), the employer's subscriber number, or a name: "Last" or "Last, First". */
    q: z.string().trim().min(2).max(120),
    group: z.string().trim().min(1).max(50).optional(),
  })
  .strict();
export type VerifyInput = z.infer<typeof VerifyInput>;

export interface VerifiedMember {
  memberId: string;
  groupNumber: string;
  subscriberNumber: string;
  subscriber: boolean;
  relationship: string;
  lastName: string | null;
  firstName: string | null;
  /** Covered today (eligibility in force and not cancelled). */
  active: boolean;
  eligibilityBegin: string;
  eligibilityEnd: string | null;
  coverages: Array<{ insuranceLine: string; planId: string; begin: string; end: string | null }>;
  /** The newest ID card of the member's family: pending (to print), printed, or none. */
  card: { status: 'pending' | 'printed'; requestedAt: Date; printedAt: Date | null } | null;
  /** A replacement asked for through the portal and not yet issued. */
  replacementRequested: boolean;
}

/** Members matching the query in the caller's groups (at most 25), subscribers first. */
export async function verifyMembers(db: Db, groups: readonly string[] | null, input: VerifyInput, today: string): Promise<VerifiedMember[]> {
  const q = input.q;
  const byId = /^EB[0-9]{10}$/i.test(q) ? String(Number(q.slice(2))) : null;
  const [last, first] = q.includes(',') ? q.split(',', 2).map((s) => s.trim()) : [q, ''];
  const { rows } = await db.query<VerifiedMember & { id: string }>(
    `select m.id::text as id, m.member_id as "memberId", m.group_number as "groupNumber", m.subscriber_number as "subscriberNumber",
            m.is_subscriber as subscriber, m.relationship, m.last_name as "lastName", m.first_name as "firstName",
            ${memberActiveOnSql('m', '$6::date')} as active,
            to_char(m.eligibility_begin, 'YYYY-MM-DD') as "eligibilityBegin", to_char(m.eligibility_end, 'YYYY-MM-DD') as "eligibilityEnd",
            coalesce((select json_agg(json_build_object('insuranceLine', c.insurance_line, 'planId', c.plan_id,
                        'begin', to_char(c.begin_date, 'YYYY-MM-DD'), 'end', to_char(c.end_date, 'YYYY-MM-DD')) order by c.insurance_line, c.begin_date)
                        from coverage c where c.member_id = m.id and not c.cancelled), '[]'::json) as coverages,
            (select json_build_object('status', r.status, 'requestedAt', r.requested_at, 'printedAt', null)
               from id_card_request r where r.group_number = m.group_number and r.subscriber_number = m.subscriber_number
                and r.status <> 'cancelled' and m.id = any(r.member_ids) order by r.requested_at desc, r.id desc limit 1) as card,
            exists (select 1 from id_card_replacement x where x.member_id = m.id and x.status = 'requested') as "replacementRequested"
       from member m
      where ($1::text[] is null or m.group_number = any($1)) and ($2::text is null or m.group_number = $2)
        and (m.id = $3::bigint or m.subscriber_number = $4
             or ($3::bigint is null and lower(m.last_name) like lower($5) || '%' and ($7 = '' or lower(m.first_name) like lower($7) || '%')))
      order by m.group_number, m.subscriber_number, m.is_subscriber desc, m.id
      limit 25`,
    [groups, input.group ?? null, byId, q, last ?? q, today, first ?? ''],
  );
  return rows.map(({ id: _id, ...r }) => ({ ...r, card: r.card ? { ...r.card, requestedAt: new Date(r.card.requestedAt) } : null }));
}

export const ReplacementInput = z
  .object({
    memberId: z.string().trim().regex(/^EB[0-9]{10}$/i, 'must be a member ID (EB and 10 digits)'),
    reason: z.enum(['lost', 'stolen', 'damaged', 'wrong-information', 'other']),
  })
  .strict();
export type ReplacementInput = z.infer<typeof ReplacementInput>;

/** Asks for a replacement card for a member in force in the caller's groups; a second open request is refused. */
export async function requestReplacementCard(db: Db, groups: readonly string[] | null, userId: string, input: ReplacementInput, now: Date): Promise<{ id: string; memberId: string; status: string }> {
  const id = String(Number(input.memberId.slice(2)));
  const { rows } = await db.query<{ group_number: string; in_force: boolean }>(
    `select group_number, ${memberActiveOnSql('m', '$2::date')} as in_force from member m where id = $1::bigint and ($3::text[] is null or group_number = any($3))`,
    [id, now.toISOString().slice(0, 10), groups],
  );
  const m = rows[0];
  if (!m) throw new EdiBridgeError('NOT_FOUND', `no member ${input.memberId.toUpperCase()}`);
  if (!m.in_force) throw new EdiBridgeError('INVALID_STATE', `member ${input.memberId.toUpperCase()} is not covered today: no card is issued`);
  const ins = await db.query<{ id: string }>(
    `insert into id_card_replacement (group_number, member_id, reason, requested_by, requested_at)
     select $1, $2::bigint, $3, $4::bigint, $5
      where not exists (select 1 from id_card_replacement where member_id = $2::bigint and status = 'requested')
     returning id::text as id`,
    [m.group_number, id, input.reason, userId, now],
  );
  if (!ins.rows[0]) throw new EdiBridgeError('INVALID_STATE', `a replacement card for ${input.memberId.toUpperCase()} is already requested`);
  return { id: ins.rows[0].id, memberId: input.memberId.toUpperCase(), status: 'requested' };
}

/** The census's totals as CSV: by family composition, then coverages by line and level. */
export function censusCsv(c: Census): string {
  const lines = [csvRow(['group', 'on', 'section', 'key', 'count'])];
  for (const [k, v] of Object.entries(c.byComposition)) lines.push(csvRow([c.groupNumber, c.on, 'family-composition', k, v]));
  lines.push(csvRow([c.groupNumber, c.on, 'total', 'subscribers', c.subscribers]), csvRow([c.groupNumber, c.on, 'total', 'dependents', c.dependents]));
  for (const [line, levels] of Object.entries(c.coverages)) for (const [level, n] of Object.entries(levels)) lines.push(csvRow([c.groupNumber, c.on, `coverage-${line}`, level, n]));
  return `${lines.join('\n')}\n`;
}
