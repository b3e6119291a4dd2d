/**
 * The references of the bulk tables (member → group, coverage → member and plan, history →
 * member) are checked per statement by triggers instead of per-row foreign keys
 * (migration 000005). These tests show the guarantees of the keys still hold, for rows
 * written by INSERT and by COPY, and that what is named cannot be removed.
 */
import { describe, expect, it } from 'vitest';
import { CopyText } from '../../src/db/copy-text.js';
import type { Db } from '../../src/db/db.js';
import { DbError, SqlState } from '../../src/db/errors.js';
import { readReferenceFile } from '../../src/reference/load-file.js';
import { loadReferenceData } from '../../src/reference/store.js';
import { fileURLToPath } from 'node:url';
import { build834, count, ingest, members, subscriber, useEnrollmentDb } from './build834.js';

const REFERENCE = fileURLToPath(new URL('../../samples/reference-data.yaml', import.meta.url));

async function refusal(p: Promise<unknown>): Promise<DbError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DbError);
    return err as DbError;
  }
  throw new Error('expected the statement to be refused');
}

/** One family on file (through an ingest): its member id and the plan of its coverage. */
async function oneMember(db: Db): Promise<{ id: string; planId: string }> {
  await ingest(db, build834([subscriber('900000001')]));
  const [m] = await members(db);
  const { rows } = await db.query<{ plan_id: string }>('select plan_id from coverage limit 1');
  return { id: m!.id, planId: rows[0]!.plan_id };
}

describe('references of the bulk tables (statement-level checks)', () => {
  const db = useEnrollmentDb();

  it('refuses a member of an unknown employer group, by INSERT or by COPY, and keeps none of the statement', async () => {
    const insert = await refusal(
      db().query(`insert into member (group_number, subscriber_number, is_subscriber, relationship, eligibility_begin, created_file_id, updated_file_id)
                  values ('GRP10045', 'S1', true, '18', '2026-12-01', 1, 1), ('NO-SUCH-GROUP', 'S2', true, '18', '2026-12-01', 1, 1)`),
    );
    expect(insert.sqlState).toBe(SqlState.foreignKeyViolation);
    expect(insert.constraint).toBe('member_group_number_ref');
    const rows = new CopyText(7);
    rows.add(['GRP10045', 'S1', true, '18', '2026-12-01', 1, 1]);
    rows.add(['NO-SUCH-GROUP', 'S2', true, '18', '2026-12-01', 1, 1]);
    const copy = await refusal(
      db().copyFrom('member', ['group_number', 'subscriber_number', 'is_subscriber', 'relationship', 'eligibility_begin', 'created_file_id', 'updated_file_id'], rows.toString()),
    );
    expect(copy.sqlState).toBe(SqlState.foreignKeyViolation);
    expect(await count(db(), 'member')).toBe(0);
  });

  it('refuses a coverage of an unknown member or plan, and a history row of an unknown member', async () => {
    const { id, planId } = await oneMember(db());
    const before = await count(db(), 'coverage');
    const ghost = String(Number(id) + 1000);
    const cover = (member: string, plan: string): Promise<unknown> =>
      db().query(`insert into coverage (member_id, insurance_line, plan_id, begin_date) values ($1, 'VIS', $2, '2027-01-01')`, [member, plan]);
    expect((await refusal(cover(ghost, planId))).constraint).toBe('coverage_member_id_ref');
    expect((await refusal(cover(id, 'NO-SUCH-PLAN'))).constraint).toBe('coverage_plan_id_ref');
    await cover(id, planId);
    expect(await count(db(), 'coverage')).toBe(before + 1);
    // An update may change the plan, never to one that does not exist.
    expect((await refusal(db().query(`update coverage set plan_id = 'NO-SUCH-PLAN' where member_id = $1`, [id]))).constraint).toBe('coverage_plan_id_ref');

    const history = new CopyText(5);
    history.add([ghost, 'add', 1, '000000001', '0001']);
    const e = await refusal(db().copyFrom('member_history', ['member_id', 'action', 'file_id', 'interchange_control', 'set_control'], history.toString()));
    expect(e.constraint).toBe('member_history_member_id_ref');
  });

  it('never deletes a member or coverage, nor changes their ids', async () => {
    const { id } = await oneMember(db());
    expect((await refusal(db().query('delete from member where id = $1', [id]))).constraint).toBe('member_never_removed');
    expect((await refusal(db().query('update member set id = id + 1000 where id = $1', [id]))).constraint).toBe('member_never_removed');
    expect((await refusal(db().query('delete from coverage where member_id = $1', [id]))).constraint).toBe('coverage_never_removed');
    expect((await refusal(db().query('update coverage set member_id = member_id + 1000'))).constraint).toBe('coverage_never_removed');
    expect(await count(db(), 'member')).toBe(1);
  });

  it('refuses removing an employer group that has members, or a plan coverages name: the reference load changes nothing', async () => {
    const { planId } = await oneMember(db());
    const [m] = await members(db());
    const reference = await readReferenceFile(REFERENCE);
    const withoutGroup = { ...reference, groups: reference.groups.filter((g) => g.group_number !== m!.group_number) };
    const e = await refusal(loadReferenceData(db(), withoutGroup));
    expect(e.sqlState).toBe(SqlState.foreignKeyViolation);
    expect(e.message).toContain('still has members');
    expect((await db().query('select 1 from employer_group where group_number = $1', [m!.group_number])).rowCount).toBe(1);

    const plans = await db().query('select id from plan order by id');
    await refusal(db().query('delete from plan where id = $1', [planId]));
    expect((await db().query('select id from plan order by id')).rows).toEqual(plans.rows);
  });

  it('keeps one subscriber per family (migration 000006), by INSERT or by COPY, while dependents may be many', async () => {
    const columns = ['group_number', 'subscriber_number', 'is_subscriber', 'relationship', 'eligibility_begin', 'created_file_id', 'updated_file_id'];
    const row = (sub: string, isSubscriber: boolean, rel: string): Array<string | number | boolean> => ['GRP10045', sub, isSubscriber, rel, '2026-12-01', 1, 1];
    const family = new CopyText(7);
    for (const r of [row('S1', true, '18'), row('S1', false, '01'), row('S1', false, '19'), row('S1', false, '19'), row('S2', true, '18')]) family.add(r);
    await db().copyFrom('member', columns, family.toString());

    const second = await refusal(db().query(`insert into member (${columns.join(', ')}) values ('GRP10045', 'S1', true, '18', '2026-12-01', 1, 1)`));
    expect(second.sqlState).toBe(SqlState.uniqueViolation);
    expect(second.constraint).toBe('member_family_key_idx');
    const twice = new CopyText(7);
    twice.add(row('S3', true, '18'));
    twice.add(row('S3', true, '18'));
    expect((await refusal(db().copyFrom('member', columns, twice.toString()))).sqlState).toBe(SqlState.uniqueViolation);
    expect(await count(db(), 'member')).toBe(5);
    // A subscriber can be recorded as a dependent and back: the third key moves between the id and 0.
    await db().query(`update member set is_subscriber = false where subscriber_number = 'S2'`);
    await db().query(`update member set is_subscriber = true where subscriber_number = 'S2'`);
  });
});
