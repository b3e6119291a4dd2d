/**
 * The exception queue's records: recording exceptions in bulk (idempotent per file position
 * and category), listing them for ops, and moving them through their states with history.
 * Batches go as arrays (`unnest`), one statement for the lot; sort keys and directions come
 * from an allowlist, never from the caller's text.
 */
import type { Db } from '../db/db.js';
import { EdiBridgeError, type ErrorContext } from '../core/errors.js';
import {
  EXCEPTION_SLA_HOURS,
  EXCEPTION_TRANSITIONS,
  isExceptionCategory,
  type ExceptionCategory,
  type ExceptionState,
} from './categories.js';

/** Why an exception-queue operation was refused. */
export type ExceptionErrorReason = 'ILLEGAL_TRANSITION' | 'NOT_FOUND' | 'UNKNOWN_FILE' | 'INVALID_INPUT';

/**
 * A refused exception-queue operation. `reason` says which; the context holds ids, states and
 * positions only (never a subscriber ID or description).
 */
export class ExceptionQueueError extends EdiBridgeError {
  constructor(
    readonly reason: ExceptionErrorReason,
    message: string,
    context: ErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(reason === 'ILLEGAL_TRANSITION' ? 'INVALID_STATE' : reason === 'INVALID_INPUT' ? 'USAGE' : 'NOT_FOUND', message, context, options);
  }
}

export interface NewException {
  category: ExceptionCategory;
  /** inbound_file.id of the file it came from (int8: string or number). */
  fileId: string | number;
  /** ST02 of the set; omit for a file-level exception. */
  setControl?: string;
  /** The segment's position in its set (ST = 1). */
  segmentPosition?: number;
  groupNumber?: string;
  /** The subscriber's member ID (PHI). */
  subscriberId?: string;
  /** The member ID we issued to the member it is about (tells apart items at one position). */
  memberId?: string;
  subgroup?: string;
  classCode?: string;
  /** What is wrong and what is needed, in plain language. */
  description: string;
  /** When the file was received; default the file's received_at. Due 48 hours later. */
  receivedAt?: Date;
}

export interface RecordOptions {
  /** Who records them (the first event's actor); default 'edibridge'. */
  actor?: string;
}

/**
 * Records exceptions in one statement: new ones are inserted with state open and due 48 hours
 * after the file was received, each with an 'opened' event; ones already recorded for the same
 * file, set, segment position, category and member are left alone. Returns how many were new.
 */
export async function recordExceptions(db: Db, items: readonly NewException[], options: RecordOptions = {}): Promise<number> {
  if (items.length === 0) return 0;
  items.forEach((item, i) => {
    if (!isExceptionCategory(item.category)) {
      throw new ExceptionQueueError('INVALID_INPUT', `unknown exception category at item ${i}`, { item: i });
    }
    if (item.description.trim() === '') {
      throw new ExceptionQueueError('INVALID_INPUT', `exception at item ${i} has no description`, { item: i });
    }
  });
  const col = <T>(f: (x: NewException) => T | undefined): (T | null)[] => items.map((x) => f(x) ?? null);
  const values = [
    col((x) => x.category),
    col((x) => String(x.fileId)),
    col((x) => x.setControl),
    col((x) => x.segmentPosition),
    col((x) => x.groupNumber),
    col((x) => x.subscriberId),
    col((x) => x.subgroup),
    col((x) => x.classCode),
    col((x) => x.description),
    col((x) => x.receivedAt?.toISOString()),
    options.actor ?? 'edibridge',
    col((x) => x.memberId),
  ];
  return db.transaction(async (tx) => {
    // A missing file would otherwise surface as a constraint error without saying which.
    const missing = await tx.query<{ id: string }>(
      'select distinct u.id::text as id from unnest($1::bigint[]) as u(id) where not exists (select 1 from inbound_file f where f.id = u.id) order by 1',
      [values[1]],
    );
    if (missing.rows.length > 0) {
      throw new ExceptionQueueError('UNKNOWN_FILE', `no inbound file ${missing.rows.map((r) => r.id).join(', ')}`, {
        file: missing.rows.map((r) => r.id).join(','),
      });
    }
    const { rows } = await tx.query<{ n: number }>(
      `with u as (
         select * from unnest($1::text[], $2::bigint[], $3::text[], $4::integer[], $5::text[], $6::text[],
                              $7::text[], $8::text[], $9::text[], $10::timestamptz[], $12::text[])
           with ordinality as u(category, file_id, set_control, segment_position, group_number, subscriber_id,
                subgroup, class_code, description, received_at, member_id, ord)
       ), ins as (
         insert into exception (category, partner, file_id, set_control, segment_position, group_number,
                                subscriber_id, member_id, subgroup, class_code, description, received_at, due_at)
         select u.category, f.partner, u.file_id, u.set_control, u.segment_position, u.group_number,
                u.subscriber_id, u.member_id, u.subgroup, u.class_code, u.description,
                coalesce(u.received_at, f.received_at),
                coalesce(u.received_at, f.received_at) + make_interval(hours => ${EXCEPTION_SLA_HOURS})
           from u join inbound_file f on f.id = u.file_id
          -- ids follow the order of the items
          order by u.ord
         on conflict on constraint exception_dedupe_key do nothing
         returning id, created_at
       ), ev as (
         insert into exception_event (exception_id, at, actor, from_state, to_state, note)
         select ins.id, ins.created_at, $11, null, 'open', 'opened' from ins
       )
       select count(*)::integer as n from ins`,
      values,
    );
    return rows[0]?.n ?? 0;
  });
}

