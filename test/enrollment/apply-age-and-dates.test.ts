/**
 * Two business rules end to end on PostgreSQL (clock 2026-11-23, the file's receipt date):
 * - a dependent child aged 26 or over is never put back into coverage by a file, whatever
 *   the path (021 re-enrollment, 025 reinstatement of the child, of its line or of its
 *   subscriber, 030 audit, a change that opens a line or clears an end date): a person
 *   decides (`dependent-age-26`), nothing of that member applied;
 * - dates that cannot be true are business rejects: a birth date after receipt, a coverage
 *   ending before it begins (HD DTP*349 before DTP*348), an eligibility ending before it
 *   begins (DTP*357 before DTP*356). Each is an exception naming the member and the fix;
 *   nothing of the member is applied.
 */
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.js';
import {
  build834,
  count,
  coverages,
  dependent,
  exceptions,
  ingest,
  insPositions,
  member,
  memberNamed,
  membershipSnapshot,
  subscriber,
  useEnrollmentDb,
  type CoverageSpec,
  type MemberSpec,
} from './build834.js';

const SUB = '900000001';
/** Turned 26 on 2026-11-01: 25 when covered from 2026-10-01, 26 today. */
const GROWN_DOB = '20001101';
const YOUNG_DOB = '20100101';
const HLT_FROM_OCT: CoverageSpec[] = [{ line: 'HLT', plan: 'PPO01', level: 'FAM', begin: '20261001' }];

/** A family on file since 2026-10-01: the subscriber and a child GROWN (26 today) or YOUNG. */
async function familyOnFile(db: Db, child: string, dob: string): Promise<void> {
  const r = await ingest(db, build834([subscriber(SUB, { coverages: HLT_FROM_OCT }), dependent(SUB, '19', child, dob, { coverages: HLT_FROM_OCT })]));
  expect(r.totals).toMatchObject({ added: 2, held: 0 });
}

/** A 024 ending a member (and its HLT line) on `end` (YYYYMMDD). */
function term(first: string, end: string, over: Partial<MemberSpec> = {}): string[] {
  const rel = over.rel ?? '19';
  return member({ sub: SUB, rel, mt: '024', last: 'SAMPLE', first, dates: [['357', end]], coverages: [{ line: 'HLT', plan: 'PPO01', begin: null, end }], ...over });
}

/** What every held adult child shows: nothing changed, one dependent-age-26 naming the child. */
async function heldAsAdultChild(db: Db, text: string, before: unknown, first: string): Promise<void> {
  const r = await ingest(db, text);
  expect(r.totals).toMatchObject({ added: 0, changed: 0, reinstated: 0, held: 1 });
  expect(await membershipSnapshot(db)).toEqual(before);
  const child = await memberNamed(db, first);
  const ex = (await exceptions(db)).filter((e) => e.category === 'dependent-age-26');
  expect(ex.map((e) => [e.member_id, e.subscriber_id])).toEqual([[child.member_id, SUB]]);
  expect(ex[0]!.description).toMatch(/back into coverage/);
}

