/**
 * Billing commands, thin adapters over src/billing:
 * - `edibridge bill <group> --period YYYY-MM [--json]`: builds the group's invoice for the
 *   period (idempotent: the same group and period answer the invoice already built).
 * - `edibridge invoices list [--group G] [--json]`; `edibridge invoices show <invoice-number>
 *   [--json|--html]`: the statement an employer reads (--html: one self-contained page).
 * - `edibridge balance <group> [--json]`: billed, paid, credit, balance, suspense, past-due invoices.
 * The statement shows names (PHI) on stdout only; nothing of it is logged.
 * Exit 0 on success, 1 when the database refused or the group cannot be billed, 2 for usage.
 */
import { z } from 'zod';
import { billGroup } from '../../billing/invoice.js';
import { renderInvoiceHtml, dollars } from '../../billing/render-html.js';
import { reconcile, reconciliationCsv } from '../../billing/reconcile.js';
import { getInvoice, groupBalance, listInvoices } from '../../billing/statements.js';
import { getPayments } from '../../remittance/payments.js';
import { parseCommandArgs, parseInput } from '../args.js';
import type { CommandOptions, Io } from '../io.js';
import { withApp } from '../run.js';

export const BILL_USAGE = 'usage: edibridge bill <group> --period YYYY-MM [--json]';
export const INVOICES_USAGE = 'usage: edibridge invoices list [--group G] [--json]\n       edibridge invoices show <invoice-number> [--json|--html]';
export const BALANCE_USAGE = 'usage: edibridge balance <group> [--json]';
export const RECONCILE_USAGE = 'usage: edibridge reconcile <group> --period YYYY-MM [--json|--csv]';
export const PAYMENTS_USAGE = 'usage: edibridge payments show <trace> [--json]';

const Group = z.string().trim().min(1).max(50);
const BillInput = z.object({ group: Group, period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM') }).strict();

export async function billCommand(argv: string[], io: Io, options: CommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, { period: { type: 'string' }, json: { type: 'boolean', default: false } }, BILL_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    io.err(`${BILL_USAGE}\n`);
    return 2;
  }
  const input = parseInput(BillInput, { group: positionals[0], period: values.period }, BILL_USAGE, io);
  if (typeof input === 'number') return input;
  return withApp(io, options, { json: values.json, failure: 1 }, async (app) => {
    const r = await billGroup(await app.db(), input);
    if (values.json) {
      io.out(`${JSON.stringify(r)}\n`);
      return 0;
    }
    const inv = await getInvoice(await app.db(), r.invoiceNumber);
    io.out(
      `${r.created ? 'invoice built' : 'already billed'}: ${inv.invoiceNumber} for ${inv.groupNumber}, ${inv.periodStart} – ${inv.periodEnd}\n` +
        `  ${r.activeLines} active member lines ${dollars(inv.currentChargesCents)}, ${r.adjustmentLines} adjustments ${dollars(inv.adjustmentsCents)}, ` +
        `prior balance ${dollars(inv.priorBalanceCents)}, amount due ${dollars(inv.amountDueCents)} by ${inv.dueDate}\n` +
        (r.reviewItems ? `  ${r.reviewItems} retroactive item(s) older than six months queued for review (not billed)\n` : '') +
        (r.unrated.length ? `  ${r.unrated.length} coverage(s) not billed: no rate for ${[...new Set(r.unrated.map((u) => `${u.planId}/${u.level}`))].join(', ')}\n` : ''),
    );
    return 0;
  });
}

export async function invoicesCommand(argv: string[], io: Io, options: CommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    { group: { type: 'string' }, json: { type: 'boolean', default: false }, html: { type: 'boolean', default: false } },
    INVOICES_USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [sub, ...rest] = positionals;
  if (sub === 'list' && rest.length === 0 && !values.html) {
    const group = values.group === undefined ? undefined : parseInput(Group, values.group, INVOICES_USAGE, io);
    if (typeof group === 'number') return group;
    return withApp(io, options, { json: values.json, failure: 1 }, async (app) => {
      const rows = await listInvoices(await app.db(), group === undefined ? {} : { group });
      if (values.json) io.out(`${JSON.stringify(rows)}\n`);
      else if (rows.length === 0) io.out('no invoices\n');
      else {
        for (const i of rows) {
          io.out(`${i.invoiceNumber}  ${i.groupNumber}  ${i.periodStart} – ${i.periodEnd}  due ${i.dueDate}  ${dollars(i.amountDueCents).padStart(14)}  paid ${dollars(i.paidCents)}${i.pastDue ? '  PAST DUE' : ''}\n`);
        }
      }
      return 0;
    });
  }
  if (sub === 'show' && rest.length === 1 && values.group === undefined && !(values.json && values.html)) {
    const number = rest[0]!;
    return withApp(io, options, { json: values.json, failure: 1 }, async (app) => {
      const inv = await getInvoice(await app.db(), number);
      if (values.json) io.out(`${JSON.stringify(inv)}\n`);
      else if (values.html) io.out(renderInvoiceHtml(inv));
      else {
        io.out(`${inv.invoiceNumber}  ${inv.groupName} (${inv.groupNumber})  ${inv.periodStart} – ${inv.periodEnd}\n`);
        io.out(`  bill date ${inv.billDate}, due ${inv.dueDate}${inv.pastDue ? ', PAST DUE' : ''}\n`);
        io.out(`  prior balance ${dollars(inv.priorBalanceCents)}, current charges ${dollars(inv.currentChargesCents)}, adjustments ${dollars(inv.adjustmentsCents)}, amount due ${dollars(inv.amountDueCents)}, paid ${dollars(inv.paidCents)}\n`);
        for (const l of inv.lines) {
          io.out(`  ${l.section === 'active' ? 'active    ' : 'adjustment'} ${l.memberId} ${l.planId} ${l.coverageLevel} ${l.periodStart} – ${l.periodEnd} ${l.months} × ${dollars(l.monthlyRateCents)} = ${dollars(l.amountCents)}\n`);
        }
        for (const r of inv.reviewItems) io.out(`  under review: ${r.memberId} ${r.kind} ${r.months} month(s) ${dollars(r.amountCents)}\n`);
      }
      return 0;
    });
  }
  io.err(`${INVOICES_USAGE}\n`);
  return 2;
}

export async function balanceCommand(argv: string[], io: Io, options: CommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, { json: { type: 'boolean', default: false } }, BALANCE_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    io.err(`${BALANCE_USAGE}\n`);
    return 2;
  }
  const group = parseInput(Group, positionals[0], BALANCE_USAGE, io);
  if (typeof group === 'number') return group;
  return withApp(io, options, { json: values.json, failure: 1 }, async (app) => {
    const b = await groupBalance(await app.db(), group);
    if (values.json) io.out(`${JSON.stringify(b)}\n`);
    else {
      io.out(
        `${b.groupNumber}: billed ${dollars(b.billedCents)}, paid ${dollars(b.paidCents)}, credit ${dollars(b.creditCents)}, balance ${dollars(b.balanceCents)}` +
          `${b.suspenseCents ? `, in suspense ${dollars(b.suspenseCents)}` : ''}${b.pastDueInvoices.length ? `, past due: ${b.pastDueInvoices.join(', ')}` : ''}\n`,
      );
    }
    return 0;
  });
}

