/**
 * The 834 file-level rules end to end against real PostgreSQL with a fixed clock
 * (2026-11-23): verify files (BGN08 4), full files (BGN08 RX) and the members they omit,
 * ID cards, resends (same bytes, same ISA06+ISA13, same BGN02), unknown partners and
 * groups, and rejected transaction sets.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IngestError } from '../../src/ingest/ingest.js';
import {
  ingest834,
  NOW,
  SUMMIT,
  ackDir,
  build834,
  categories,
  count,
  coverages,
  dependent,
  exceptions,
  history,
  ingest,
  insPositions,
  interchange,
  member,
  memberNamed,
  members,
  membershipSnapshot,
  nextControl,
  phi,
  subscriber,
  useEnrollmentDb,
  writeTemp,
} from './build834.js';

const SUB = '900000001';

function family(sub = SUB, begin = '20261201'): string[][] {
  const cov = (line: string, plan: string) => ({ line, plan, level: 'FAM', begin });
  return [
    subscriber(sub, { coverages: [cov('HLT', 'PPO01'), cov('DEN', 'DEN01')] }),
    dependent(sub, '01', 'JORDAN', '19860530', { coverages: [cov('HLT', 'PPO01')] }),
    dependent(sub, '19', 'RILEY', '20150909', { coverages: [cov('HLT', 'PPO01')] }),
  ];
}

describe('834 apply: verify and full files (PostgreSQL)', () => {
  const db = useEnrollmentDb();
  // These groups are a few members each: any omission passes the 5% a full file may end or
  // queue before it is held (test/enrollment/held-files.test.ts), so the share is lifted here.
  beforeEach(async () => {
    await db().query('update employer_group set full_file_hold_percent = 100');
  });
  afterEach(async () => {
    await db().query('update employer_group set full_file_hold_percent = 5');
  });

  it('writes nothing for a verify file (BGN08 4) but its record, and reports the would-be adds', async () => {
    const r = await ingest(db(), build834(family(), { action: '4' }));
    expect(r.status).toBe('processed');
    expect(r.sets).toHaveLength(1);
    expect(r.sets[0]).toMatchObject({ status: 'verified', action: 'verify', members: 3 });
    expect(r.totals).toMatchObject({ added: 3, changed: 0, held: 0 });
    for (const t of ['member', 'coverage', 'member_history', 'id_card_request', 'retro_adjustment', 'exception']) expect(await count(db(), t), t).toBe(0);
    const sets = await db().query<{ status: string; action: string; summary: { counts: { added: number } } }>('select status, action, summary from inbound_set');
    expect(sets.rows).toHaveLength(1);
    expect(sets.rows[0]).toMatchObject({ status: 'verified', action: 'verify', summary: { counts: { added: 3 } } });
  });

  it('queues, never ends, a member a full file omits when the group says review (GRP10045)', async () => {
    await ingest(db(), build834([...family('900000001'), subscriber('900000002', { first: 'OMITTED' })]));
    const before = await membershipSnapshot(db());
    const r = await ingest(db(), build834(family('900000001'), { action: 'RX', effective: '20261201' }));
    expect(r.sets[0]).toMatchObject({ status: 'applied', action: 'replace', omitted: 1 });
    expect(r.totals).toMatchObject({ added: 0, changed: 0, unchanged: 3, terminated: 0 });
    expect(await membershipSnapshot(db())).toEqual(before);
    const omitted = await memberNamed(db(), 'OMITTED');
    expect([omitted.eligibility_end, omitted.cancelled]).toEqual([null, false]);
    const ex = await exceptions(db());
    expect(ex.map((e) => [e.category, e.subscriber_id, e.member_id, e.segment_position])).toEqual([
      ['possible-unintended-termination', '900000002', omitted.member_id, null],
    ]);

    // A full file that lists the member but no longer one of its coverages: queued too, the coverage kept.
    const text = build834([
      subscriber('900000001', { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'FAM' }] }),
      ...family('900000001').slice(1),
      subscriber('900000002', { first: 'OMITTED' }),
    ], { action: 'RX', effective: '20261201' });
    const r2 = await ingest(db(), text);
    expect(r2.sets[0]).toMatchObject({ status: 'applied', omitted: 0 });
    expect(await membershipSnapshot(db())).toEqual(before);
    const alex = await memberNamed(db(), 'ALEX');
    expect((await exceptions(db())).slice(1).map((e) => [e.category, e.member_id, e.segment_position])).toEqual([
      ['possible-unintended-termination', alex.member_id, insPositions(text)[0]![0]],
    ]);
  });

  it('ends the members a full file omits the day before its DTP*007 when the group says terminate (GRP20311, summit-tpa)', async () => {
    const cov = (begin: string) => [{ line: 'HLT', plan: 'HMO10', level: 'ESP', begin }];
    const opts = { sender: SUMMIT, masterPolicy: 'GRP20311' };
    await ingest(db(), build834([
      subscriber('900000001', { first: 'KEPT', coverages: cov('20261101') }),
      subscriber('900000002', { first: 'GONE', coverages: cov('20261101') }),
      dependent('900000002', '01', 'GONESPOUSE', '19860530', { coverages: cov('20261101') }),
    ], opts));
    const text = build834([subscriber('900000001', { first: 'KEPT', coverages: cov('20261101') })], { ...opts, action: 'RX', effective: '20261201' });
    const r = await ingest(db(), text);
    expect(r.sets[0]).toMatchObject({ status: 'applied', action: 'replace', omitted: 2 });
    expect(r.totals).toMatchObject({ terminated: 2, unchanged: 1, held: 0 });
    expect((await members(db())).map((m) => [m.first_name, m.eligibility_end, m.cancelled])).toEqual([
      ['KEPT', null, false],
      ['GONE', '2026-11-30', false],
      ['GONESPOUSE', '2026-11-30', false],
    ]);
    expect((await coverages(db())).map((c) => [c.first_name, c.end_date])).toEqual([
      ['KEPT', null],
      ['GONE', '2026-11-30'],
      ['GONESPOUSE', '2026-11-30'],
    ]);
    const h = (await history(db())).filter((x) => x.file_id === r.fileId);
    expect(h.map((x) => [x.first_name, x.action, x.effective_date, x.segment_position])).toEqual([
      ['GONE', 'terminate', '2026-11-30', null],
      ['GONESPOUSE', 'terminate', '2026-11-30', null],
    ]);
    expect(await count(db(), 'exception')).toBe(0);
  });
});

describe('834 apply: ID cards (PostgreSQL)', () => {
  const db = useEnrollmentDb();

  it('issues a second card past five dependents: subscriber + 5, then subscriber + 2', async () => {
    const kids = ['AA', 'BB', 'CC', 'DD', 'EE', 'FF'].map((k, i) => dependent(SUB, '19', `KID${k}`, `201${i}0101`));
    const r = await ingest(db(), build834([subscriber(SUB), dependent(SUB, '01', 'JORDAN', '19860530'), ...kids]));
    expect(r.totals.added).toBe(8);
    const ids = (await members(db())).map((m) => m.id);
    const cards = await db().query<{ card_number: number; member_ids: string[]; mail_to: string }>(
      'select card_number, member_ids::text[] as member_ids, mail_to from id_card_request order by card_number',
    );
    expect(cards.rows).toEqual([
      { card_number: 1, member_ids: ids.slice(0, 6), mail_to: 'subscriber' },
      { card_number: 2, member_ids: [ids[0], ...ids.slice(6)], mail_to: 'subscriber' },
    ]);
  });

  it("reissues a family's cards when a dependent joins it: the card not yet printed is replaced", async () => {
    await ingest(db(), build834([subscriber(SUB)]));
    const r = await ingest(db(), build834([dependent(SUB, '19', 'NEWBORN', '20261115', { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'ECH', begin: '20261115' }] })]));
    expect(r.totals).toMatchObject({ added: 1, held: 0 });
    const ids = (await members(db())).map((m) => m.id);
    const cards = await db().query<{ member_ids: string[]; status: string }>('select member_ids::text[] as member_ids, status from id_card_request order by id');
    expect(cards.rows).toEqual([
      { member_ids: [ids[0]], status: 'cancelled' },
      { member_ids: ids, status: 'pending' },
    ]);
  });

  it("mails a child's card to the custodial parent named in 2100F", async () => {
    const r = await ingest(db(), build834([
      subscriber(SUB),
      dependent(SUB, '19', 'RILEY', '20150909', { custodial: { last: 'PARENT', first: 'PAT', address: { line1: '5 OTHER RD', city: 'CHICAGO', state: 'IL', zip: '60601' } } }),
    ]));
    expect(r.totals.added).toBe(2);
    const [alex, riley] = await members(db());
    expect(riley!.custodial_parent).toMatchObject({ name: { last: 'PARENT', first: 'PAT' }, address: { line1: '5 OTHER RD', city: 'CHICAGO', zip: '60601' } });
    const cards = await db().query<{ card_number: number; member_ids: string[]; mail_to: string }>(
      'select card_number, member_ids::text[] as member_ids, mail_to from id_card_request order by card_number',
    );
    expect(cards.rows).toEqual([
      { card_number: 1, member_ids: [alex!.id], mail_to: 'subscriber' },
      { card_number: 2, member_ids: [alex!.id, riley!.id], mail_to: 'custodial-parent' },
    ]);
  });

  it("records a custodial parent's new middle name as a change (a detail the stored parent lacked)", async () => {
    const parent = { last: 'PARENT', first: 'PAT', address: { line1: '5 OTHER RD', city: 'CHICAGO', state: 'IL', zip: '60601' } };
    await ingest(db(), build834([subscriber(SUB), dependent(SUB, '19', 'RILEY', '20150909', { custodial: parent })]));
    const again = await ingest(db(), build834([dependent(SUB, '19', 'RILEY', '20150909', { mt: '001', custodial: parent })], { reference: 'SAME-PARENT' }));
    expect(again.totals).toMatchObject({ changed: 0, unchanged: 1 });
    const r = await ingest(db(), build834([dependent(SUB, '19', 'RILEY', '20150909', { mt: '001', custodial: { ...parent, middle: 'Q' } })], { reference: 'PARENT-MIDDLE' }));
    expect(r.totals).toMatchObject({ changed: 1, unchanged: 0 });
    const riley = (await members(db()))[1]!;
    expect(riley.custodial_parent).toMatchObject({ name: { last: 'PARENT', first: 'PAT', middle: 'Q' } });
  });
});

describe('834 apply: resends, unknown partners and groups, rejected sets (PostgreSQL)', () => {
  const db = useEnrollmentDb();

  it('answers the same bytes again with duplicate, and applies nothing', async () => {
    const text = build834(family());
    const first = await ingest(db(), text);
    expect(first.totals.added).toBe(3);
    const before = await membershipSnapshot(db());
    const again = await ingest(db(), text);
    expect(again.status).toBe('duplicate');
    expect(again.note).toMatch(/same bytes/);
    expect(again.fileId).toBe(first.fileId);
    expect(again.sets).toEqual([]);
    expect(await membershipSnapshot(db())).toEqual(before);
    expect(await count(db(), 'inbound_file')).toBe(1);
    expect(await count(db(), 'inbound_set')).toBe(1);
  });

  it('answers other bytes with the same ISA06 + ISA13 with duplicate', async () => {
    const control = nextControl();
    await ingest(db(), build834(family(), { control }));
    const before = await membershipSnapshot(db());
    const r = await ingest(db(), build834([subscriber('900000002', { first: 'OTHER' })], { control }));
    expect(r.status).toBe('duplicate');
    expect(r.note).toMatch(/interchange control number/);
    expect(await membershipSnapshot(db())).toEqual(before);
    expect(await count(db(), 'inbound_file')).toBe(1);
  });

  it('records a set whose BGN02 was applied before as duplicate, and applies nothing of it', async () => {
    await ingest(db(), build834(family(), { reference: 'ACME-20261123-01' }));
    const before = await membershipSnapshot(db());
    const r = await ingest(db(), build834([subscriber('900000002', { first: 'OTHER' })], { reference: 'ACME-20261123-01' }));
    expect(r.status).toBe('processed');
    expect(r.sets).toHaveLength(1);
    expect(r.sets[0]).toMatchObject({ status: 'duplicate', reference: 'ACME-20261123-01' });
    expect(r.sets[0]!.note).toMatch(/BGN02/);
    expect(r.totals).toMatchObject({ added: 0, held: 0 });
    expect(await membershipSnapshot(db())).toEqual(before);
    const sets = await db().query('select status, reference from inbound_set order by id');
    expect(sets.rows).toEqual([
      { status: 'applied', reference: 'ACME-20261123-01' },
      { status: 'duplicate', reference: 'ACME-20261123-01' },
    ]);
  });

  it('refuses a file from a sender that is no trading partner: a clear error, nothing stored', async () => {
    const text = build834(family(), { sender: { qualifier: 'ZZ', id: 'STRANGER', gsId: 'STRANGER' } });
    const path = writeTemp(text);
    const err = await ingest834(path, { db: db(), now: () => NOW, ackDir: ackDir() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IngestError);
    expect((err as Error).message).toMatch(/no trading partner/);
    for (const t of ['inbound_file', 'inbound_set', 'member', 'exception']) expect(await count(db(), t), t).toBe(0);
  });

  it('holds members of a group not on file, or of another partner\'s group (unknown-group)', async () => {
    const r1 = await ingest(db(), build834(family(), { masterPolicy: 'GRP99999' }));
    expect(r1.totals).toMatchObject({ added: 0, held: 3 });
    // GRP30007 belongs to summit-tpa, not acme.
    const r2 = await ingest(db(), build834([subscriber('900000002', { group: 'GRP30007' })], { masterPolicy: 'GRP30007' }));
    expect(r2.totals).toMatchObject({ added: 0, held: 1 });
    expect(await count(db(), 'member')).toBe(0);
    const ex = await exceptions(db());
    expect(ex.map((e) => [e.category, e.group_number, e.subscriber_id])).toEqual([
      ['unknown-group', 'GRP99999', SUB],
      ['unknown-group', 'GRP99999', SUB],
      ['unknown-group', 'GRP99999', SUB],
      ['unknown-group', 'GRP30007', '900000002'],
    ]);
    expect(ex[0]!.description).toMatch(/not on file/);
    expect(ex[3]!.description).toMatch(/another trading partner/);
    // A member's REF*1L naming a group on file wins over an unknown REF*38.
    const r3 = await ingest(db(), build834([subscriber('900000003', { first: 'KNOWN', group: 'GRP10045' })], { masterPolicy: 'GRP99999' }));
    expect(r3.totals).toMatchObject({ added: 1, held: 0 });
    expect((await members(db())).map((m) => [m.first_name, m.group_number])).toEqual([['KNOWN', 'GRP10045']]);
  });

  it('rejects an interchange addressed to another receiver (ISA08): TA1 009, nothing applied', async () => {
    const r = await ingest(db(), build834(family(), { receiver: 'SOMEONEELSE' }), { expectRejected: true });
    expect(r.status).toBe('rejected');
    expect(r.sets).toEqual([]);
    const ta1 = r.acknowledgements.find((a) => a.kind === 'TA1');
    expect(ta1?.path).toBeDefined();
    expect(readFileSync(ta1!.path!, 'utf8')).toMatch(/TA1\*\d{9}\*\d{6}\*\d{4}\*R\*009/);
    expect(await count(db(), 'member')).toBe(0);
    const file = await db().query('select status from inbound_file');
    expect(file.rows).toEqual([{ status: 'rejected' }]);
  });

  it('applies the accepted set of a file and nothing of its rejected one: rejected-set exception, a 999 with AK9 P', async () => {
    const good = family();
    // The second set's subscriber lacks the required 2100A NM1.
    const bad = subscriber('900000002', { first: 'BROKEN' }).filter((s) => !s.startsWith('NM1*IL'));
    const text = interchange({ sets: [{ members: good }, { members: [bad] }] });
    const r = await ingest(db(), text, { expectRejected: true });
    expect(r.validation).toMatchObject({ setsAccepted: 1, setsRejected: 1 });
    expect(r.status).toBe('processed');
    expect(r.sets.map((s) => [s.setControl, s.status])).toEqual([['0001', 'applied']]);
    expect(r.totals.added).toBe(3);
    expect(r.exceptions['rejected-set']).toBe(1);
    expect((await members(db())).map((m) => m.first_name)).toEqual(['ALEX', 'JORDAN', 'RILEY']);
    const ex = await exceptions(db());
    expect(ex.map((e) => [e.category, e.set_control])).toEqual([['rejected-set', '0002']]);
    expect(await categories(db())).not.toContain('member-match-uncertain');
    const ack = r.acknowledgements.find((a) => a.kind === '999');
    expect(ack?.path).toBeDefined();
    const ackText = readFileSync(ack!.path!, 'utf8');
    expect(ackText).toMatch(/AK2\*834\*0002/);
    expect(ackText).toMatch(/IK5\*R/);
    expect(ackText).toMatch(/AK9\*P\*2\*2\*1/);
    const sets = await db().query('select set_control, status from inbound_set order by id');
    expect(sets.rows).toEqual([{ set_control: '0001', status: 'applied' }]);
  });

  it('rejects a file whose only set is rejected: nothing applied', async () => {
    const bad = member({ sub: SUB, last: 'SAMPLE', first: 'ALEX' }).filter((s) => !s.startsWith('REF*0F'));
    const r = await ingest(db(), build834([bad]), { expectRejected: true });
    expect(r.validation).toMatchObject({ setsAccepted: 0, setsRejected: 1 });
    expect(r.sets).toEqual([]);
    expect(await count(db(), 'member')).toBe(0);
    expect(await categories(db())).toEqual(['rejected-set']);
  });
});
