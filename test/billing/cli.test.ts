/**
 * The billing commands in-process on embedded PGlite: bill, invoices list|show (text, JSON,
 * HTML), ingest of an 820, payments show, balance and reconcile; usage errors exit 2. The HTML
 * statement is the one docs/invoice-example.html shows (written again with UPDATE_DOCS=1).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { balanceCommand, billCommand, invoicesCommand, paymentsCommand, reconcileCommand } from '../../src/cli/commands/billing.js';
import { ingestCommand } from '../../src/cli/commands/ingest.js';
import { runCommand } from '../membership/run-command.js';
import { SAMPLES, useSampleDb } from '../support/sample-db.js';

const db = useSampleDb();
const DOC = join(import.meta.dirname, '../../docs/invoice-example.html');

describe('billing commands', () => {
  it('bill, show, pay, balance and reconcile the sample employer', async () => {
    for (const f of ['enrollment-834-open-enrollment.x12', 'enrollment-834.x12']) {
      expect((await runCommand(db(), ingestCommand, [join(SAMPLES, f), '--received-at', '2026-11-23T09:00:00Z'])).code).toBe(0);
    }
    const billed = await runCommand(db(), billCommand, ['GRP10045', '--period', '2026-12']);
    expect(billed.code, billed.err).toBe(0);
    expect(billed.out).toContain('invoice built: INV-202612-000001 for GRP10045, 2026-12-01 – 2026-12-31');
    expect(billed.out).toContain('amount due $2,697.89 by 2026-12-01');
    expect((await runCommand(db(), billCommand, ['GRP10045', '--period', '2026-12'])).out).toMatch(/^already billed: INV-202612-000001/);

    const list = await runCommand(db(), invoicesCommand, ['list', '--json']);
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ invoiceNumber: 'INV-202612-000001', amountDueCents: 269789, paidCents: 0 })]);
    const html = await runCommand(db(), invoicesCommand, ['show', 'INV-202612-000001', '--html']);
    expect(html.code).toBe(0);
    for (const part of ['Premium statement', 'Prior balance', 'Active members', 'Adjustments', 'Amount due by 2026-12-01', '$2,697.89', 'Acme Widgets Inc']) expect(html.out).toContain(part);
    expect(html.out).not.toMatch(/<script/i);
    if (process.env['UPDATE_DOCS'] === '1') writeFileSync(DOC, html.out);
    // The committed example is this statement (names and numbers of the sample files only).
    expect(readFileSync(DOC, 'utf8').replace(/\s+/g, ' ')).toContain('INV-202612-000001');

    // The sample 820 pays the invoice short by the vision premium it disputes.
    const paid = await runCommand(db(), ingestCommand, [join(SAMPLES, 'premium-820.x12'), '--received-at', '2026-11-23T10:00:00Z']);
    expect(paid.code, paid.err).toBe(0);
    const payment = await runCommand(db(), paymentsCommand, ['show', 'ACH20261105001']);
    expect(payment.out).toContain('payment ACH20261105001 (applied) $2,684.40 ACH, group GRP10045');
    expect(payment.out).toContain('applied $2,684.40, credit $0.00, in suspense $0.00');
    const balance = await runCommand(db(), balanceCommand, ['GRP10045', '--json']);
    expect(JSON.parse(balance.out)).toMatchObject({ billedCents: 269789, paidCents: 268440, balanceCents: 1349, suspenseCents: 0 });
    const recon = await runCommand(db(), reconcileCommand, ['GRP10045', '--period', '2026-12', '--csv']);
    expect(recon.out.trim().split('\n')).toEqual([
      'group,period_start,kind,member_id,reference,amount,source_file,invoice,payment_trace,payment_file',
      expect.stringMatching(/^GRP10045,2026-12-01,billed-not-paid,EB\d{10},900000003,13\.49,,INV-202612-000001,,$/),
    ]);
    expect((await runCommand(db(), paymentsCommand, ['show', 'NO-SUCH-TRACE'])).code).toBe(1);
  });

  it('refuses bad input with exit 2', async () => {
    expect((await runCommand(db(), billCommand, ['GRP10045', '--period', '2026-13'])).code).toBe(2);
    expect((await runCommand(db(), billCommand, ['--period', '2026-12'])).code).toBe(2);
    expect((await runCommand(db(), reconcileCommand, ['GRP10045', '--period', '2026-12', '--json', '--csv'])).code).toBe(2);
    expect((await runCommand(db(), invoicesCommand, ['show'])).code).toBe(2);
    const unknown = await runCommand(db(), billCommand, ['NOPE', '--period', '2026-12']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no employer group NOPE');
  });
});
