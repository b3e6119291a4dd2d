/**
 * Full cycle on PostgreSQL: 834 enrollment → invoice → 820 payment, balances checked to the
 * cent, one test per case of cash application and of the exceptions it raises. The clock is
 * build834's (files received 2026-11-23); the invoice is December 2026's for GRP10045.
 */
import { describe, expect, it } from 'vitest';
import { billGroup } from '../../src/billing/invoice.js';
import { flagPastDue, getInvoice, groupBalance } from '../../src/billing/statements.js';
import type { Db } from '../../src/db/db.js';
import { enrollmentHandler } from '../../src/enrollment/handler.js';
import { handlerRegistry } from '../../src/ingest/handlers.js';
import { ingestFile } from '../../src/ingest/ingest.js';
import { remittanceHandler, remittanceOf } from '../../src/remittance/handler.js';
import { getPayments } from '../../src/remittance/payments.js';
import { NOW, ackDir, build834, dependent, ingest, phi, subscriber, writeTemp } from '../enrollment/build834.js';
import { useBillingDb } from './billing-db.js';
import { build820, type PaymentSpec } from './build820.js';

const db = useBillingDb();

/** 2026 rates (cents): PPO01 EMP and ESP. */
const EMP = 51240;
const ESP = 107604;

/** Two families (5001 employee only, 5002 with a spouse) enrolled for December, and December billed. */
async function enrolledAndBilled(): Promise<{ invoice: string; due: number }> {
  await ingest(db(), build834([
    subscriber('5001', { first: 'PAYONE', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261201' }] }),
    subscriber('5002', { first: 'PAYTWO', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'ESP', begin: '20261201' }] }),
    dependent('5002', '01', 'SPOUSETWO', '19840101', { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'ESP', begin: '20261201' }] }),
  ]));
  const bill = await billGroup(db(), { group: 'GRP10045', period: '2026-12' });
  const inv = await getInvoice(db(), bill.invoiceNumber);
  expect(inv.amountDueCents).toBe(EMP + ESP);
  return { invoice: bill.invoiceNumber, due: inv.amountDueCents };
}

async function pay(payments: PaymentSpec[]): Promise<ReturnType<typeof remittanceOf> & { status: string }> {
  const path = writeTemp(build820(payments));
  const r = await ingestFile(path, { db: db(), handlers: handlerRegistry(enrollmentHandler({ phi }), remittanceHandler()), now: () => NOW, ackDir: ackDir() });
  expect(r.validation?.setsRejected, 'the 820 passes validation').toBe(0);
  return { ...remittanceOf(r), status: r.status };
}

const dollars = (c: number): string => (c / 100).toFixed(2);
const balance = async (): Promise<number> => (await groupBalance(db(), 'GRP10045')).balanceCents;
const categories = async (d: Db): Promise<string[]> => (await d.query<{ category: string }>('select category from exception where category not like \'retro%\' order by id')).rows.map((r) => r.category);

