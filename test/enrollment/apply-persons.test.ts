/**
 * The 834 apply rules that send an enrollment to a person (DESIGN §3, Enrollment), end to
 * end against real PostgreSQL with a fixed clock (2026-11-23): matching with certainty,
 * the changes the plans never apply on their own (last name, dependent birth date, other
 * coverage, Medicare, COBRA where the group does not administer it, class after hire),
 * retroactivity, addresses and ZIP codes, and dependent children aged 26 or over.
 */
import { describe, expect, it } from 'vitest';
import {
  CHICAGO,
  SPRINGFIELD,
  SUMMIT,
  build834,
  categories,
  count,
  coverages,
  dependent,
  exceptions,
  history,
  ingest,
  insPositions,
  member,
  memberNamed,
  members,
  membershipSnapshot,
  phi,
  subscriber,
  useEnrollmentDb,
  type AddressSpec,
  type MemberSpec,
} from './build834.js';

const SUB = '900000001';
const NEW_HOME: AddressSpec = { line1: '300 NEW HOME AVE', city: 'SPRINGFIELD', state: 'IL', zip: '62704' };

/** A 001 change for a member: only the fields given (and the name, which every 2100A has). */
function change(sub: string, over: Partial<MemberSpec> = {}): string[] {
  return member({ sub, mt: '001', last: 'SAMPLE', first: 'ALEX', ...over });
}

describe('834 apply: matching with certainty (PostgreSQL)', () => {
  const db = useEnrollmentDb();

  it('queues a change whose SSN differs from the member on file; nothing changes', async () => {
    await ingest(db(), build834([subscriber(SUB)]));
    const before = await membershipSnapshot(db());
    const r = await ingest(db(), build834([change(SUB, { ssn: '911111111', address: CHICAGO })]));
    expect(r.totals).toMatchObject({ changed: 0, held: 1 });
    expect(await membershipSnapshot(db())).toEqual(before);
    const ex = await exceptions(db());
    expect(ex.map((e) => [e.category, e.subscriber_id, e.group_number])).toEqual([['member-match-uncertain', SUB, 'GRP10045']]);
    expect(ex[0]!.description).toMatch(/SSN differs/);
  });

  it('never adds a member whose SSN is on file under another subscriber number', async () => {
    await ingest(db(), build834([subscriber(SUB)]));
    const before = await membershipSnapshot(db());
    // The default SSN of subscriber(SUB) is 900000001.
    const r = await ingest(db(), build834([subscriber('900000777', { first: 'OTHER', ssn: '900000001' })]));
    expect(r.totals).toMatchObject({ added: 0, held: 1 });
    expect(await membershipSnapshot(db())).toEqual(before);
    expect(await count(db(), 'member')).toBe(1);
    const ex = await exceptions(db());
    expect(ex.map((e) => [e.category, e.subscriber_id])).toEqual([['member-match-uncertain', '900000777']]);
    expect(ex[0]!.description).toMatch(/another subscriber number/);
  });

  it('finds families whose subscriber numbers hold quotes, backslashes, commas and braces', async () => {
    // The batch loads send their keys as JSON text: any character X12 allows must survive it.
    const odd = ['Q"1', 'B\\2', 'C,3', '{4}', 'S 5'];
    await ingest(db(), build834(odd.map((sub, i) => subscriber(sub, { ssn: `90000010${i}` }))));
    expect(await count(db(), 'member')).toBe(odd.length);
    const r = await ingest(db(), build834([
      ...odd.map((sub) => change(sub, { address: CHICAGO })),
      // Each SSN is on file under its own family only: a new family sending one is held.
      subscriber('900000555', { first: 'OTHER', ssn: '900000102' }),
    ]));
    expect(r.totals).toMatchObject({ added: 0, changed: odd.length, held: 1 });
    expect((await exceptions(db())).map((e) => [e.category, e.subscriber_id])).toEqual([['member-match-uncertain', '900000555']]);
  });

  it('queues a change, termination or reinstatement for a member not on file', async () => {
    await ingest(db(), build834([subscriber(SUB)]));
    const before = await membershipSnapshot(db());
    const r = await ingest(db(), build834([
      change('900000099', { address: CHICAGO }),
      member({ sub: '900000098', mt: '024', employment: 'TE', last: 'NOBODY', first: 'PAT', dates: [['357', '20261130']], coverages: [{ line: 'HLT', plan: 'PPO01', begin: null, end: '20261130' }] }),
    ]));
    expect(r.totals).toMatchObject({ changed: 0, terminated: 0, held: 2 });
    expect(await membershipSnapshot(db())).toEqual(before);
    expect((await exceptions(db())).map((e) => [e.category, e.subscriber_id])).toEqual([
      ['member-match-uncertain', '900000099'],
      ['member-match-uncertain', '900000098'],
    ]);
  });
});

