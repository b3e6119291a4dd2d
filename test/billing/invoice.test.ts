/**
 * Invoices (list bills) on PostgreSQL, from 834s applied with the fixed clock of
 * test/enrollment/build834.ts (received 2026-11-23): active members at the rate of their
 * level, retroactive adds as adjustments up to six months back, older ones as review items
 * with their amount, prior balance carried, numbers stable and never reused, billing
 * idempotent, periods and bill dates per the group's cycle and billing day.
 */
import { describe, expect, it } from 'vitest';
import { billGroup } from '../../src/billing/invoice.js';
import { billDate, billingPeriod, nextPeriodAfter } from '../../src/billing/period.js';
import { runBilling } from '../../src/billing/scheduled.js';
import { flagPastDue, getInvoice, groupBalance } from '../../src/billing/statements.js';
import { build834, ingest, subscriber, dependent } from '../enrollment/build834.js';
import { useBillingDb } from './billing-db.js';

const db = useBillingDb();

/** Rates of samples/reference-data.yaml for 2026, in cents. */
const PPO = { EMP: 51240, ESP: 107604, ECH: 97356, FAM: 148596 };

describe('billing periods and dates', () => {
  it('follows the group cycle and billing day, a weekend moving to Monday', () => {
    expect(billingPeriod('2026-12', 'monthly')).toEqual({ start: '2026-12-01', end: '2026-12-31', months: 1 });
    expect(billingPeriod('2027-01', 'quarterly')).toEqual({ start: '2027-01-01', end: '2027-03-31', months: 3 });
    expect(() => billingPeriod('2027-02', 'quarterly')).toThrow(/01, 04, 07, 10/);
    // 2026-11-01 is a Sunday: the bill goes out Monday 2026-11-02.
    expect(billDate(billingPeriod('2026-12', 'monthly'), 1)).toBe('2026-11-02');
    // 2026-11-15 is a Sunday too; 2026-10-20 a Tuesday.
    expect(billDate(billingPeriod('2026-12', 'monthly'), 15)).toBe('2026-11-16');
    expect(billDate(billingPeriod('2026-11', 'monthly'), 20)).toBe('2026-10-20');
    expect(nextPeriodAfter('2026-11-23', 'quarterly')).toEqual({ start: '2027-01-01', end: '2027-03-31', months: 3 });
  });
});

