/**
 * The exception queue's records on both adapters (in-memory PGlite; PostgreSQL at
 * TEST_DATABASE_URL when it answers): idempotent recording, the 48-hour due time, filters,
 * allowlisted sorting, overdue against a given clock, and the state machine with history.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { DbError } from '../../src/db/errors.js';
import { migrate } from '../../src/db/migrate.js';
import { EXCEPTION_CATEGORY_LIST, EXCEPTION_SLA_MS } from '../../src/exceptions/categories.js';
import {
  ExceptionQueueError,
  exceptionHistory,
  listExceptions,
  recordExceptions,
  transitionException,
  type ListExceptionsOptions,
  type NewException,
} from '../../src/exceptions/store.js';
import { REQUIRE_PG, TEST_DATABASE_URL, pgHarness, pgliteHarness, probePg, redactUrl, useTestDb, type DbHarness } from '../db/harness.js';

const MIGRATIONS = fileURLToPath(new URL('../../schemas/sql/migrations/', import.meta.url));
const RECEIVED = new Date('2026-11-20T09:15:30.123Z');

/** Inserts an inbound file directly (intake is not under test here); returns its id. */
export async function insertFile(db: Db, partner: string, receivedAt: Date, n: number): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `insert into inbound_file (partner, file_name, sha256, received_at, size_bytes)
     values ($1, $2, $3, $4, 100) returning id::text as id`,
    [partner, `file-${n}.x12`, n.toString(16).padStart(64, '0'), receivedAt.toISOString()],
  );
  return rows[0]!.id;
}