describe('834 apply: a child aged 26 or over is never put back into coverage by a file (PostgreSQL)', () => {
  const db = useEnrollmentDb();

  it('holds a 021 re-enrolling a child aged 26 or over whose coverage ended; a younger child is re-enrolled', async () => {
    await familyOnFile(db(), 'GROWN', GROWN_DOB);
    await ingest(db(), build834([term('GROWN', '20261031')]));
    const before = await membershipSnapshot(db());
    await heldAsAdultChild(db(), build834([dependent(SUB, '19', 'GROWN', GROWN_DOB)]), before, 'GROWN');

    await ingest(db(), build834([dependent(SUB, '19', 'YOUNG', YOUNG_DOB, { coverages: HLT_FROM_OCT })]));
    await ingest(db(), build834([term('YOUNG', '20261031')]));
    const r = await ingest(db(), build834([dependent(SUB, '19', 'YOUNG', YOUNG_DOB)]));
    expect(r.totals).toMatchObject({ added: 1, held: 0 });
    expect((await memberNamed(db(), 'YOUNG')).eligibility_end).toBeNull();
  });

  it('holds a 025 reinstating a child aged 26 or over', async () => {
    await familyOnFile(db(), 'GROWN', GROWN_DOB);
    await ingest(db(), build834([term('GROWN', '20261031')]));
    const before = await membershipSnapshot(db());
    await heldAsAdultChild(db(), build834([member({ sub: SUB, rel: '19', mt: '025', last: 'SAMPLE', first: 'GROWN' })]), before, 'GROWN');
  });

  it("reinstates a subscriber (025) without its child aged 26 or over, who is queued", async () => {
    await familyOnFile(db(), 'GROWN', GROWN_DOB);
    await ingest(db(), build834([term('ALEX', '20261031', { rel: '18', employment: 'TE' })]));
    expect((await memberNamed(db(), 'GROWN')).eligibility_end).toBe('2026-10-31');
    const r = await ingest(db(), build834([member({ sub: SUB, mt: '025', last: 'SAMPLE', first: 'ALEX' })]));
    expect(r.totals).toMatchObject({ reinstated: 1, held: 0 });
    expect((await memberNamed(db(), 'ALEX')).eligibility_end).toBeNull();
    const grown = await memberNamed(db(), 'GROWN');
    expect(grown.eligibility_end).toBe('2026-10-31');
    expect((await exceptions(db())).map((e) => [e.category, e.member_id])).toEqual([['dependent-age-26', grown.member_id]]);
  });

  it('holds a 030 audit that would add back a child aged 26 or over (full file)', async () => {
    await familyOnFile(db(), 'GROWN', GROWN_DOB);
    await ingest(db(), build834([term('GROWN', '20261031')]));
    const before = await membershipSnapshot(db());
    const r = await ingest(db(), build834([
      subscriber(SUB, { mt: '030', coverages: HLT_FROM_OCT }),
      dependent(SUB, '19', 'GROWN', GROWN_DOB, { mt: '030', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'FAM', begin: '20261201' }] }),
    ], { action: 'RX', effective: '20261201' }));
    expect(r.totals).toMatchObject({ added: 0, reinstated: 0, held: 1 });
    expect(await membershipSnapshot(db())).toEqual(before);
    const grown = await memberNamed(db(), 'GROWN');
    expect((await exceptions(db())).map((e) => [e.category, e.member_id])).toEqual([['dependent-age-26', grown.member_id]]);
  });

  it('holds a change (001) that opens a line for a child aged 26 or over whose coverage ended', async () => {
    await familyOnFile(db(), 'GROWN', GROWN_DOB);
    await ingest(db(), build834([term('GROWN', '20261031')]));
    const before = await membershipSnapshot(db());
    await heldAsAdultChild(db(), build834([
      member({ sub: SUB, rel: '19', mt: '001', last: 'SAMPLE', first: 'GROWN', coverages: [{ mt: '021', line: 'DEN', plan: 'DEN01', level: 'FAM', begin: '20261201' }] }),
    ]), before, 'GROWN');
  });

  it('holds a change (001) whose HD 025 reopens the line of a child aged 26 or over', async () => {
    await familyOnFile(db(), 'GROWN', GROWN_DOB);
    await ingest(db(), build834([term('GROWN', '20261031')]));
    const before = await membershipSnapshot(db());
    await heldAsAdultChild(db(), build834([
      member({ sub: SUB, rel: '19', mt: '001', last: 'SAMPLE', first: 'GROWN', coverages: [{ mt: '025', line: 'HLT', plan: 'PPO01', level: 'FAM', begin: '20261001' }] }),
    ]), before, 'GROWN');
  });

  it('holds a change that clears the end date of a child aged 26 or over (far-future DTP*349 reads as open-ended); a younger child\'s is cleared', async () => {
    await familyOnFile(db(), 'GROWN', GROWN_DOB);
    // A future termination: covered until the end of December.
    await ingest(db(), build834([term('GROWN', '20261231')]));
    expect((await coverages(db())).find((c) => c.first_name === 'GROWN')?.end_date).toBe('2026-12-31');
    const reopen = (first: string): string[] =>
      member({ sub: SUB, rel: '19', mt: '001', last: 'SAMPLE', first, coverages: [{ mt: '001', line: 'HLT', plan: 'PPO01', level: 'FAM', begin: null, end: '99991231' }] });
    const before = await membershipSnapshot(db());
    await heldAsAdultChild(db(), build834([reopen('GROWN')]), before, 'GROWN');

    await ingest(db(), build834([dependent(SUB, '19', 'YOUNG', YOUNG_DOB, { coverages: HLT_FROM_OCT })]));
    await ingest(db(), build834([term('YOUNG', '20261231')]));
    const r = await ingest(db(), build834([reopen('YOUNG')]));
    expect(r.totals).toMatchObject({ changed: 1, held: 0 });
    expect((await coverages(db())).find((c) => c.first_name === 'YOUNG')?.end_date).toBeNull();
  });
});

