/**
 * ID cards on PostgreSQL: an 834 adds a family whose cards the rules request (the subscriber
 * and at most five dependents a card; a child with a custodial parent on a card mailed to
 * that parent); `members show` lists them with where each is mailed, `cards pending` is the
 * printer's queue and `cards mark-sent` records them sent (idempotent, all-or-nothing on
 * unknown ids). Addresses are shown to the person who runs the command and never logged.
 */
import { describe, expect, it } from 'vitest';
import { cardsCommand } from '../../src/cli/commands/cards.js';
import { membersCommand } from '../../src/cli/commands/members.js';
import { CHICAGO, NOW, SPRINGFIELD, build834, dependent, ingest, subscriber, useEnrollmentDb } from '../enrollment/build834.js';
import { runCommand } from './run-command.js';

const SUB = '900000001';
const MAPLE = { line1: '9 MAPLE AVE', city: 'PEORIA', state: 'IL', zip: '61602' };
const HLT = [{ line: 'HLT', plan: 'PPO01', level: 'FAM' }];

/** Subscriber ALEX (home Springfield, mail to Chicago), spouse, five children at home, one child whose custodial parent is PAT SMITH in Peoria. */
function bigFamily(): string[][] {
  return [
    subscriber(SUB, { address: SPRINGFIELD, mailing: CHICAGO, coverages: HLT }),
    dependent(SUB, '01', 'JORDAN', '19860530'),
    ...['RILEY', 'CASEY', 'DREW', 'EMERY', 'FINLEY'].map((first, i) => dependent(SUB, '19', first, `201${i}0101`)),
    dependent(SUB, '19', 'GRAY', '20160606', { custodial: { last: 'SMITH', first: 'PAT', address: MAPLE } }),
  ];
}

interface CardJson {
  requestId: string;
  cardNumber: number;
  status: string;
  printedAt: string | null;
  members: Array<{ name: string; subscriber: boolean }>;
  mailTo: { to: string; name: string; address: { line1: string; city: string } | null };
}