function describeExceptionStore(kind: Db['kind'], harness: () => DbHarness): void {
  const db = (): Db => harness().db;
  let fileA: string;
  let fileB: string;
  let n = 0;

  beforeAll(async () => {
    await migrate(db());
  });
  beforeEach(async () => {
    // exception_event is append-only (a trigger refuses deletes): truncate bypasses row triggers.
    await db().exec('truncate exception_event, exception, inbound_file restart identity cascade;');
    fileA = await insertFile(db(), 'acme', RECEIVED, ++n);
    fileB = await insertFile(db(), 'summit-tpa', new Date('2026-11-22T12:00:00Z'), ++n);
  });

  const items = (): NewException[] => [
    { category: 'last-name-change', fileId: fileA, setControl: '0001', segmentPosition: 12, groupNumber: 'GRP10045', subscriberId: 'M100', subgroup: 'A', classCode: '1001', description: 'The subscriber’s last name changed.' },
    { category: 'dependent-age-26', fileId: fileA, setControl: '0001', segmentPosition: 40, groupNumber: 'GRP10045', subscriberId: 'M200', description: 'A dependent child is 26.' },
    { category: 'unknown-invoice', fileId: fileB, setControl: '0002', segmentPosition: 7, groupNumber: 'GRP20311', description: 'Invoice not found.' },
    { category: 'rejected-set', fileId: fileB, description: 'The file was rejected.' },
  ];

  it(`records idempotently: the same items twice give one row each (${kind})`, async () => {
    expect(await recordExceptions(db(), items())).toBe(4);
    expect(await recordExceptions(db(), items())).toBe(0);
    // Duplicates inside one batch count once, too.
    expect(await recordExceptions(db(), [...items(), ...items()])).toBe(0);
    const count = await db().query<{ e: number; v: number }>('select (select count(*)::int from exception) as e, (select count(*)::int from exception_event) as v');
    expect(count.rows[0]).toEqual({ e: 4, v: 4 });
    const opened = await db().query("select actor, from_state, to_state, note from exception_event order by id limit 1");
    expect(opened.rows[0]).toEqual({ actor: 'edibridge', from_state: null, to_state: 'open', note: 'opened' });
    // A different category at the same position is a different exception.
    expect(await recordExceptions(db(), [{ ...items()[0]!, category: 'other' }])).toBe(1);
  });

  it(`takes the partner from the file and sets due_at = received + 48 h exactly (${kind})`, async () => {
    const explicit = new Date('2026-11-21T23:59:59.999Z');
    await recordExceptions(db(), [items()[0]!, { ...items()[1]!, receivedAt: explicit }]);
    const rows = await listExceptions(db(), { sort: 'age' });
    expect(rows.map((r) => [r.partner, r.state, r.owner, r.receivedAt.getTime(), r.dueAt.getTime() - r.receivedAt.getTime()])).toEqual([
      ['acme', 'open', null, RECEIVED.getTime(), EXCEPTION_SLA_MS],
      ['acme', 'open', null, explicit.getTime(), EXCEPTION_SLA_MS],
    ]);
    expect(rows[0]!.dueAt.toISOString()).toBe('2026-11-22T09:15:30.123Z');
    expect(rows[0]).toMatchObject({ fileId: fileA, setControl: '0001', segmentPosition: 12, subscriberId: 'M100', subgroup: 'A', classCode: '1001' });
  });

  it(`refuses an unknown file and an unknown category, recording nothing (${kind})`, async () => {
    const err = await recordExceptions(db(), [items()[0]!, { ...items()[1]!, fileId: '999999' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExceptionQueueError);
    expect((err as ExceptionQueueError).reason).toBe('UNKNOWN_FILE');
    await expect(recordExceptions(db(), [{ ...items()[0]!, category: 'nope' as never }])).rejects.toMatchObject({ reason: 'INVALID_INPUT' });
    expect((await listExceptions(db())).length).toBe(0);
  });

  it(`filters and sorts from the allowlist (${kind})`, async () => {
    await recordExceptions(db(), items());
    const ids = async (o: ListExceptionsOptions): Promise<string[]> => (await listExceptions(db(), o)).map((r) => r.category);
    expect(await ids({ groupNumber: 'GRP10045', sort: 'category' })).toEqual(['dependent-age-26', 'last-name-change']);
    expect(await ids({ category: 'unknown-invoice' })).toEqual(['unknown-invoice']);
    expect(await ids({ partner: 'summit-tpa', sort: 'category', direction: 'desc' })).toEqual(['unknown-invoice', 'rejected-set']);
    expect(await ids({ state: 'resolved' })).toEqual([]);
    expect(await ids({ sort: 'group' })).toEqual(['last-name-change', 'dependent-age-26', 'unknown-invoice', 'rejected-set']);
    expect(await ids({ sort: 'due', direction: 'desc', limit: 2 })).toEqual(['rejected-set', 'unknown-invoice']);
    // Whatever arrives untyped is refused before any SQL is built from it.
    for (const bad of [{ sort: 'due_at; drop table exception' }, { sort: 'toString' }, { direction: 'asc; select 1' }, { limit: 0 }, { limit: 1.5 }]) {
      await expect(listExceptions(db(), bad as never), JSON.stringify(bad)).rejects.toMatchObject({ reason: 'INVALID_INPUT' });
    }
    expect((await listExceptions(db())).length).toBe(4);
  });

  it(`computes overdue against a given now (${kind})`, async () => {
    await recordExceptions(db(), items());
    const dueA = RECEIVED.getTime() + EXCEPTION_SLA_MS;
    const at = (t: number) => listExceptions(db(), { now: new Date(t), sort: 'category' });
    expect((await at(dueA)).filter((r) => r.overdue)).toEqual([]);
    expect((await at(dueA + 1)).filter((r) => r.overdue).map((r) => r.category)).toEqual(['dependent-age-26', 'last-name-change']);
    expect((await listExceptions(db(), { now: new Date(dueA + 1), overdue: false, sort: 'category' })).map((r) => r.category)).toEqual([
      'rejected-set',
      'unknown-invoice',
    ]);
    // A resolved item is never overdue.
    const [first] = await listExceptions(db(), { category: 'last-name-change' });
    await transitionException(db(), first!.id, 'resolved', { actor: 'ops1' });
    expect((await listExceptions(db(), { now: new Date(dueA + 1), overdue: true })).map((r) => r.category)).toEqual(['dependent-age-26']);
  });

  it(`moves through the states, writing history, and refuses illegal moves (${kind})`, async () => {
    await recordExceptions(db(), items());
    const [a, b, c] = await listExceptions(db(), { sort: 'category' });
    const taken = await transitionException(db(), a!.id, 'in_progress', { actor: 'ops1', note: 'calling the employer' });
    expect(taken).toMatchObject({ state: 'in_progress', owner: 'ops1' });
    const done = await transitionException(db(), a!.id, 'resolved', { actor: 'ops2', note: 'confirmed' });
    expect(done).toMatchObject({ state: 'resolved', owner: 'ops1' });
    expect(done.updatedAt.getTime()).toBeGreaterThanOrEqual(done.createdAt.getTime());
    expect((await exceptionHistory(db(), a!.id)).map((e) => [e.actor, e.fromState, e.toState, e.note])).toEqual([
      ['edibridge', null, 'open', 'opened'],
      ['ops1', 'open', 'in_progress', 'calling the employer'],
      ['ops2', 'in_progress', 'resolved', 'confirmed'],
    ]);
    expect(await transitionException(db(), b!.id, 'rejected', { actor: 'ops1', owner: 'ops9' })).toMatchObject({ state: 'rejected', owner: 'ops9' });

    for (const [id, to] of [[a!.id, 'open'], [a!.id, 'in_progress'], [a!.id, 'rejected'], [b!.id, 'resolved'], [c!.id, 'open']] as const) {
      const err = await transitionException(db(), id, to, { actor: 'ops1' }).catch((e: unknown) => e);
      expect(err, `${id} → ${to}`).toBeInstanceOf(ExceptionQueueError);
      expect((err as ExceptionQueueError).reason).toBe('ILLEGAL_TRANSITION');
    }
    await transitionException(db(), c!.id, 'in_progress', { actor: 'ops1' });
    await expect(transitionException(db(), c!.id, 'in_progress', { actor: 'ops1' })).rejects.toMatchObject({ reason: 'ILLEGAL_TRANSITION' });
    await expect(transitionException(db(), '424242', 'resolved', { actor: 'ops1' })).rejects.toMatchObject({ reason: 'NOT_FOUND' });
    await expect(transitionException(db(), 'x', 'resolved', { actor: 'ops1' })).rejects.toMatchObject({ reason: 'NOT_FOUND' });
    // Refused moves wrote nothing.
    expect((await exceptionHistory(db(), a!.id)).length).toBe(3);
    expect((await exceptionHistory(db(), b!.id)).length).toBe(2);
    expect((await exceptionHistory(db(), c!.id)).length).toBe(2);
  });

  it(`keeps the history append-only (${kind})`, async () => {
    await recordExceptions(db(), items().slice(0, 1));
    await expect(db().query("update exception_event set actor = 'someone'")).rejects.toBeInstanceOf(DbError);
    await expect(db().query('delete from exception_event')).rejects.toBeInstanceOf(DbError);
    expect((await db().query('select actor from exception_event')).rows).toEqual([{ actor: 'edibridge' }]);
  });
}

describe('exception categories', () => {
  it('lists the same categories as the check constraint of the last migration that sets it', () => {
    // 000003 creates the constraint; a later migration that adds a category replaces it.
    let list = '';
    for (const file of readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql')).sort()) {
      const sql = readFileSync(`${MIGRATIONS}${file}`, 'utf8');
      const found = /category text not null check \(category in \(([^)]*)\)\)|exception_category_check check \(category in \(([^)]*)\)\)/.exec(sql);
      if (found) list = found[1] ?? found[2] ?? '';
    }
    const inSql = [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]);
    expect(inSql).toEqual(EXCEPTION_CATEGORY_LIST);
  });
});

describe('exceptions on pglite', () => {
  const harness = useTestDb(pgliteHarness);
  describeExceptionStore('pglite', harness);
});

const probe = await probePg(TEST_DATABASE_URL);
if (!probe.ok) {
  console.warn(`PostgreSQL is not reachable at ${redactUrl(TEST_DATABASE_URL)} (${probe.reason}): the pg exception tests are ${REQUIRE_PG ? 'failed' : 'skipped'}.`);
  describe('exceptions on pg', () => {
    if (REQUIRE_PG) it('has a PostgreSQL server to test against', () => { throw new Error(probe.reason); });
    else it.skip('skipped: PostgreSQL not reachable', () => {});
  });
} else {
  describe('exceptions on pg', () => {
    const harness = useTestDb(pgHarness);
    describeExceptionStore('pg', harness);
  });
}
