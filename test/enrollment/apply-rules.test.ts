/**
 * The 834 apply rules end to end (DESIGN §3, Enrollment): a small 834 per case is ingested
 * into real PostgreSQL with a fixed clock (2026-11-23), and the membership tables are read
 * back. This file: adds, 021-as-change, the fixed apply order, termination vs cancellation,
 * the subscriber cascade, future and far-future dates, invalid termination dates and
 * reinstatement.
 */
import { describe, expect, it } from 'vitest';
import {
  ingest834,
  SPRINGFIELD,
  CHICAGO,
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
  nextControl,
  phi,
  subscriber,
  useEnrollmentDb,
  writeTemp,
  NOW,
} from './build834.js';

const SUB = '900000001';

/** Subscriber ALEX, spouse JORDAN, child RILEY, covered from `begin`. */
function family(begin = '20261201', sub = SUB): string[][] {
  const cov = (line: string, plan: string) => ({ line, plan, level: 'FAM', begin });
  return [
    subscriber(sub, { coverages: [cov('HLT', 'PPO01'), cov('DEN', 'DEN01')] }),
    dependent(sub, '01', 'JORDAN', '19860530', { coverages: [cov('HLT', 'PPO01')] }),
    dependent(sub, '19', 'RILEY', '20150909', { coverages: [cov('HLT', 'PPO01')] }),
  ];
}

/** A 024 for the member: DTP*357 `end` (when given) and HD*024 HLT with DTP*349 `hdEnd` (default `end`; null: only a DTP*348). */
function term(sub: string, end: string | undefined, over: { rel?: string; first?: string; hdEnd?: string | null } = {}): string[] {
  return member({
    sub,
    rel: over.rel ?? '18',
    mt: '024',
    employment: over.rel && over.rel !== '18' ? undefined : 'TE',
    last: 'SAMPLE',
    first: over.first ?? 'ALEX',
    ...(end ? { dates: [['357', end]] as Array<[string, string]> } : {}),
    // The 2300 needs a DTP: without an end date, the coverage's begin date stands in.
    coverages: [over.hdEnd === null ? { line: 'HLT', plan: 'PPO01', begin: '20261101' } : { line: 'HLT', plan: 'PPO01', begin: null, end: over.hdEnd ?? end }],
  });
}