/** An exception about a partner's connection, not a file (a changed SFTP host key). */
export interface NewPartnerException {
  category: ExceptionCategory;
  partner: string;
  /** What tells this item apart from another of the partner's of the same category. */
  subject: string;
  description: string;
  /** When it was seen; due 48 hours later. */
  at: Date;
}

/**
 * Records an exception about a partner rather than a file, once per partner, category and
 * subject: meeting the same cause again adds nothing. Returns whether it was new.
 */
export async function recordPartnerException(db: Db, item: NewPartnerException, options: RecordOptions = {}): Promise<boolean> {
  if (!isExceptionCategory(item.category)) throw new ExceptionQueueError('INVALID_INPUT', 'unknown exception category');
  if (item.description.trim() === '' || item.subject.trim() === '') {
    throw new ExceptionQueueError('INVALID_INPUT', 'a partner exception needs a subject and a description');
  }
  const { rows } = await db.query<{ n: number }>(
    `with ins as (
       insert into exception (category, partner, subject, description, received_at, due_at)
       values ($1, $2, $3, $4, $5, $5::timestamptz + make_interval(hours => ${EXCEPTION_SLA_HOURS}))
       on conflict on constraint exception_dedupe_key do nothing
       returning id, created_at
     ), ev as (
       insert into exception_event (exception_id, at, actor, from_state, to_state, note)
       select ins.id, ins.created_at, $6, null, 'open', 'opened' from ins
     )
     select count(*)::integer as n from ins`,
    [item.category, item.partner, item.subject, item.description, item.at.toISOString(), options.actor ?? 'edibridge'],
  );
  return (rows[0]?.n ?? 0) > 0;
}

/** One exception as the queue shows it. int8 ids are strings. */
export interface ExceptionRecord {
  id: string;
  category: ExceptionCategory;
  partner: string;
  /** The file it came from; null for an item about the partner's connection (see `subject`). */
  fileId: string | null;
  /** What an item without a file is about (the host key fingerprint seen). */
  subject: string | null;
  setControl: string | null;
  segmentPosition: number | null;
  groupNumber: string | null;
  /** PHI: show to ops, never log. */
  subscriberId: string | null;
  /** The member ID we issued, when the item is about one member on file. */
  memberId: string | null;
  subgroup: string | null;
  classCode: string | null;
  description: string;
  receivedAt: Date;
  dueAt: Date;
  state: ExceptionState;
  owner: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Not resolved or rejected, and due before `now`. */
  overdue: boolean;
}

export type ExceptionSortKey = 'due' | 'age' | 'category' | 'group';
export type SortDirection = 'asc' | 'desc';