describe('ID cards: members show, cards pending, cards mark-sent (PostgreSQL)', () => {
  const db = useEnrollmentDb();

  it('shows a family its cards: five dependents a card, the custodial parent\'s card mailed to that parent, never logged', async () => {
    const r = await ingest(db(), build834(bigFamily()));
    expect(r.totals).toMatchObject({ added: 8, held: 0 });

    const json = await runCommand(db(), membersCommand, ['show', SUB, '--json']);
    expect(json.code).toBe(0);
    const cards = JSON.parse(json.out)[0].cards as CardJson[];
    expect(cards.map((c) => [c.cardNumber, c.status, c.mailTo.to, c.members.map((m) => m.name.split(' ')[0])]).sort()).toEqual([
      [1, 'pending', 'subscriber', ['ALEX', 'JORDAN', 'RILEY', 'CASEY', 'DREW', 'EMERY']],
      [2, 'pending', 'subscriber', ['ALEX', 'FINLEY']],
      [3, 'pending', 'custodial-parent', ['ALEX', 'GRAY']],
    ]);
    const byNumber = new Map(cards.map((c) => [c.cardNumber, c]));
    // The subscriber's mailing address, not the home one; the custodial parent's own.
    expect(byNumber.get(1)!.mailTo).toMatchObject({ name: 'ALEX SAMPLE', address: { line1: CHICAGO.line1, city: CHICAGO.city } });
    expect(byNumber.get(3)!.mailTo).toMatchObject({ name: 'PAT SMITH', address: { line1: MAPLE.line1, city: MAPLE.city } });

    const text = await runCommand(db(), membersCommand, ['show', SUB]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/ID cards:\n/);
    expect(text.out).toMatch(/request \d+ card 1: pending since 2026-\d\d-\d\dT\d\d:\d\dZ \(file 1\)\n {6}on it: EB\d{10} ALEX SAMPLE; EB\d{10} JORDAN SAMPLE \(01\);/);
    expect(text.out).toContain('mailed to the subscriber: ALEX SAMPLE, 200 LAKE SHORE DR, CHICAGO, IL 60601');
    expect(text.out).toContain('mailed to the custodial parent: PAT SMITH, 9 MAPLE AVE, PEORIA, IL 61602');
    // PHI goes to the person, never to the logs.
    for (const ran of [json, text]) {
      expect(ran.logs).not.toContain('MAPLE');
      expect(ran.logs).not.toContain('LAKE SHORE');
      expect(ran.logs).not.toContain('SMITH');
    }
  });

  it('lists the printer\'s queue oldest first, marks cards sent idempotently, refuses unknown ids and keeps cancelled ones cancelled', async () => {
    await ingest(db(), build834(bigFamily()));
    await ingest(db(), build834([subscriber('900000002', { first: 'BLAKE', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP' }] })]));

    const all = await runCommand(db(), cardsCommand, ['pending', '--json']);
    expect(all.code).toBe(0);
    const queue = JSON.parse(all.out) as { cards: Array<CardJson & { subscriberNumber: string }>; more: boolean };
    expect(queue.more).toBe(false);
    expect(queue.cards.map((c) => [c.subscriberNumber, c.cardNumber])).toEqual([[SUB, 1], [SUB, 2], [SUB, 3], ['900000002', 1]]);
    const ids = queue.cards.map((c) => c.requestId);

    const two = await runCommand(db(), cardsCommand, ['pending', '--group', 'GRP10045', '--limit', '2']);
    expect(two.code).toBe(0);
    expect(two.out).toMatch(/^2 ID cards waiting for the printer, oldest first \(the first 2; more wait\):/);
    expect(two.out).toContain(`request ${ids[0]} group GRP10045 subscriber number ${SUB} card 1`);
    expect((await runCommand(db(), cardsCommand, ['pending', '--group', 'GRP20311'])).out).toBe('No ID card waits for the printer.\n');
    for (const bad of [['pending', '--limit', '0'], ['pending', '--limit', 'ten'], ['pending', 'extra'], ['mark-sent'], ['mark-sent', 'abc'], ['mark-sent', '1', '--limit', '3'], ['print']]) {
      const r = await runCommand(db(), cardsCommand, bad);
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.err).toMatch(/usage: edibridge cards pending/);
    }

    // Unknown id: refused as a whole, nothing marked.
    const refused = await runCommand(db(), cardsCommand, ['mark-sent', ids[0]!, '999999']);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe('edibridge: no ID card request 999999: nothing marked\n');
    expect(refused.out).toMatch(/^Nothing marked: no ID card request 999999\./);
    expect((await db().query("select count(*)::int as n from id_card_request where status = 'pending'")).rows).toEqual([{ n: 4 }]);

    const marked = await runCommand(db(), cardsCommand, ['mark-sent', ids[0]!, ids[1]!, ids[0]!]);
    expect(marked.code).toBe(0);
    expect(marked.out).toBe(`2 ID card requests marked sent at ${NOW.toISOString()}: ${ids[0]}, ${ids[1]}\n`);

    // Again, later: unchanged, still sent at the first time.
    const later = new Date(NOW.getTime() + 3_600_000);
    const again = await runCommand(db(), cardsCommand, ['mark-sent', ids[0]!, ids[1]!, '--json'], { now: later });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ status: 'marked', marked: [], alreadySent: [ids[0], ids[1]], cancelled: [], unknown: [] });
    const printed = await db().query<{ id: string; printed_at: Date }>("select id::text as id, printed_at from id_card_request where status = 'printed' order by id");
    expect(printed.rows).toEqual([{ id: ids[0], printed_at: NOW }, { id: ids[1], printed_at: NOW }]);

    // A card replaced before the printer reported stays cancelled.
    await db().query("update id_card_request set status = 'cancelled' where id = $1", [ids[2]]);
    const cancelled = await runCommand(db(), cardsCommand, ['mark-sent', ids[2]!, ids[3]!]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.out).toContain(`1 ID card request marked sent at ${NOW.toISOString()}: ${ids[3]}`);
    expect(cancelled.out).toContain(`cancelled before they were marked (a newer card replaces them), left cancelled: ${ids[2]}`);
    expect((await runCommand(db(), cardsCommand, ['pending'])).out).toBe('No ID card waits for the printer.\n');

    // The family's view: the sent cards with their time, the cancelled one left out.
    const family = JSON.parse((await runCommand(db(), membersCommand, ['show', SUB, '--json'])).out)[0].cards as CardJson[];
    expect(family.map((c) => [c.requestId, c.status, c.printedAt])).toEqual([
      [ids[1], 'printed', NOW.toISOString()],
      [ids[0], 'printed', NOW.toISOString()],
    ]);
    const text = await runCommand(db(), membersCommand, ['show', SUB]);
    expect(text.out).toContain(`request ${ids[0]} card 1: sent 2026-11-23T12:00Z`);
  });

  it('says when a family has no card pending or sent', async () => {
    await ingest(db(), build834([subscriber(SUB, { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP' }] })]));
    await db().query("update id_card_request set status = 'cancelled'");
    const r = await runCommand(db(), membersCommand, ['show', SUB]);
    expect(r.out).toContain('ID cards: none pending or sent');
  });
});