describe('834 apply: adds, changes, terminations, reinstatement (PostgreSQL)', () => {
  const db = useEnrollmentDb();

  it('adds a subscriber, spouse and child: member IDs, coverages, sourced history, an ID card, the SSN encrypted', async () => {
    const control = nextControl();
    const text = build834(family(), { control });
    const r = await ingest(db(), text);
    expect(r.status).toBe('processed');
    expect(r.totals).toMatchObject({ added: 3, changed: 0, held: 0 });
    expect(r.sets).toHaveLength(1);
    expect(r.sets[0]).toMatchObject({ status: 'applied', action: 'change', members: 3 });

    const ms = await members(db());
    expect(ms.map((m) => [m.first_name, m.relationship, m.is_subscriber, m.subscriber_number, m.group_number, m.eligibility_begin, m.eligibility_end, m.class_code])).toEqual([
      ['ALEX', '18', true, SUB, 'GRP10045', '2026-12-01', null, '1001'],
      ['JORDAN', '01', false, SUB, 'GRP10045', '2026-12-01', null, '1001'],
      ['RILEY', '19', false, SUB, 'GRP10045', '2026-12-01', null, '1001'],
    ]);
    for (const m of ms) expect(m.member_id).toMatch(/^EB\d{10}$/);
    expect(new Set(ms.map((m) => m.member_id)).size).toBe(3);

    // The SSN: encrypted (not the digits), decryptable with the PHI key, indexed.
    const alex = ms[0]!;
    expect(alex.ssn_enc).not.toBeNull();
    expect(alex.ssn_enc!.toString('latin1')).not.toContain('900000001');
    expect(phi.decryptSsn(alex.ssn_enc!)).toBe('900000001');
    expect(Buffer.from(alex.ssn_hmac!).equals(phi.ssnIndex('900000001'))).toBe(true);

    expect(await coverages(db())).toEqual([
      { first_name: 'ALEX', insurance_line: 'DEN', plan_id: 'DEN01', coverage_level: 'FAM', begin_date: '2026-12-01', end_date: null, cancelled: false },
      { first_name: 'ALEX', insurance_line: 'HLT', plan_id: 'PPO01', coverage_level: 'FAM', begin_date: '2026-12-01', end_date: null, cancelled: false },
      { first_name: 'JORDAN', insurance_line: 'HLT', plan_id: 'PPO01', coverage_level: 'FAM', begin_date: '2026-12-01', end_date: null, cancelled: false },
      { first_name: 'RILEY', insurance_line: 'HLT', plan_id: 'PPO01', coverage_level: 'FAM', begin_date: '2026-12-01', end_date: null, cancelled: false },
    ]);

    const [ins] = insPositions(text);
    expect(await history(db())).toEqual(
      ['ALEX', 'JORDAN', 'RILEY'].map((first, i) => ({
        first_name: first,
        action: 'add',
        effective_date: '2026-12-01',
        changed: [],
        previous: null,
        file_id: r.fileId,
        interchange_control: String(control).padStart(9, '0'),
        set_control: '0001',
        segment_position: ins![i],
      })),
    );

    const cards = await db().query<{ card_number: number; member_ids: string[]; mail_to: string; status: string; file_id: string }>(
      'select card_number, member_ids::text[] as member_ids, mail_to, status, file_id::text as file_id from id_card_request order by id',
    );
    expect(cards.rows).toEqual([{ card_number: 1, member_ids: ms.map((m) => m.id), mail_to: 'subscriber', status: 'pending', file_id: r.fileId }]);

    const sets = await db().query('select set_control, transaction_set, action, status, file_id::text as file_id from inbound_set');
    expect(sets.rows).toEqual([{ set_control: '0001', transaction_set: '834', action: 'change', status: 'applied', file_id: r.fileId }]);
    expect(await count(db(), 'retro_adjustment')).toBe(0);
    expect(await count(db(), 'exception')).toBe(0);
  });

  it('treats a 021 for a member already active as a change, not a second member', async () => {
    await ingest(db(), build834(family()));
    const before = await memberNamed(db(), 'ALEX');
    const r = await ingest(db(), build834([subscriber(SUB, { address: CHICAGO })]));
    expect(r.totals).toMatchObject({ added: 0, changed: 1, held: 0 });
    expect(await count(db(), 'member')).toBe(3);
    const after = await memberNamed(db(), 'ALEX');
    expect(after.member_id).toBe(before.member_id);
    expect([after.home_line1, after.home_city, after.home_zip]).toEqual([CHICAGO.line1, 'CHICAGO', '60601']);
    const h = (await history(db())).filter((x) => x.file_id === r.fileId);
    expect(h.map((x) => [x.first_name, x.action, x.changed])).toEqual([['ALEX', 'change', ['home']]]);
    expect(h[0]!.previous).toMatchObject({ home: { line1: SPRINGFIELD.line1, city: 'SPRINGFIELD', zip: '62701' } });
    // The same 021 again changes nothing.
    const again = await ingest(db(), build834([subscriber(SUB, { address: CHICAGO })]));
    expect(again.totals).toMatchObject({ added: 0, changed: 0, unchanged: 1 });
  });

  it('applies one subscriber\'s events in the fixed order (add, then term, then change) whatever the file order', async () => {
    const text = build834([
      member({ sub: SUB, rel: '01', mt: '001', last: 'SAMPLE', first: 'JORDAN', address: CHICAGO }),
      term(SUB, '20261231', { rel: '19', first: 'RILEY' }),
      ...family(),
    ]);
    const r = await ingest(db(), text);
    expect(r.totals).toMatchObject({ added: 3, terminated: 1, changed: 1, held: 0 });
    expect(await count(db(), 'exception')).toBe(0);
    const [ins] = insPositions(text);
    const h = await history(db());
    expect(h.map((x) => [x.first_name, x.action, x.segment_position])).toEqual([
      ['ALEX', 'add', ins![2]],
      ['JORDAN', 'add', ins![3]],
      ['RILEY', 'add', ins![4]],
      ['RILEY', 'terminate', ins![1]],
      ['JORDAN', 'change', ins![0]],
    ]);
    expect((await memberNamed(db(), 'RILEY')).eligibility_end).toBe('2026-12-31');
    expect((await memberNamed(db(), 'JORDAN')).home_city).toBe('CHICAGO');
  });

  it('tells a termination (an end after the start) from a cancellation (end = start, never covered)', async () => {
    await ingest(db(), build834([
      subscriber('900000001', { first: 'TERRY', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261101' }] }),
      subscriber('900000002', { first: 'CASEY', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261201' }] }),
    ]));
    const r = await ingest(db(), build834([
      term('900000001', '20261115', { first: 'TERRY' }),
      term('900000002', '20261201', { first: 'CASEY' }),
    ]));
    expect(r.totals).toMatchObject({ terminated: 1, cancelled: 1, held: 0 });
    const terry = await memberNamed(db(), 'TERRY');
    const casey = await memberNamed(db(), 'CASEY');
    expect([terry.eligibility_end, terry.cancelled]).toEqual(['2026-11-15', false]);
    expect([casey.eligibility_end, casey.cancelled]).toEqual(['2026-12-01', true]);
    expect((await coverages(db())).map((c) => [c.first_name, c.begin_date, c.end_date, c.cancelled])).toEqual([
      ['TERRY', '2026-11-01', '2026-11-15', false],
      ['CASEY', '2026-12-01', '2026-12-01', true],
    ]);
    const h = (await history(db())).filter((x) => x.file_id === r.fileId);
    expect(h.map((x) => [x.first_name, x.action, x.effective_date])).toEqual([
      ['TERRY', 'terminate', '2026-11-15'],
      ['CASEY', 'cancel', '2026-12-01'],
    ]);
  });

  it('terminates the dependents with the subscriber, but never a child aged 26 or over (queued)', async () => {
    await ingest(db(), build834([
      ...family('20261101'),
      // 25 on 2026-11-01, 26 by the termination date.
      dependent(SUB, '19', 'TAYLOR', '20001110', { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'FAM', begin: '20261101' }] }),
    ]));
    expect(await count(db(), 'member')).toBe(4);
    const text = build834([term(SUB, '20261120')]);
    const r = await ingest(db(), text);
    expect(r.totals).toMatchObject({ terminated: 3, held: 0 });
    const ms = await members(db());
    expect(ms.map((m) => [m.first_name, m.eligibility_end, m.cancelled])).toEqual([
      ['ALEX', '2026-11-20', false],
      ['JORDAN', '2026-11-20', false],
      ['RILEY', '2026-11-20', false],
      ['TAYLOR', null, false],
    ]);
    const taylorCoverage = (await coverages(db())).filter((c) => c.first_name === 'TAYLOR');
    expect(taylorCoverage.map((c) => c.end_date)).toEqual([null]);
    const ex = await exceptions(db());
    expect(ex).toHaveLength(1);
    expect(ex[0]).toMatchObject({
      category: 'dependent-age-26',
      group_number: 'GRP10045',
      subscriber_id: SUB,
      member_id: ms[3]!.member_id,
      segment_position: insPositions(text)[0]![0],
      set_control: '0001',
      partner: 'acme',
    });
    expect(r.exceptions).toEqual({ 'dependent-age-26': 1 });
  });

  it('lets a future-dated termination wait: the member stays active today with an end date ahead', async () => {
    await ingest(db(), build834([subscriber(SUB, { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261101' }] })]));
    const r = await ingest(db(), build834([term(SUB, '20261231')]));
    expect(r.totals).toMatchObject({ terminated: 1 });
    const alex = await memberNamed(db(), 'ALEX');
    expect([alex.eligibility_begin, alex.eligibility_end, alex.cancelled]).toEqual(['2026-11-01', '2026-12-31', false]);
    // Active today.
    const active = await db().query<{ active: boolean }>(
      "select (not cancelled and eligibility_begin <= date '2026-11-23' and (eligibility_end is null or eligibility_end >= date '2026-11-23')) as active from member",
    );
    expect(active.rows).toEqual([{ active: true }]);
    expect((await coverages(db())).map((c) => c.end_date)).toEqual(['2026-12-31']);
    expect((await history(db())).map((h) => [h.action, h.effective_date])).toEqual([
      ['add', '2026-11-01'],
      ['terminate', '2026-12-31'],
    ]);
  });

  it('reads a far-future end date as open-ended; a termination more than a year out is held, nothing changed', async () => {
    const r1 = await ingest(db(), build834([
      subscriber(SUB, { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261101', end: '99991231' }] }),
    ]));
    expect(r1.totals.added).toBe(1);
    expect((await coverages(db())).map((c) => [c.begin_date, c.end_date])).toEqual([['2026-11-01', null]]);
    expect((await memberNamed(db(), 'ALEX')).eligibility_end).toBeNull();

    const before = await membershipSnapshot(db());
    const r2 = await ingest(db(), build834([term(SUB, '20280115')]));
    expect(r2.totals).toMatchObject({ terminated: 0, held: 1 });
    expect(await membershipSnapshot(db())).toEqual(before);
    expect(await categories(db())).toEqual(['invalid-termination-date']);
  });

  it('holds a 024 without a valid end date (none, or before the start): invalid-termination-date, nothing applied', async () => {
    await ingest(db(), build834([
      subscriber('900000001', { first: 'NODATE', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261101' }] }),
      subscriber('900000002', { first: 'EARLY', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261101' }] }),
    ]));
    const before = await membershipSnapshot(db());
    const text = build834([
      term('900000001', undefined, { first: 'NODATE', hdEnd: null }),
      term('900000002', '20261001', { first: 'EARLY' }),
    ]);
    const r = await ingest(db(), text);
    expect(r.totals).toMatchObject({ terminated: 0, cancelled: 0, held: 2 });
    expect(await membershipSnapshot(db())).toEqual(before);
    const ex = await exceptions(db());
    expect(ex.map((e) => [e.category, e.subscriber_id, e.segment_position])).toEqual([
      ['invalid-termination-date', '900000001', insPositions(text)[0]![0]],
      ['invalid-termination-date', '900000002', insPositions(text)[0]![1]],
    ]);
  });

  it('reinstates (025) a terminated subscriber with the dependents ended with it, reopening their coverages', async () => {
    await ingest(db(), build834(family('20261101')));
    await ingest(db(), build834([term(SUB, '20261120')]));
    expect((await members(db())).map((m) => m.eligibility_end)).toEqual(['2026-11-20', '2026-11-20', '2026-11-20']);
    const text = build834([member({ sub: SUB, mt: '025', last: 'SAMPLE', first: 'ALEX' })]);
    const r = await ingest(db(), text);
    expect(r.totals).toMatchObject({ reinstated: 3, held: 0 });
    expect((await members(db())).map((m) => [m.first_name, m.eligibility_end, m.cancelled])).toEqual([
      ['ALEX', null, false],
      ['JORDAN', null, false],
      ['RILEY', null, false],
    ]);
    expect((await coverages(db())).every((c) => c.end_date === null && !c.cancelled)).toBe(true);
    const h = (await history(db())).filter((x) => x.file_id === r.fileId);
    expect(h.map((x) => [x.first_name, x.action, x.segment_position])).toEqual([
      ['ALEX', 'reinstate', insPositions(text)[0]![0]],
      ['JORDAN', 'reinstate', insPositions(text)[0]![0]],
      ['RILEY', 'reinstate', insPositions(text)[0]![0]],
    ]);
    // The family's card is issued again (the one not yet printed is replaced).
    const cards = await db().query<{ status: string; file_id: string }>('select status, file_id::text as file_id from id_card_request order by id');
    expect(cards.rows.map((c) => c.status)).toEqual(['cancelled', 'pending']);
    expect(cards.rows[1]!.file_id).toBe(r.fileId);
  });

  it('reinstates a cancellation: the member and its never-begun coverages are open again', async () => {
    await ingest(db(), build834([subscriber(SUB, { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261201' }] })]));
    await ingest(db(), build834([term(SUB, '20261201')]));
    expect((await memberNamed(db(), 'ALEX')).cancelled).toBe(true);
    const r = await ingest(db(), build834([member({ sub: SUB, mt: '025', last: 'SAMPLE', first: 'ALEX' })]));
    expect(r.totals).toMatchObject({ reinstated: 1 });
    const alex = await memberNamed(db(), 'ALEX');
    expect([alex.eligibility_begin, alex.eligibility_end, alex.cancelled]).toEqual(['2026-12-01', null, false]);
    expect((await coverages(db())).map((c) => [c.begin_date, c.end_date, c.cancelled])).toEqual([['2026-12-01', null, false]]);
  });

  it('re-enrolls (021) a member whose coverage ended: new coverage periods, the old ones kept', async () => {
    await ingest(db(), build834([subscriber(SUB, { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261101' }] })]));
    await ingest(db(), build834([term(SUB, '20261110')]));
    const r = await ingest(db(), build834([subscriber(SUB, { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261201' }] })]));
    expect(r.totals).toMatchObject({ added: 1, changed: 0, held: 0 });
    expect(await count(db(), 'member')).toBe(1);
    const alex = await memberNamed(db(), 'ALEX');
    expect([alex.eligibility_begin, alex.eligibility_end, alex.cancelled]).toEqual(['2026-12-01', null, false]);
    expect((await coverages(db())).map((c) => [c.begin_date, c.end_date])).toEqual([
      ['2026-11-01', '2026-11-10'],
      ['2026-12-01', null],
    ]);
    expect((await history(db())).map((h) => h.action)).toEqual(['add', 'terminate', 'add']);
  });

  it('ends only the line a 024 names when the member keeps another (a coverage change, not a termination)', async () => {
    await ingest(db(), build834([subscriber(SUB, { coverages: [
      { line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261101' },
      { line: 'DEN', plan: 'DEN01', level: 'EMP', begin: '20261101' },
    ] })]));
    const r = await ingest(db(), build834([member({
      sub: SUB, mt: '024', last: 'SAMPLE', first: 'ALEX',
      coverages: [{ line: 'DEN', plan: 'DEN01', begin: null, end: '20261231' }],
    })]));
    expect(r.totals).toMatchObject({ terminated: 0, changed: 1, held: 0 });
    const alex = await memberNamed(db(), 'ALEX');
    expect([alex.eligibility_end, alex.cancelled]).toEqual([null, false]);
    expect((await coverages(db())).map((c) => [c.insurance_line, c.end_date])).toEqual([
      ['DEN', '2026-12-31'],
      ['HLT', null],
    ]);
  });

  it('changes a coverage level from a date: the old coverage ends the day before, a new one begins', async () => {
    await ingest(db(), build834([subscriber(SUB, { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261101' }] })]));
    const r = await ingest(db(), build834([member({
      sub: SUB, mt: '001', last: 'SAMPLE', first: 'ALEX',
      coverages: [{ mt: '001', line: 'HLT', plan: 'PPO01', level: 'ESP', begin: '20270101' }],
    })]));
    expect(r.totals).toMatchObject({ changed: 1, held: 0 });
    expect((await coverages(db())).map((c) => [c.coverage_level, c.begin_date, c.end_date])).toEqual([
      ['EMP', '2026-11-01', '2026-12-31'],
      ['ESP', '2027-01-01', null],
    ]);
    const h = (await history(db())).filter((x) => x.file_id === r.fileId);
    expect(h.map((x) => [x.action, x.changed])).toEqual([['change', ['coverages']]]);
  });

  it('credits premium back for a termination dated more than 30 days before receipt', async () => {
    await ingest(db(), build834([subscriber(SUB, { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20260601' }] })]));
    const charge = await db().query('select kind, status from retro_adjustment');
    expect(charge.rows).toEqual([{ kind: 'charge', status: 'pending' }]);
    const r = await ingest(db(), build834([term(SUB, '20260930')]));
    expect(r.totals.terminated).toBe(1);
    const credit = await db().query<{ kind: string; effective_date: string; months: number; status: string; coverage_id: string | null }>(
      `select kind, to_char(effective_date, 'YYYY-MM-DD') as effective_date, months, status, coverage_id from retro_adjustment where file_id = $1`,
      [r.fileId],
    );
    expect(credit.rows).toEqual([{ kind: 'credit', effective_date: '2026-09-30', months: 2, status: 'pending', coverage_id: null }]);
  });

  it('applies the same rules across batch boundaries: interleaved families, one SSN sent for two new families, loads issued a batch ahead', async () => {
    const one = subscriber('900000001', { first: 'ONE', ssn: '911000001' });
    const two = subscriber('900000002', { first: 'TWO', ssn: '911000002' });
    const spouse = dependent('900000001', '01', 'ONESPOUSE', '19860530');
    // A new family whose subscriber has ONE's SSN: never a new member.
    const three = subscriber('900000003', { first: 'THREE', ssn: '911000001' });
    // THREE two batches after ONE (its load sees ONE written), and right after ONE (loaded
    // before ONE is written: the batch in flight's SSNs count); the spouse in the batch after
    // ONE's family (batchMembers 2: that batch is loaded only once ONE's batch is written).
    for (const order of [[one, two, spouse, three], [one, three, two, spouse]]) {
      for (const batchMembers of [2000, 1, 2]) {
        await db().exec('truncate inbound_set, id_card_request, retro_adjustment, member_history, coverage, member, exception_event, exception, inbound_file restart identity cascade;');
        const r = await ingest834(writeTemp(build834(order)), { db: db(), now: () => NOW, batchMembers });
        const label = `batchMembers ${batchMembers}, THREE at ${order.indexOf(three)}`;
        expect(r.validation?.setsRejected, label).toBe(0);
        expect(r.totals, label).toMatchObject({ added: 3, held: 1 });
        expect((await members(db())).map((m) => [m.subscriber_number, m.first_name]), label).toEqual([
          ['900000001', 'ONE'],
          ['900000001', 'ONESPOUSE'],
          ['900000002', 'TWO'],
        ]);
        expect((await exceptions(db())).map((e) => [e.category, e.subscriber_id]), label).toEqual([['member-match-uncertain', '900000003']]);
      }
    }
  });

});