describe('invoices', () => {
  it('bills active members at their level, a retro add four months back as an adjustment, and one eight months back for review', async () => {
    // Three families: on time (December), four months back (July), eight months back (March).
    await ingest(db(), build834([subscriber('4001', { first: 'ONTIME', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261201' }] })]));
    await ingest(db(), build834([subscriber('4002', { first: 'JULY', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'ESP', begin: '20260701' }], dates: [['356', '20260701']] }), dependent('4002', '01', 'SPOUSEJ', '19850101', { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'ESP', begin: '20260701' }], dates: [['356', '20260701']] })]));
    await ingest(db(), build834([subscriber('4003', { first: 'MARCH', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20260301' }], dates: [['356', '20260301']] })]));

    const r = await billGroup(db(), { group: 'GRP10045', period: '2026-12' });
    expect(r).toMatchObject({ created: true, activeLines: 3, adjustmentLines: 1, reviewItems: 1, unrated: [] });
    expect(r.invoiceNumber).toMatch(/^INV-202612-\d{6}$/);
    const inv = await getInvoice(db(), r.invoiceNumber);
    const active = inv.lines.filter((l) => l.section === 'active');
    expect(active.map((l) => [l.subscriberNumber, l.coverageLevel, l.amountCents]).sort()).toEqual([
      ['4001', 'EMP', PPO.EMP],
      ['4002', 'ESP', PPO.ESP],
      ['4003', 'EMP', PPO.EMP],
    ]);
    // July through November: five months the July family was covered and nobody billed.
    const adjustment = inv.lines.find((l) => l.section === 'adjustment')!;
    expect(adjustment).toMatchObject({ subscriberNumber: '4002', periodStart: '2026-07-01', periodEnd: '2026-11-30', months: 5, amountCents: 5 * PPO.ESP });
    // March is more than six months back: computed (March–November, nine months) and queued, not billed.
    expect(inv.reviewItems).toEqual([expect.objectContaining({ kind: 'charge', months: 9, amountCents: 9 * PPO.EMP, status: 'open' })]);
    expect(inv).toMatchObject({
      priorBalanceCents: 0,
      currentChargesCents: PPO.EMP + PPO.ESP + PPO.EMP,
      adjustmentsCents: 5 * PPO.ESP,
      amountDueCents: PPO.EMP + PPO.ESP + PPO.EMP + 5 * PPO.ESP,
      billDate: '2026-11-02',
      dueDate: '2026-12-01',
    });
    const exceptions = await db().query<{ category: string }>("select category from exception where category = 'retro-beyond-six-months'");
    expect(exceptions.rows).toHaveLength(1);

    // Billed again: the same invoice, nothing added.
    const again = await billGroup(db(), { group: 'GRP10045', period: '2026-12' });
    expect(again).toMatchObject({ created: false, invoiceNumber: r.invoiceNumber });
    expect(Number((await db().query<{ n: string }>('select count(*)::text as n from invoice_line')).rows[0]!.n)).toBe(4);

    // January: no adjustment again (billed once), the prior balance carried, a new number.
    const jan = await billGroup(db(), { group: 'GRP10045', period: '2027-01' });
    const janInv = await getInvoice(db(), jan.invoiceNumber);
    expect(jan.adjustmentLines).toBe(0);
    expect(janInv.priorBalanceCents).toBe(inv.amountDueCents);
    expect(jan.invoiceNumber).not.toBe(r.invoiceNumber);
    // 2027 rates apply from January (EMP 538.02, ESP 1,129.84).
    expect(janInv.currentChargesCents).toBe(53802 + 112984 + 53802);
    expect((await groupBalance(db(), 'GRP10045')).balanceCents).toBe(inv.amountDueCents + janInv.currentChargesCents);
  });

  it('credits the months billed after a retroactive termination', async () => {
    await ingest(db(), build834([subscriber('4101', { first: 'LEAVER', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261101' }], dates: [['356', '20261101']] })]));
    await billGroup(db(), { group: 'GRP10045', period: '2026-12' });
    // Terminated on 2026-11-30, sent after December was billed: December is credited in January.
    await ingest(db(), build834([subscriber('4101', { first: 'LEAVER', mt: '024', dates: [['357', '20261130']], coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261101', end: '20261130' }] })]));
    const jan = await billGroup(db(), { group: 'GRP10045', period: '2027-01' });
    const inv = await getInvoice(db(), jan.invoiceNumber);
    expect(inv.lines.filter((l) => l.section === 'active')).toEqual([]);
    expect(inv.lines.filter((l) => l.section === 'adjustment').map((l) => [l.periodStart, l.months, l.amountCents])).toEqual([['2026-12-01', 1, -PPO.EMP]]);
  });

  it('numbers are never reused, even when building an invoice fails', async () => {
    const first = await billGroup(db(), { group: 'GRP10045', period: '2026-10' });
    await db().transaction(async (tx) => {
      await billGroup(tx, { group: 'GRP10045', period: '2026-11' });
      throw new Error('rolled back');
    }).catch(() => undefined);
    const next = await billGroup(db(), { group: 'GRP10045', period: '2026-11' });
    const n = (s: string): number => Number(s.slice(-6));
    expect(n(next.invoiceNumber)).toBeGreaterThan(n(first.invoiceNumber) + 1);
  });

  it('the daily run bills each group once on its bill date and flags unpaid invoices past due', async () => {
    await ingest(db(), build834([subscriber('4201', { first: 'DAILY', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261201' }] })]));
    // 2026-11-02 (Monday): GRP10045 (day 1) is billed for December; GRP20311 (day 15) not yet
    // for December, but its November, whose bill date passed unbilled, is billed late.
    const run = await runBilling(db(), '2026-11-02');
    const billed = run.billed.map((b) => `${b.group} ${b.invoiceNumber.slice(0, 10)}`).sort();
    // The quarterly group gets its October–December quarter late; January's bill date (2026-12-21) has not come.
    expect(billed).toEqual(['GRP10045 INV-202611', 'GRP10045 INV-202612', 'GRP20311 INV-202611', 'GRP30007 INV-202610']);
    expect((await runBilling(db(), '2026-11-02')).billed).toEqual([]);
    // Unpaid after their due dates (2026-11-01, 2026-12-01): both flagged, once.
    expect((await flagPastDue(db(), 'GRP10045', '2026-12-02')).map((n) => n.slice(0, 10)).sort()).toEqual(['INV-202611', 'INV-202612']);
    expect(await flagPastDue(db(), 'GRP10045', '2026-12-03')).toEqual([]);
    expect((await groupBalance(db(), 'GRP10045')).pastDueInvoices).toHaveLength(2);
  });
});