/** The only ORDER BY expressions a caller can reach; the id breaks ties so paging is stable. */
const SORT_SQL: { readonly [K in ExceptionSortKey]: string } = {
  due: 'e.due_at',
  age: 'e.received_at',
  category: 'e.category',
  group: 'e.group_number',
};
const DIRECTION_SQL: { readonly [D in SortDirection]: string } = { asc: 'asc', desc: 'desc' };
export const EXCEPTION_SORT_KEYS = Object.keys(SORT_SQL) as [ExceptionSortKey, ...ExceptionSortKey[]];

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

export interface ListExceptionsOptions {
  state?: ExceptionState;
  category?: ExceptionCategory;
  groupNumber?: string;
  partner?: string;
  /** Only overdue items (true) or only items not overdue (false). */
  overdue?: boolean;
  /** Default 'due' (oldest due first). 'age' is the time since the file was received. */
  sort?: ExceptionSortKey;
  /** Default 'asc' ('age' asc = oldest first). */
  direction?: SortDirection;
  /** 1…1000, default 100. */
  limit?: number;
  /** What "overdue" is measured against; default the database's now(). */
  now?: Date;
  /** Items to skip (paging), default 0. */
  offset?: number;
  /**
   * Only items of these groups, or, for items with no group, of these partners (a partner
   * organisation's scope, src/access). Omit for every item.
   */
  scope?: { groups: readonly string[]; partners: readonly string[] };
}

const SELECT_COLUMNS = `e.id::text as id, e.category, e.partner, e.file_id::text as "fileId", e.subject, e.set_control as "setControl",
  e.segment_position as "segmentPosition", e.group_number as "groupNumber", e.subscriber_id as "subscriberId",
  e.member_id as "memberId",
  e.subgroup, e.class_code as "classCode", e.description, e.received_at as "receivedAt", e.due_at as "dueAt",
  e.state, e.owner, e.created_at as "createdAt", e.updated_at as "updatedAt"`;

/** Lists exceptions, filtered and sorted, with `overdue` computed against `now`. */
export async function listExceptions(db: Db, options: ListExceptionsOptions = {}): Promise<ExceptionRecord[]> {
  const sortKey = options.sort ?? 'due';
  const direction = options.direction ?? 'asc';
  // Runtime checks too: the options may come from untyped input.
  if (!Object.hasOwn(SORT_SQL, sortKey)) {
    throw new ExceptionQueueError('INVALID_INPUT', `unknown sort key (allowed: ${EXCEPTION_SORT_KEYS.join(', ')})`);
  }
  if (!Object.hasOwn(DIRECTION_SQL, direction)) {
    throw new ExceptionQueueError('INVALID_INPUT', 'unknown sort direction (allowed: asc, desc)');
  }
  const limit = options.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new ExceptionQueueError('INVALID_INPUT', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  }
  const nullsLast = sortKey === 'group' ? ' nulls last' : '';
  // Only the filters given become predicates (each value a parameter), so an unfiltered page
  // walks the sort key's index instead of scanning the queue.
  const params: unknown[] = [options.now?.toISOString() ?? null];
  const overdue = `(e.state in ('open', 'in_progress') and e.due_at < coalesce($1::timestamptz, now()))`;
  const where: string[] = [];
  const param = (v: unknown): string => `$${params.push(v)}`;
  if (options.state !== undefined) where.push(`e.state = ${param(options.state)}`);
  if (options.category !== undefined) where.push(`e.category = ${param(options.category)}`);
  if (options.groupNumber !== undefined) where.push(`e.group_number = ${param(options.groupNumber)}`);
  if (options.partner !== undefined) where.push(`e.partner = ${param(options.partner)}`);
  if (options.overdue !== undefined) where.push(options.overdue ? overdue : `not ${overdue}`);
  if (options.scope) {
    where.push(`(e.group_number = any(${param([...options.scope.groups])}::text[]) or (e.group_number is null and e.partner = any(${param([...options.scope.partners])}::text[])))`);
  }
  const offset = options.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw new ExceptionQueueError('INVALID_INPUT', 'offset must be a non-negative integer');
  const { rows } = await db.query<ExceptionRecord>(
    `select ${SELECT_COLUMNS}, ${overdue} as overdue
       from exception e
      ${where.length ? `where ${where.join(' and ')}` : ''}
      order by ${SORT_SQL[sortKey]} ${DIRECTION_SQL[direction]}${nullsLast}, e.id ${DIRECTION_SQL[direction]}
      limit ${param(limit)} offset ${param(offset)}`,
    params,
  );
  return rows;
}