describe('cash application', () => {
  it('paid = billed: applied to the invoice, nothing owed, nothing for a person', async () => {
    const { invoice, due } = await enrolledAndBilled();
    const r = await pay([{ trace: 'PAID-IN-FULL', loops: [{ kind: 'organization', rmr: [{ reference: invoice, paid: dollars(due) }] }] }]);
    expect(r.payments).toEqual([expect.objectContaining({ status: 'applied', appliedCents: due, creditCents: 0, suspenseCents: 0 })]);
    expect(await balance()).toBe(0);
    expect((await getInvoice(db(), invoice)).paidCents).toBe(due);
    expect(await categories(db())).toEqual([]);
  });

  it('a short pay leaves a balance that carries to the next invoice, and a person follows up', async () => {
    const { invoice, due } = await enrolledAndBilled();
    await pay([{ trace: 'SHORT-PAY', loops: [{ kind: 'organization', rmr: [{ reference: invoice, paid: dollars(due - 10000) }] }] }]);
    expect(await balance()).toBe(10000);
    expect(await categories(db())).toEqual(['paid-billed-mismatch']);
    const jan = await billGroup(db(), { group: 'GRP10045', period: '2027-01' });
    const janInv = await getInvoice(db(), jan.invoiceNumber);
    expect(janInv.priorBalanceCents).toBe(10000);
    expect(janInv.amountDueCents).toBe(10000 + janInv.currentChargesCents);
  });

  it('a payment that arrives after the past-due flag still clears it', async () => {
    const { invoice, due } = await enrolledAndBilled();
    expect(await flagPastDue(db(), 'GRP10045', '2026-12-10')).toEqual([invoice]);
    expect((await getInvoice(db(), invoice)).pastDue).toBe(true);
    await pay([{ trace: 'LATE-BUT-PAID', loops: [{ kind: 'organization', rmr: [{ reference: invoice, paid: dollars(due) }] }] }]);
    const after = await getInvoice(db(), invoice);
    expect(after.pastDue).toBe(false);
    expect(after.clearedAt).not.toBeNull();
    expect((await groupBalance(db(), 'GRP10045')).pastDueInvoices).toEqual([]);
  });

  it('a short pay within the tolerance carries without an exception', async () => {
    const { invoice, due } = await enrolledAndBilled();
    await pay([{ trace: 'PENNIES', loops: [{ kind: 'organization', rmr: [{ reference: invoice, paid: dollars(due - 50) }] }] }]);
    expect(await balance()).toBe(50);
    expect(await categories(db())).toEqual([]);
  });

  it('an overpay is unapplied credit that lowers the next invoice; beyond the tolerance a person decides', async () => {
    const { invoice, due } = await enrolledAndBilled();
    const r = await pay([{ trace: 'OVER-PAY', loops: [{ kind: 'organization', rmr: [{ reference: invoice, paid: dollars(due + 2500) }] }] }]);
    expect(r.payments[0]).toMatchObject({ appliedCents: due, creditCents: 2500, suspenseCents: 0 });
    expect(await groupBalance(db(), 'GRP10045')).toMatchObject({ balanceCents: -2500, creditCents: 2500 });
    expect(await categories(db())).toEqual(['paid-billed-mismatch']);
    const jan = await getInvoice(db(), (await billGroup(db(), { group: 'GRP10045', period: '2027-01' })).invoiceNumber);
    expect(jan.priorBalanceCents).toBe(-2500);
  });

  it('individual remittance is matched member by member; RMR05 is compared line by line', async () => {
    const { invoice } = await enrolledAndBilled();
    const r = await pay([{
      trace: 'BY-MEMBER',
      loops: [
        { kind: 'individual', member: '5001', rmr: [{ reference: invoice, paid: dollars(EMP) }] },
        // The payer thinks ESP is billed 1,000.00: it paid that and says so in RMR05.
        { kind: 'individual', member: '5002', rmr: [{ reference: invoice, paid: '1000', billed: '1000', adx: [dollars(100000 - ESP), '52'] }] },
      ],
    }]);
    expect(r.payments[0]).toMatchObject({ status: 'applied', appliedCents: EMP + 100000 });
    expect(await balance()).toBe(ESP - 100000);
    const [payment] = await getPayments(db(), 'BY-MEMBER');
    expect(payment!.allocations.map((a) => [a.memberId !== null, a.amountCents, a.billedCents, a.payerBilledCents, a.disposition])).toEqual([
      [true, EMP, EMP, null, 'applied'],
      [true, 100000, ESP, 100000, 'applied'],
    ]);
    expect(await categories(db())).toEqual(['paid-billed-mismatch']);
  });

  it('an unknown invoice, an unknown member and a member not covered wait in suspense, each with its exception', async () => {
    const { invoice } = await enrolledAndBilled();
    // A member of the group enrolled only from January: not covered in December.
    await ingest(db(), build834([subscriber('5003', { first: 'LATER', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20270101' }] })]));
    const r = await pay([{
      trace: 'THREE-PROBLEMS',
      loops: [
        { kind: 'organization', rmr: [{ reference: 'INV-209912-999999', paid: '100' }] },
        { kind: 'individual', member: '9999', rmr: [{ reference: invoice, paid: '200' }] },
        { kind: 'individual', member: '5003', rmr: [{ reference: invoice, paid: '300' }] },
      ],
    }]);
    expect(r.payments[0]).toMatchObject({ status: 'applied', appliedCents: 0, suspenseCents: 60000 });
    expect(await categories(db())).toEqual(['unknown-invoice', 'unknown-member', 'member-not-covered']);
    expect(await groupBalance(db(), 'GRP10045')).toMatchObject({ balanceCents: EMP + ESP, suspenseCents: 60000 });
    const linked = await db().query<{ n: number }>("select count(*)::integer as n from payment_allocation where disposition = 'suspense' and exception_id is not null");
    expect(linked.rows[0]!.n).toBe(3);
  });

  it('a duplicate trace applies nothing the second time', async () => {
    const { invoice, due } = await enrolledAndBilled();
    await pay([{ trace: 'TWICE', loops: [{ kind: 'organization', rmr: [{ reference: invoice, paid: dollars(due) }] }] }]);
    // Another file (another ISA13), the same trace: a duplicate payment.
    const second = await pay([{ trace: 'TWICE', loops: [{ kind: 'organization', rmr: [{ reference: invoice, paid: dollars(due) }] }] }]);
    expect(second.payments[0]).toMatchObject({ status: 'duplicate', appliedCents: 0, creditCents: 0 });
    expect(await balance()).toBe(0);
    expect(await categories(db())).toEqual(['duplicate-payment']);
    expect((await getPayments(db(), 'TWICE')).map((p) => p.status)).toEqual(['applied', 'duplicate']);
  });

  it('an ADX in the 2000 loop adjusts an earlier payment', async () => {
    const { invoice, due } = await enrolledAndBilled();
    await pay([{ trace: 'FIRST', loops: [{ kind: 'organization', rmr: [{ reference: invoice, paid: dollars(due) }] }] }]);
    expect(await balance()).toBe(0);
    // The payer takes back 50.00 of an earlier payment (the 2000-level ADX names no invoice: the group's account).
    const jan = await billGroup(db(), { group: 'GRP10045', period: '2027-01' });
    const janDue = (await getInvoice(db(), jan.invoiceNumber)).currentChargesCents;
    const r = await pay([{ trace: 'SECOND', loops: [{ kind: 'organization', adx: ['-50', '52'], rmr: [{ reference: jan.invoiceNumber, paid: dollars(janDue) }] }] }]);
    expect(r.payments[0]).toMatchObject({ status: 'applied', appliedCents: janDue - 5000 });
    // January is paid in full; the 50.00 taken back from December's payment is owed again.
    expect((await getInvoice(db(), jan.invoiceNumber)).paidCents).toBe(janDue);
    expect(await balance()).toBe(5000);
    const [second] = await getPayments(db(), 'SECOND');
    expect(second!.amountCents).toBe(janDue - 5000);
  });

  it('BPR02 disagreeing with its lines holds the whole payment in suspense', async () => {
    const { invoice, due } = await enrolledAndBilled();
    const r = await pay([{ trace: 'BAD-TOTAL', amount: dollars(due + 1), loops: [{ kind: 'organization', rmr: [{ reference: invoice, paid: dollars(due) }] }] }]);
    expect(r.payments[0]).toMatchObject({ status: 'held', appliedCents: 0, suspenseCents: due + 1 });
    expect(await balance()).toBe(due);
    expect(await categories(db())).toEqual(['payment-total-mismatch']);
  });

  it('a payment for a terminated group waits for a person', async () => {
    const { invoice, due } = await enrolledAndBilled();
    await db().query("update employer_group set terminated_on = '2026-11-30' where group_number = 'GRP10045'");
    const r = await pay([{ trace: 'AFTER-END', loops: [{ kind: 'organization', rmr: [{ reference: invoice, paid: dollars(due) }] }] }]);
    expect(r.payments[0]).toMatchObject({ status: 'held', suspenseCents: due });
    expect(await categories(db())).toEqual(['terminated-group-payment']);
  });

  it('remittance information only (BPR01 I, BPR04 NON) moves no money', async () => {
    const { invoice, due } = await enrolledAndBilled();
    const r = await pay([{ trace: 'INFO-ONLY', handling: 'I', method: 'NON', amount: '0', loops: [{ kind: 'organization', rmr: [{ reference: invoice, paid: '0' }] }] }]);
    expect(r.payments[0]).toMatchObject({ status: 'information', appliedCents: 0 });
    expect(await balance()).toBe(due);
  });

  it('a payment on the group (RMR AZ) for members, when we sent no invoice', async () => {
    await enrolledAndBilled();
    await pay([{ trace: 'ON-ACCOUNT', loops: [{ kind: 'individual', member: '5001', rmr: [{ qualifier: 'AZ', reference: 'GRP10045', paid: dollars(EMP) }] }] }]);
    expect(await balance()).toBe(ESP);
  });

  it('re-ingesting the same 820 applies nothing twice', async () => {
    const { invoice, due } = await enrolledAndBilled();
    const text = build820([{ trace: 'AGAIN', loops: [{ kind: 'organization', rmr: [{ reference: invoice, paid: dollars(due - 700) }] }] }]);
    const handlers = handlerRegistry(enrollmentHandler({ phi }), remittanceHandler());
    const path = writeTemp(text);
    await ingestFile(path, { db: db(), handlers, now: () => NOW, ackDir: ackDir() });
    const again = await ingestFile(path, { db: db(), handlers, now: () => NOW, ackDir: ackDir() });
    expect(again.status).toBe('duplicate');
    expect(await balance()).toBe(700);
    expect((await db().query<{ n: number }>('select count(*)::integer as n from payment')).rows[0]!.n).toBe(1);
  });
});
