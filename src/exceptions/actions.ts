/**
 * What a person does with an exception: assign it, comment on it, resolve it with a reason or
 * reject it; one item or many that share a cause at once. Each action is one transaction with
 * its history row (exception_event, append-only): who, when, what, and the note. A bulk action
 * runs item by item and answers each item's outcome, so one refused item (already resolved)
 * does not stop the rest.
 */
import { z } from 'zod';
import { csvRow } from '../core/csv.js';
import type { Db } from '../db/db.js';
import { EXCEPTION_CATEGORY_LIST, EXCEPTION_SLA_MS } from './categories.js';
import { ExceptionQueueError, getException, transitionException, type ExceptionRecord } from './store.js';

const Actor = z.string().trim().min(1, 'must name who acts').max(100);
const Note = z.string().trim().min(1, 'must not be empty').max(4000);
const Id = z.string().regex(/^[1-9][0-9]{0,18}$/, 'must be an exception id');

export const AssignInput = z.object({ ids: z.array(Id).min(1).max(1000), owner: Actor, actor: Actor, note: Note.optional() }).strict();
export const CommentInput = z.object({ id: Id, actor: Actor, note: Note }).strict();
export const CloseInput = z.object({ ids: z.array(Id).min(1).max(1000), actor: Actor, reason: Note, outcome: z.enum(['resolved', 'rejected']) }).strict();
/** Items that share a cause: by category and, optionally, file, group or partner (open or in progress only). */
export const SelectInput = z
  .object({
    category: z.enum(EXCEPTION_CATEGORY_LIST),
    file: Id.optional(),
    group: z.string().trim().min(1).max(50).optional(),
    partner: z.string().trim().min(1).max(80).optional(),
  })
  .strict();

export type AssignInput = z.infer<typeof AssignInput>;
export type CommentInput = z.infer<typeof CommentInput>;
export type CloseInput = z.infer<typeof CloseInput>;
export type SelectInput = z.infer<typeof SelectInput>;

export interface ItemOutcome {
  id: string;
  ok: boolean;
  /** The item after the action, or why it was refused. */
  item?: ExceptionRecord;
  error?: { code: string; message: string };
}

/** The ids of the open or in-progress items that share a cause. */
export async function selectItems(db: Db, s: SelectInput): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `select id::text as id from exception
      where state in ('open', 'in_progress') and category = $1
        and ($2::bigint is null or file_id = $2::bigint) and ($3::text is null or group_number = $3) and ($4::text is null or partner = $4)
      order by due_at, id limit 1000`,
    [s.category, s.file ?? null, s.group ?? null, s.partner ?? null],
  );
  return rows.map((r) => r.id);
}

async function each(ids: readonly string[], act: (id: string) => Promise<ExceptionRecord>): Promise<ItemOutcome[]> {
  const out: ItemOutcome[] = [];
  for (const id of ids) {
    try {
      out.push({ id, ok: true, item: await act(id) });
    } catch (err) {
      if (!(err instanceof ExceptionQueueError)) throw err;
      out.push({ id, ok: false, error: { code: err.reason, message: err.message } });
    }
  }
  return out;
}

/** Assigns items to an owner (no state change; a final item is refused). */
export async function assignExceptions(db: Db, input: AssignInput): Promise<ItemOutcome[]> {
  return each(input.ids, (id) =>
    db.transaction(async (tx) => {
      const current = await tx.query<{ state: string; owner: string | null }>('select state, owner from exception where id = $1::bigint for update', [id]);
      const row = current.rows[0];
      if (!row) throw new ExceptionQueueError('NOT_FOUND', `no exception ${id}`, { exception: id });
      if (row.state === 'resolved' || row.state === 'rejected') {
        throw new ExceptionQueueError('ILLEGAL_TRANSITION', `exception ${id} is ${row.state}: it cannot be assigned`, { exception: id });
      }
      await tx.query('update exception set owner = $2, updated_at = greatest(now(), updated_at) where id = $1::bigint', [id, input.owner]);
      await tx.query(
        `insert into exception_event (exception_id, at, actor, from_state, to_state, note, kind)
         select id, updated_at, $2, state, state, $3, 'assign' from exception where id = $1::bigint`,
        [id, input.actor, `assigned to ${input.owner}${row.owner ? ` (was ${row.owner})` : ''}${input.note ? `: ${input.note}` : ''}`],
      );
      return (await getException(tx, id))!;
    }),
  );
}