/** One row of an exception's history. */
export interface ExceptionEvent {
  id: string;
  exceptionId: string;
  at: Date;
  actor: string;
  fromState: ExceptionState | null;
  toState: ExceptionState;
  /** state: a change of state; assign, comment and rerun (src/exceptions/rerun.ts) keep it. */
  kind: 'state' | 'assign' | 'comment' | 'rerun';
  note: string | null;
}

export async function exceptionHistory(db: Db, id: string | number): Promise<ExceptionEvent[]> {
  const { rows } = await db.query<ExceptionEvent>(
    `select id::text as id, exception_id::text as "exceptionId", at, actor, from_state as "fromState",
            to_state as "toState", kind, note
       from exception_event where exception_id = $1::bigint order by at, id`,
    [String(id)],
  );
  return rows;
}

export async function getException(db: Db, id: string | number, now?: Date): Promise<ExceptionRecord | undefined> {
  const { rows } = await db.query<ExceptionRecord>(
    `select ${SELECT_COLUMNS},
            (e.state in ('open', 'in_progress') and e.due_at < coalesce($2::timestamptz, now())) as overdue
       from exception e where e.id = $1::bigint`,
    [String(id), now?.toISOString() ?? null],
  );
  return rows[0];
}

export interface TransitionOptions {
  /** Who makes the change (written to the history). */
  actor: string;
  note?: string;
  /** Assigns the exception; moving to in_progress without one assigns it to the actor when unowned. */
  owner?: string;
}

export function isLegalTransition(from: ExceptionState, to: ExceptionState): boolean {
  return EXCEPTION_TRANSITIONS[from].includes(to);
}

/**
 * Moves an exception to state `to`, in one transaction with its history row. Refuses a move
 * the state machine does not allow (ExceptionQueueError ILLEGAL_TRANSITION) and an unknown id
 * (NOT_FOUND). Returns the updated exception.
 */
export async function transitionException(
  db: Db,
  id: string | number,
  to: ExceptionState,
  options: TransitionOptions,
): Promise<ExceptionRecord> {
  if (!Object.hasOwn(EXCEPTION_TRANSITIONS, to)) {
    throw new ExceptionQueueError('INVALID_INPUT', 'unknown exception state', { exception: String(id) });
  }
  if (options.actor.trim() === '') {
    throw new ExceptionQueueError('INVALID_INPUT', 'a state change needs an actor', { exception: String(id) });
  }
  const key = String(id);
  if (!/^[1-9][0-9]{0,18}$/.test(key)) throw new ExceptionQueueError('NOT_FOUND', `no exception ${key}`, { exception: key });
  return db.transaction(async (tx) => {
    // Lock the row: two people moving the same item are serialised, and the second sees the first's state.
    const current = await tx.query<{ state: ExceptionState }>('select state from exception where id = $1::bigint for update', [key]);
    const from = current.rows[0]?.state;
    if (from === undefined) throw new ExceptionQueueError('NOT_FOUND', `no exception ${key}`, { exception: key });
    if (!isLegalTransition(from, to)) {
      throw new ExceptionQueueError('ILLEGAL_TRANSITION', `exception ${key} cannot go from ${from} to ${to}`, {
        exception: key,
        from,
        to,
      });
    }
    await tx.query(
      `update exception
          set state = $2,
              owner = coalesce($3, case when $2 = 'in_progress' then coalesce(owner, $4) else owner end),
              updated_at = greatest(now(), updated_at)
        where id = $1::bigint`,
      [key, to, options.owner ?? null, options.actor],
    );
    await tx.query(
      `insert into exception_event (exception_id, at, actor, from_state, to_state, note)
       select id, updated_at, $2, $3, $4, $5 from exception where id = $1::bigint`,
      [key, options.actor, from, to, options.note ?? null],
    );
    const row = await getException(tx, key);
    if (!row) throw new ExceptionQueueError('NOT_FOUND', `no exception ${key}`, { exception: key });
    return row;
  });
}