export async function reconcileCommand(argv: string[], io: Io, options: CommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    { period: { type: 'string' }, json: { type: 'boolean', default: false }, csv: { type: 'boolean', default: false } },
    RECONCILE_USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || (values.json && values.csv)) {
    io.err(`${RECONCILE_USAGE}\n`);
    return 2;
  }
  const input = parseInput(BillInput, { group: positionals[0], period: values.period }, RECONCILE_USAGE, io);
  if (typeof input === 'number') return input;
  return withApp(io, options, { json: values.json, failure: 1 }, async (app) => {
    const r = await reconcile(await app.db(), input.group, input.period);
    if (values.json) io.out(`${JSON.stringify(r)}\n`);
    else if (values.csv) io.out(reconciliationCsv(r));
    else {
      io.out(`${r.groupNumber} ${r.periodStart} – ${r.periodEnd}, invoice ${r.invoiceNumber ?? 'none'}\n`);
      io.out(`  enrolled ${r.enrolled}, billed ${r.billed} (${dollars(r.billedCents)}), paid ${r.paid} member(s) (${dollars(r.paidCents)} applied to the invoice)\n`);
      if (r.differences.length === 0) io.out('  no differences\n');
      for (const d of r.differences) {
        const link = d.source.invoiceNumber ? `invoice ${d.source.invoiceNumber}` : d.source.paymentTrace ? `payment ${d.source.paymentTrace} (file #${d.source.paymentFileId})` : `file #${d.source.fileId}`;
        io.out(`  ${d.kind.padEnd(19)} ${(d.memberId ?? d.reference ?? 'invoice').padEnd(14)} ${dollars(d.amountCents).padStart(12)}  ${link}\n`);
      }
    }
    return 0;
  });
}

export async function paymentsCommand(argv: string[], io: Io, options: CommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, { json: { type: 'boolean', default: false } }, PAYMENTS_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [sub, trace, ...rest] = positionals;
  if (sub !== 'show' || trace === undefined || rest.length > 0 || trace.length > 80) {
    io.err(`${PAYMENTS_USAGE}\n`);
    return 2;
  }
  return withApp(io, options, { json: values.json, failure: 1 }, async (app) => {
    const payments = await getPayments(await app.db(), trace);
    if (values.json) io.out(`${JSON.stringify(payments)}\n`);
    else {
      for (const p of payments) {
        io.out(`payment ${p.trace} (${p.status}) ${dollars(p.amountCents)} ${p.method}${p.remittanceOnly ? ' remittance information only' : ''}, group ${p.groupNumber ?? '-'}, file #${p.fileId} set ${p.setControl}\n`);
        io.out(`  applied ${dollars(p.appliedCents)}, credit ${dollars(p.creditCents)}, in suspense ${dollars(p.suspenseCents)}\n`);
        for (const a of p.allocations) {
          io.out(`  seg ${String(a.segmentPosition ?? '-').padStart(4)} ${a.kind} ${a.qualifier ?? ''} ${a.reference ?? ''} ${dollars(a.amountCents)} ${a.disposition}${a.invoiceNumber ? ` invoice ${a.invoiceNumber}` : ''}${a.memberId ? ` member ${a.memberId}` : ''}${a.exceptionId ? ` exception #${a.exceptionId}` : ''}\n`);
        }
      }
    }
    return payments.length ? 0 : 1;
  });
}
