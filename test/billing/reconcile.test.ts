/**
 * Reconciliation on PostgreSQL: a month in which a member is enrolled but not billed (added
 * after the bill, coverage from the period's start, and not yet billed), one is billed but not
 * paid, and money arrives for someone not enrolled; each difference is found with its amount
 * and its source (file, invoice, payment).
 */
import { describe, expect, it } from 'vitest';
import { billGroup } from '../../src/billing/invoice.js';
import { reconcile, reconciliationCsv } from '../../src/billing/reconcile.js';
import { enrollmentHandler } from '../../src/enrollment/handler.js';
import { handlerRegistry } from '../../src/ingest/handlers.js';
import { ingestFile } from '../../src/ingest/ingest.js';
import { remittanceHandler } from '../../src/remittance/handler.js';
import { NOW, ackDir, build834, ingest, phi, subscriber, writeTemp } from '../enrollment/build834.js';
import { useBillingDb } from './billing-db.js';
import { build820 } from './build820.js';

const db = useBillingDb();
const EMP = 51240;

describe('reconciliation', () => {
  it('finds enrolled-not-billed, billed-not-paid and paid-not-enrolled, each with its amount and source', async () => {
    await ingest(db(), build834([
      subscriber('6001', { first: 'PAIDFULL', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261201' }] }),
      subscriber('6002', { first: 'UNPAID', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261201' }] }),
    ]));
    const bill = await billGroup(db(), { group: 'GRP10045', period: '2026-12' });
    // Enrolled after the bill was built, for December: enrolled, not billed.
    const late = await ingest(db(), build834([subscriber('6003', { first: 'LATEADD', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261201' }] })]));
    // Paid: 6001 in full, nothing for 6002, and a line for 6099 whom we do not know.
    const path = writeTemp(build820([{
      trace: 'RECON-1',
      loops: [
        { kind: 'individual', member: '6001', rmr: [{ reference: bill.invoiceNumber, paid: (EMP / 100).toFixed(2) }] },
        { kind: 'individual', member: '6099', rmr: [{ reference: bill.invoiceNumber, paid: '75' }] },
      ],
    }]));
    const paid = await ingestFile(path, { db: db(), handlers: handlerRegistry(enrollmentHandler({ phi }), remittanceHandler()), now: () => NOW, ackDir: ackDir() });

    const r = await reconcile(db(), 'GRP10045', '2026-12');
    expect(r).toMatchObject({ invoiceNumber: bill.invoiceNumber, enrolled: 3, billed: 2, paid: 1, billedCents: 2 * EMP, paidCents: EMP });
    const members = await db().query<{ member_id: string; subscriber_number: string }>("select member_id, subscriber_number from member where subscriber_number in ('6001', '6002', '6003')");
    const id = (sub: string): string => members.rows.find((m) => m.subscriber_number === sub)!.member_id;
    expect(r.differences).toEqual(
      expect.arrayContaining([
        { kind: 'enrolled-not-billed', memberId: id('6003'), reference: '6003', amountCents: EMP, source: { fileId: late.fileId } },
        { kind: 'billed-not-paid', memberId: id('6002'), reference: '6002', amountCents: EMP, source: { invoiceNumber: bill.invoiceNumber } },
        { kind: 'paid-not-enrolled', memberId: null, reference: '6099', amountCents: 7500, source: { paymentTrace: 'RECON-1', paymentFileId: paid.fileId } },
      ]),
    );
    expect(r.differences).toHaveLength(3);
    const csv = reconciliationCsv(r).trim().split('\n');
    expect(csv[0]).toBe('group,period_start,kind,member_id,reference,amount,source_file,invoice,payment_trace,payment_file');
    expect(csv).toContain(`GRP10045,2026-12-01,paid-not-enrolled,,6099,75.00,,,RECON-1,${paid.fileId}`);
  });

  it('a group and period in agreement has no differences', async () => {
    await ingest(db(), build834([subscriber('6101', { first: 'AGREE', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261201' }] })]));
    const bill = await billGroup(db(), { group: 'GRP10045', period: '2026-12' });
    const path = writeTemp(build820([{ trace: 'RECON-2', loops: [{ kind: 'individual', member: '6101', rmr: [{ reference: bill.invoiceNumber, paid: (EMP / 100).toFixed(2) }] }] }]));
    await ingestFile(path, { db: db(), handlers: handlerRegistry(enrollmentHandler({ phi }), remittanceHandler()), now: () => NOW, ackDir: ackDir() });
    const r = await reconcile(db(), 'GRP10045', '2026-12');
    expect(r.differences).toEqual([]);
    expect(r).toMatchObject({ enrolled: 1, billed: 1, paid: 1 });
  });
});