describe('834 apply: dates that cannot be true are business rejects (PostgreSQL)', () => {
  const db = useEnrollmentDb();

  it('holds a member whose birth date is after the file was received (birth-date-in-future); a new subscriber\'s dependents with it', async () => {
    const text = build834([
      subscriber('900000001', { first: 'UNBORN', dob: '20261201' }),
      dependent('900000001', '01', 'JORDAN', '19860530'),
      subscriber('900000002', { first: 'GOOD' }),
      subscriber('900000003', { first: 'BABY' }),
      dependent('900000003', '19', 'NEWBORN', '20261124'),
    ]);
    const r = await ingest(db(), text);
    expect(r.totals).toMatchObject({ added: 2, held: 3 });
    expect((await exceptions(db())).map((e) => [e.category, e.subscriber_id, e.segment_position])).toEqual([
      ['birth-date-in-future', '900000001', insPositions(text)[0]![0]],
      ['birth-date-in-future', '900000001', insPositions(text)[0]![1]],
      ['birth-date-in-future', '900000003', insPositions(text)[0]![4]],
    ]);
    const [first, , child] = await exceptions(db());
    expect(first!.description).toMatch(/date of birth of the subscriber .*after the day the file was received \(2026-11-23\).*Send the correct date of birth/);
    expect(child!.description).toMatch(/date of birth of the dependent child/);
  });

  it('holds a change giving a member on file a future birth date, naming the member; nothing of it applied', async () => {
    await ingest(db(), build834([subscriber(SUB)]));
    const before = await membershipSnapshot(db());
    const r = await ingest(db(), build834([member({ sub: SUB, mt: '001', last: 'SAMPLE', first: 'ALEX', ssn: '900000001', dob: '20270214', middle: 'QUINN' })]));
    expect(r.totals).toMatchObject({ changed: 0, held: 1 });
    expect(await membershipSnapshot(db())).toEqual(before);
    const alex = await memberNamed(db(), 'ALEX');
    expect((await exceptions(db())).map((e) => [e.category, e.member_id])).toEqual([['birth-date-in-future', alex.member_id]]);
  });

  it('holds a member with a coverage ending before it begins (DTP*349 before DTP*348: coverage-ends-before-begin)', async () => {
    const text = build834([
      subscriber('900000001', { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP' }, { line: 'DEN', plan: 'DEN01', level: 'EMP', begin: '20261201', end: '20261130' }] }),
      subscriber('900000002', { first: 'GOOD' }),
    ]);
    const r = await ingest(db(), text);
    expect(r.totals).toMatchObject({ added: 1, held: 1 });
    expect(await count(db(), 'coverage')).toBe(2);
    const ex = await exceptions(db());
    expect(ex.map((e) => [e.category, e.subscriber_id])).toEqual([['coverage-ends-before-begin', '900000001']]);
    expect(ex[0]!.description).toMatch(/DEN coverage of the subscriber ends \(DTP\*349\) before it begins \(DTP\*348\).*Correct the coverage begin or end date/);
  });

  it('holds a termination of a member on file whose coverage ends before it begins, naming the member', async () => {
    await ingest(db(), build834([subscriber(SUB, { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261101' }] })]));
    const before = await membershipSnapshot(db());
    const r = await ingest(db(), build834([
      member({ sub: SUB, mt: '024', employment: 'TE', last: 'SAMPLE', first: 'ALEX', coverages: [{ line: 'HLT', plan: 'PPO01', begin: '20261115', end: '20261110' }] }),
    ]));
    expect(r.totals).toMatchObject({ terminated: 0, held: 1 });
    expect(await membershipSnapshot(db())).toEqual(before);
    const alex = await memberNamed(db(), 'ALEX');
    expect((await exceptions(db())).map((e) => [e.category, e.member_id])).toEqual([['coverage-ends-before-begin', alex.member_id]]);
  });

  it('holds a member whose eligibility ends before it begins (DTP*357 before DTP*356: eligibility-ends-before-begin)', async () => {
    await ingest(db(), build834([subscriber(SUB)]));
    const before = await membershipSnapshot(db());
    const r = await ingest(db(), build834([
      subscriber('900000002', { first: 'NEWONE', dates: [['356', '20261201'], ['357', '20261130']] }),
      member({ sub: SUB, mt: '001', last: 'SAMPLE', first: 'ALEX', dates: [['356', '20261201'], ['357', '20261115']], middle: 'QUINN' }),
    ]));
    expect(r.totals).toMatchObject({ added: 0, changed: 0, held: 2 });
    expect(await membershipSnapshot(db())).toEqual(before);
    const alex = await memberNamed(db(), 'ALEX');
    const ex = await exceptions(db());
    expect(ex.map((e) => [e.category, e.subscriber_id, e.member_id])).toEqual([
      ['eligibility-ends-before-begin', '900000002', null],
      ['eligibility-ends-before-begin', SUB, alex.member_id],
    ]);
    expect(ex[1]!.description).toMatch(/eligibility of the subscriber ends \(DTP\*357\) before it begins \(DTP\*356\).*Correct the eligibility begin or end date/);
  });
});
