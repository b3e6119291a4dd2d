/**
 * Plans as partners name them (HD04, free text with spaces), end to end on PostgreSQL with
 * the sample reference data: GRP20311 (summit-tpa) names HMO10 `BRONZE HMO 5000` and DEN01
 * `DENTAL PLUS PPO`; GRP30007 (summit-tpa too) offers HMO10 but names none.
 */
import { describe, expect, it } from 'vitest';
import { SUMMIT, build834, count, coverages, exceptions, ingest, member, membershipSnapshot, subscriber, useEnrollmentDb } from './build834.js';

const SUB = '900000001';
const RIVERSIDE = { sender: SUMMIT, masterPolicy: 'GRP20311' };
const LAKESIDE = { sender: SUMMIT, masterPolicy: 'GRP30007' };

describe('834 apply: plans by the names a group gives them (PostgreSQL)', () => {
  const db = useEnrollmentDb();

  it('applies `HD*021**HLT*BRONZE HMO 5000*EMP` under a group that names HMO10 so; a name matches with case ignored', async () => {
    const text = build834([
      subscriber(SUB, { coverages: [{ line: 'HLT', plan: 'BRONZE HMO 5000', level: 'EMP' }, { line: 'DEN', plan: 'Dental Plus PPO', level: 'EMP' }] }),
      // The plan id keeps working beside the names.
      subscriber('900000002', { first: 'BYID', coverages: [{ line: 'HLT', plan: 'HMO10', level: 'EMP' }] }),
    ], RIVERSIDE);
    expect(text).toContain('HD*021**HLT*BRONZE HMO 5000*EMP~');
    const r = await ingest(db(), text);
    expect(r.totals).toMatchObject({ added: 2, held: 0 });
    expect((await coverages(db())).map((c) => [c.first_name, c.insurance_line, c.plan_id])).toEqual([
      ['ALEX', 'DEN', 'DEN01'],
      ['ALEX', 'HLT', 'HMO10'],
      ['BYID', 'HLT', 'HMO10'],
    ]);
    expect(await count(db(), 'exception')).toBe(0);
  });

  it('holds the same text under a group that does not name it (unknown-plan), nothing of the member applied', async () => {
    const r = await ingest(db(), build834([subscriber(SUB, { coverages: [{ line: 'HLT', plan: 'BRONZE HMO 5000', level: 'EMP' }] })], LAKESIDE));
    expect(r.totals).toMatchObject({ added: 0, held: 1 });
    expect(await count(db(), 'member')).toBe(0);
    const ex = await exceptions(db());
    expect(ex.map((e) => [e.category, e.group_number, e.subscriber_id])).toEqual([['unknown-plan', 'GRP30007', SUB]]);
    expect(ex[0]!.description).toMatch(/plan_names in the reference data/);
  });

  it('reads a name only on its plan\'s insurance line, and never guesses a near spelling', async () => {
    const r = await ingest(db(), build834([
      // BRONZE HMO 5000 is HMO10, an HLT plan: on DEN it names nothing.
      subscriber('900000001', { first: 'WRONGLINE', coverages: [{ line: 'DEN', plan: 'BRONZE HMO 5000', level: 'EMP' }] }),
      // Inner spaces count: no fuzzy match.
      subscriber('900000002', { first: 'NEAR', coverages: [{ line: 'HLT', plan: 'BRONZE HMO  5000', level: 'EMP' }] }),
      subscriber('900000003', { first: 'SHORT', coverages: [{ line: 'HLT', plan: 'BRONZE HMO', level: 'EMP' }] }),
    ], RIVERSIDE));
    expect(r.totals).toMatchObject({ added: 0, held: 3 });
    expect((await exceptions(db())).map((e) => [e.category, e.subscriber_id])).toEqual([
      ['unknown-plan', '900000001'],
      ['unknown-plan', '900000002'],
      ['unknown-plan', '900000003'],
    ]);
  });

  it('switches a member on file to a plan given by name in a change, and holds a change naming an unknown one', async () => {
    await ingest(db(), build834([subscriber(SUB, { coverages: [{ line: 'DEN', plan: 'DEN01', level: 'EMP' }] })], RIVERSIDE));
    const change = (plan: string): string[] =>
      member({ sub: SUB, mt: '001', last: 'SAMPLE', first: 'ALEX', coverages: [{ mt: '021', line: 'HLT', plan, level: 'EMP', begin: '20261201' }] });
    const before = await membershipSnapshot(db());
    const held = await ingest(db(), build834([change('SILVER HMO 3000')], RIVERSIDE));
    expect(held.totals).toMatchObject({ changed: 0, held: 1 });
    expect(await membershipSnapshot(db())).toEqual(before);
    const r = await ingest(db(), build834([change('bronze hmo 5000')], RIVERSIDE));
    expect(r.totals).toMatchObject({ changed: 1, held: 0 });
    expect((await coverages(db())).map((c) => [c.insurance_line, c.plan_id])).toEqual([
      ['DEN', 'DEN01'],
      ['HLT', 'HMO10'],
    ]);
  });
});