/** Adds a comment to an item's history (any state: a resolved item may still be annotated). */
export async function commentException(db: Db, input: CommentInput): Promise<ExceptionRecord> {
  return db.transaction(async (tx) => {
    const current = await tx.query('select 1 from exception where id = $1::bigint for update', [input.id]);
    if (!current.rowCount) throw new ExceptionQueueError('NOT_FOUND', `no exception ${input.id}`, { exception: input.id });
    await tx.query(
      `insert into exception_event (exception_id, at, actor, from_state, to_state, note, kind)
       select id, greatest(now(), updated_at), $2, state, state, $3, 'comment' from exception where id = $1::bigint`,
      [input.id, input.actor, input.note],
    );
    return (await getException(tx, input.id))!;
  });
}

/** Resolves (with the reason) or rejects items; the reason is kept in their history. */
export async function closeExceptions(db: Db, input: CloseInput): Promise<ItemOutcome[]> {
  return each(input.ids, (id) => transitionException(db, id, input.outcome, { actor: input.actor, note: input.reason }));
}

/** How soon "due soon" is: items due within 8 hours are flagged. */
export const DUE_SOON_MS = 8 * 60 * 60 * 1000;

export type AgeBucket = '0-8h' | '8-24h' | '24-40h' | '40-48h' | 'overdue';
export const AGE_BUCKETS: readonly AgeBucket[] = ['0-8h', '8-24h', '24-40h', '40-48h', 'overdue'];

export interface QueueReport {
  at: Date;
  open: number;
  dueSoon: number;
  overdue: number;
  /** Open and in-progress items by age since the file arrived (overdue: past 48 h). */
  byAge: Record<AgeBucket, number>;
  byPartner: Record<string, number>;
  byCategory: Record<string, number>;
  overdueItems: Array<{ id: string; category: string; partner: string; groupNumber: string | null; dueAt: Date; owner: string | null }>;
}

/** The queue's open items by age bucket, partner and category, with the overdue ones listed. */
export async function queueReport(db: Db, now: Date): Promise<QueueReport> {
  const { rows } = await db.query<{ id: string; category: string; partner: string; group_number: string | null; received_at: Date; due_at: Date; owner: string | null }>(
    `select id::text as id, category, partner, group_number, received_at, due_at, owner from exception where state in ('open', 'in_progress') order by due_at, id`,
  );
  const report: QueueReport = {
    at: now,
    open: rows.length,
    dueSoon: 0,
    overdue: 0,
    byAge: { '0-8h': 0, '8-24h': 0, '24-40h': 0, '40-48h': 0, overdue: 0 },
    byPartner: {},
    byCategory: {},
    overdueItems: [],
  };
  const t = now.getTime();
  for (const r of rows) {
    const age = t - r.received_at.getTime();
    const left = r.due_at.getTime() - t;
    const bucket: AgeBucket = left < 0 ? 'overdue' : age < 8 * 3600e3 ? '0-8h' : age < 24 * 3600e3 ? '8-24h' : age < 40 * 3600e3 ? '24-40h' : '40-48h';
    report.byAge[bucket]++;
    report.byPartner[r.partner] = (report.byPartner[r.partner] ?? 0) + 1;
    report.byCategory[r.category] = (report.byCategory[r.category] ?? 0) + 1;
    if (left < 0) {
      report.overdue++;
      report.overdueItems.push({ id: r.id, category: r.category, partner: r.partner, groupNumber: r.group_number, dueAt: r.due_at, owner: r.owner });
    } else if (left <= DUE_SOON_MS) report.dueSoon++;
  }
  return report;
}

/** Whether an open item is due within 8 hours (and not yet overdue). */
export function isDueSoon(item: Pick<ExceptionRecord, 'state' | 'dueAt'>, now: Date): boolean {
  const left = item.dueAt.getTime() - now.getTime();
  return (item.state === 'open' || item.state === 'in_progress') && left >= 0 && left <= DUE_SOON_MS;
}

/** The report's rows as CSV (one row per open item's counts by bucket, then the overdue items). */
export function queueReportCsv(r: QueueReport): string {
  const lines = ['section,key,count'];
  for (const b of AGE_BUCKETS) lines.push(`age,${b},${r.byAge[b]}`);
  for (const [k, v] of Object.entries(r.byPartner)) lines.push(csvRow(['partner', k, v]));
  for (const [k, v] of Object.entries(r.byCategory)) lines.push(csvRow(['category', k, v]));
  lines.push('', 'overdue_id,category,partner,group,due_at,owner');
  for (const o of r.overdueItems) lines.push(csvRow([o.id, o.category, o.partner, o.groupNumber, o.dueAt.toISOString(), o.owner]));
  return `${lines.join('\n')}\n`;
}

/** The SLA of the queue in one place: due 48 h after receipt (categories.ts), flagged 8 h before. */
export const SLA = { dueAfterMs: EXCEPTION_SLA_MS, dueSoonMs: DUE_SOON_MS } as const;