describe('834 apply: what only a person applies (PostgreSQL)', () => {
  const db = useEnrollmentDb();

  it("keeps a subscriber's last name (last-name-change) and applies the rest of the change", async () => {
    await ingest(db(), build834([subscriber(SUB)]));
    const text = build834([change(SUB, { last: 'NEWNAME', address: CHICAGO })]);
    const r = await ingest(db(), text);
    expect(r.totals).toMatchObject({ changed: 1, held: 0 });
    const alex = await memberNamed(db(), 'ALEX');
    expect(alex.last_name).toBe('SAMPLE');
    expect(alex.home_city).toBe('CHICAGO');
    const ex = await exceptions(db());
    expect(ex.map((e) => [e.category, e.member_id, e.segment_position])).toEqual([['last-name-change', alex.member_id, insPositions(text)[0]![0]]]);
  });

  it("keeps a dependent's date of birth (dependent-birth-date-change)", async () => {
    await ingest(db(), build834([subscriber(SUB), dependent(SUB, '01', 'JORDAN', '19860530')]));
    const r = await ingest(db(), build834([member({ sub: SUB, rel: '01', mt: '001', last: 'SAMPLE', first: 'JORDAN', dob: '19860531' })]));
    expect(r.totals.added).toBe(0);
    const jordan = await memberNamed(db(), 'JORDAN');
    expect(jordan.birth_date).toBe('1986-05-30');
    expect((await exceptions(db())).map((e) => [e.category, e.member_id])).toEqual([['dependent-birth-date-change', jordan.member_id]]);
  });

  it('queues other coverage (COB loop 2320) and applies the rest of the enrollment', async () => {
    const r = await ingest(db(), build834([subscriber(SUB, { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', cob: true }] })]));
    expect(r.totals).toMatchObject({ added: 1, held: 0 });
    const alex = await memberNamed(db(), 'ALEX');
    expect((await coverages(db())).map((c) => [c.insurance_line, c.plan_id])).toEqual([['HLT', 'PPO01']]);
    expect((await exceptions(db())).map((e) => [e.category, e.member_id])).toEqual([['other-coverage', alex.member_id]]);
  });

  it('does not apply a Medicare enrollment (INS06 A, B, C or D)', async () => {
    const r = await ingest(db(), build834([
      subscriber('900000001', { first: 'PARTA', medicare: 'A' }),
      subscriber('900000002', { first: 'PARTC', medicare: 'C' }),
      subscriber('900000003', { first: 'NONE', medicare: 'E' }),
    ]));
    expect(r.totals).toMatchObject({ added: 1, held: 2 });
    expect((await members(db())).map((m) => m.first_name)).toEqual(['NONE']);
    expect((await exceptions(db())).map((e) => [e.category, e.subscriber_id])).toEqual([
      ['medicare', '900000001'],
      ['medicare', '900000002'],
    ]);
  });

  it('holds a COBRA enrollment for a group that does not administer COBRA (GRP20311), dependents with it', async () => {
    const cov = [{ line: 'HLT', plan: 'HMO10', level: 'ESP' }];
    const r = await ingest(db(), build834([
      subscriber(SUB, { status: 'C', cobraEvent: '1', employment: 'TE', coverages: cov }),
      dependent(SUB, '01', 'JORDAN', '19860530', { status: 'C', cobraEvent: '1', coverages: cov }),
    ], { sender: SUMMIT, masterPolicy: 'GRP20311' }));
    expect(r.partner).toBe('summit-tpa');
    expect(r.totals).toMatchObject({ added: 0, held: 2 });
    expect(await count(db(), 'member')).toBe(0);
    expect(await categories(db())).toEqual(['cobra-not-self-administered', 'cobra-not-self-administered']);
  });

  it('applies COBRA for a self-administering group (GRP10045): 18 months for INS07 1, 36 for INS07 3', async () => {
    const r = await ingest(db(), build834([
      subscriber('900000001', { first: 'EIGHTEEN', status: 'C', cobraEvent: '1', employment: 'TE', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP' }] }),
      subscriber('900000002', { first: 'THIRTYSIX', status: 'C', cobraEvent: '3', employment: 'TE', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP' }] }),
    ]));
    expect(r.totals).toMatchObject({ added: 2, held: 0 });
    expect((await members(db())).map((m) => [m.first_name, m.benefit_status, m.eligibility_begin, m.eligibility_end])).toEqual([
      ['EIGHTEEN', 'C', '2026-12-01', '2028-05-31'],
      ['THIRTYSIX', 'C', '2026-12-01', '2029-11-30'],
    ]);
    expect((await coverages(db())).map((c) => [c.first_name, c.begin_date, c.end_date])).toEqual([
      ['EIGHTEEN', '2026-12-01', '2028-05-31'],
      ['THIRTYSIX', '2026-12-01', '2029-11-30'],
    ]);
    expect(await count(db(), 'exception')).toBe(0);
  });

  it('ends COBRA continuation reached by a change (001 to INS05 C) after its months, like a COBRA enrollment', async () => {
    await ingest(db(), build834([subscriber(SUB, { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261101' }] })]));
    const r = await ingest(db(), build834([change(SUB, { status: 'C', cobraEvent: '1', employment: 'TE', dates: [['340', '20261201']] })]));
    expect(r.totals).toMatchObject({ changed: 1, held: 0 });
    const alex = await memberNamed(db(), 'ALEX');
    expect([alex.benefit_status, alex.eligibility_begin, alex.eligibility_end]).toEqual(['C', '2026-11-01', '2028-05-31']);
    expect((await coverages(db())).map((c) => [c.begin_date, c.end_date])).toEqual([['2026-11-01', '2028-05-31']]);
    const h = (await history(db())).filter((x) => x.file_id === r.fileId);
    expect(h.map((x) => [x.action, x.changed])).toEqual([['change', ['benefitStatus', 'cobraEvent', 'employmentStatus', 'eligibilityEnd', 'coverages']]]);
    expect(h[0]!.previous).toMatchObject({ benefitStatus: 'A', eligibilityEnd: null });
  });

  it('holds a change to COBRA for a group that does not administer COBRA (GRP20311)', async () => {
    const opts = { sender: SUMMIT, masterPolicy: 'GRP20311' };
    await ingest(db(), build834([subscriber(SUB, { coverages: [{ line: 'HLT', plan: 'HMO10', level: 'EMP', begin: '20261101' }] })], opts));
    const before = await membershipSnapshot(db());
    const r = await ingest(db(), build834([change(SUB, { status: 'C', cobraEvent: '1', employment: 'TE' })], opts));
    expect(r.totals).toMatchObject({ changed: 0, held: 1 });
    expect(await membershipSnapshot(db())).toEqual(before);
    expect(await categories(db())).toEqual(['cobra-not-self-administered']);
  });

  it("takes the plan from HD04 only when the group offers it on HD03's line (unknown-plan otherwise); an unknown subgroup is held", async () => {
    const r = await ingest(db(), build834([
      subscriber('900000001', { first: 'GOOD', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP' }, { line: 'VIS', plan: 'VIS01', level: 'EMP' }] }),
      // HMO10 is not a plan of GRP10045; DEN01 is, but not on the HLT line.
      subscriber('900000002', { first: 'NOTOFFERED', coverages: [{ line: 'HLT', plan: 'HMO10', level: 'EMP' }] }),
      subscriber('900000003', { first: 'WRONGLINE', coverages: [{ line: 'HLT', plan: 'DEN01', level: 'EMP' }] }),
      // No HD04: the group's only plan on the line.
      subscriber('900000004', { first: 'NOPLAN', coverages: [{ line: 'DEN', level: 'EMP' }] }),
      subscriber('900000005', { first: 'BADSUBGROUP', refs: [['DX', '9999']] }),
    ]));
    expect(r.totals).toMatchObject({ added: 2, held: 3 });
    expect((await coverages(db())).map((c) => [c.first_name, c.insurance_line, c.plan_id])).toEqual([
      ['GOOD', 'HLT', 'PPO01'],
      ['GOOD', 'VIS', 'VIS01'],
      ['NOPLAN', 'DEN', 'DEN01'],
    ]);
    expect((await exceptions(db())).map((e) => [e.category, e.subscriber_id])).toEqual([
      ['unknown-plan', '900000002'],
      ['unknown-plan', '900000003'],
      ['class-not-valid', '900000005'],
    ]);
  });

  it('holds a class that takes effect after the hire date (class-after-hire); class and subgroup from REF*17 / REF*DX', async () => {
    const r = await ingest(db(), build834([
      // Class 1002 exists from 2026-01-01: hired and covered before it.
      subscriber('900000001', { first: 'EARLYHIRE', refs: [['17', '1002']], dates: [['336', '20251015']], coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20251201' }] }),
      subscriber('900000002', { first: 'HOURLY', refs: [['DX', '0002'], ['17', '1002']], dates: [['336', '20260301']] }),
      // Hired before class 1001 existed, but covered while it is valid: applied.
      subscriber('900000003', { first: 'DEFAULT', dates: [['336', '20250601']] }),
      // Class 2001 ends 2026-12-31: not valid on a 2027 effective date.
      subscriber('900000004', { first: 'RETIREE', refs: [['17', '2001']], coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20270101' }] }),
    ]));
    expect(r.totals).toMatchObject({ added: 2, held: 2 });
    expect((await members(db())).map((m) => [m.first_name, m.class_code, m.subgroup])).toEqual([
      ['HOURLY', '1002', '0002'],
      ['DEFAULT', '1001', null],
    ]);
    const ex = await exceptions(db());
    expect(ex.map((e) => [e.category, e.subscriber_id])).toEqual([
      ['class-after-hire', '900000001'],
      ['class-not-valid', '900000004'],
    ]);
    expect(await count(db(), 'retro_adjustment')).toBe(0);
  });
});

describe('834 apply: retroactivity, addresses, adult children (PostgreSQL)', () => {
  const db = useEnrollmentDb();

  it('bills coverage that began more than 30 days before receipt back: pending up to six months, review (and an exception) beyond', async () => {
    const r = await ingest(db(), build834([
      subscriber('900000001', { first: 'RECENT', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261101' }] }),
      subscriber('900000002', { first: 'RETRO', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261001' }] }),
      subscriber('900000003', { first: 'OLD', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20260401' }] }),
    ]));
    expect(r.totals).toMatchObject({ added: 3, held: 0 });
    const retro = await db().query<{ first_name: string; kind: string; effective_date: string; received_date: string; months: number; status: string; plan_id: string }>(
      `select m.first_name, r.kind, to_char(r.effective_date, 'YYYY-MM-DD') as effective_date, to_char(r.received_date, 'YYYY-MM-DD') as received_date,
              r.months, r.status, c.plan_id
         from retro_adjustment r join member m on m.id = r.member_id join coverage c on c.id = r.coverage_id order by r.id`,
    );
    expect(retro.rows).toEqual([
      { first_name: 'RETRO', kind: 'charge', effective_date: '2026-10-01', received_date: '2026-11-23', months: 2, status: 'pending', plan_id: 'PPO01' },
      { first_name: 'OLD', kind: 'charge', effective_date: '2026-04-01', received_date: '2026-11-23', months: 8, status: 'review', plan_id: 'PPO01' },
    ]);
    const old = await memberNamed(db(), 'OLD');
    expect((await exceptions(db())).map((e) => [e.category, e.member_id])).toEqual([['retro-beyond-six-months', old.member_id]]);
  });

  it('leaves a separate mailing address alone when only home changes; a mailing change leaves home alone', async () => {
    await ingest(db(), build834([subscriber(SUB, { mailing: CHICAGO })]));
    let alex = await memberNamed(db(), 'ALEX');
    expect([alex.home_line1, alex.mailing_line1, alex.mailing_city]).toEqual([SPRINGFIELD.line1, CHICAGO.line1, 'CHICAGO']);

    await ingest(db(), build834([change(SUB, { address: NEW_HOME })]));
    alex = await memberNamed(db(), 'ALEX');
    expect([alex.home_line1, alex.home_zip, alex.mailing_line1, alex.mailing_zip]).toEqual([NEW_HOME.line1, '62704', CHICAGO.line1, '60601']);

    const NEW_MAIL: AddressSpec = { line1: 'PO BOX 12', city: 'CHICAGO', state: 'IL', zip: '60602' };
    await ingest(db(), build834([change(SUB, { mailing: NEW_MAIL })]));
    alex = await memberNamed(db(), 'ALEX');
    expect([alex.home_line1, alex.mailing_line1, alex.mailing_zip]).toEqual([NEW_HOME.line1, 'PO BOX 12', '60602']);
    expect(await count(db(), 'exception')).toBe(0);
  });

  it('lets mail follow home (mailing null) for a member without a separate mailing address', async () => {
    await ingest(db(), build834([subscriber(SUB)]));
    const r = await ingest(db(), build834([change(SUB, { address: NEW_HOME })]));
    expect(r.totals.changed).toBe(1);
    const alex = await memberNamed(db(), 'ALEX');
    expect([alex.home_line1, alex.home_zip, alex.mailing_line1, alex.mailing_city, alex.mailing_zip]).toEqual([NEW_HOME.line1, '62704', null, null, null]);
  });

  it('keeps the sealed SSN on file through changes, and seals the SSN a later file gives a dependent sent without one', async () => {
    // The batch loads leave ssn_enc in the database; an update must keep it, not null it.
    await ingest(db(), build834([subscriber(SUB), dependent(SUB, '19', 'RILEY', '20150909')]));
    const sealed = (await memberNamed(db(), 'ALEX')).ssn_enc;
    expect((await memberNamed(db(), 'RILEY')).ssn_enc).toBeNull();

    const r = await ingest(db(), build834([change(SUB, { address: NEW_HOME }), dependent(SUB, '19', 'RILEY', '20150909', { mt: '001', ssn: '900000077' })]));
    expect(r.totals).toMatchObject({ changed: 2, held: 0 });
    const alex = await memberNamed(db(), 'ALEX');
    expect(alex.home_line1).toBe(NEW_HOME.line1);
    expect(Buffer.from(alex.ssn_enc!).equals(Buffer.from(sealed!))).toBe(true);
    expect(phi.decryptSsn(alex.ssn_enc!)).toBe('900000001');
    const riley = await memberNamed(db(), 'RILEY');
    expect(phi.decryptSsn(riley.ssn_enc!)).toBe('900000077');
    expect(Buffer.from(riley.ssn_hmac!).equals(phi.ssnIndex('900000077'))).toBe(true);
  });

  it('keeps the address on file when a change gives a ZIP that disagrees with the state (zip-state-mismatch)', async () => {
    await ingest(db(), build834([subscriber(SUB)]));
    const text = build834([change(SUB, { address: { line1: '1 WRONG ST', city: 'SPRINGFIELD', state: 'IL', zip: '90210' } })]);
    const r = await ingest(db(), text);
    expect(r.totals.changed).toBe(0);
    const alex = await memberNamed(db(), 'ALEX');
    expect([alex.home_line1, alex.home_city, alex.home_state, alex.home_zip]).toEqual([SPRINGFIELD.line1, 'SPRINGFIELD', 'IL', '62701']);
    const ex = await exceptions(db());
    expect(ex.map((e) => [e.category, e.member_id, e.segment_position])).toEqual([['zip-state-mismatch', alex.member_id, insPositions(text)[0]![0]]]);
  });

  it('holds the add of a dependent child aged 26 or over (dependent-age-26); the rest of the family is added', async () => {
    const text = build834([subscriber(SUB), dependent(SUB, '19', 'RILEY', '20150909'), dependent(SUB, '19', 'GROWN', '19990101')]);
    const r = await ingest(db(), text);
    expect(r.totals).toMatchObject({ added: 2, held: 1 });
    expect((await members(db())).map((m) => m.first_name)).toEqual(['ALEX', 'RILEY']);
    const ex = await exceptions(db());
    expect(ex.map((e) => [e.category, e.subscriber_id, e.segment_position, e.member_id])).toEqual([
      ['dependent-age-26', SUB, insPositions(text)[0]![2], null],
    ]);
    expect((await history(db())).map((h) => h.first_name)).toEqual(['ALEX', 'RILEY']);
  });
});
