/**
 * Reconciliation of one group and period at member level: who is enrolled (the membership
 * model the 834s built), who is billed (the period's invoice) and who is paid (the 820s'
 * individual remittance applied to that invoice). Each difference is listed with its amount
 * and a link to where it comes from:
 * - **enrolled, not billed**: a subscriber with coverage in force on the period's first day
 *   and no active line on the invoice (amount: the rate of the coverage); link: the 834 file
 *   that last changed the member;
 * - **billed, not paid**: an invoice line whose member was paid less than billed (amount: the
 *   difference); link: the invoice. Where a payment was remitted at invoice level only (no
 *   individual remittance), the invoice's unpaid remainder is one difference;
 * - **paid, not enrolled**: money remitted for a member not enrolled in the period, or for a
 *   member we cannot find (amount: what was paid); link: the payment (trace) and its file.
 */
import { csvRow } from '../core/csv.js';
import { EdiBridgeError } from '../core/errors.js';
import type { Db } from '../db/db.js';
import { coverageActiveOnSql, memberActiveOnSql } from '../membership/model.js';
import { familyLevelSql } from './invoice.js';
import { billingPeriod, type BillingCycle } from './period.js';

export type DifferenceKind = 'enrolled-not-billed' | 'billed-not-paid' | 'paid-not-enrolled';

export interface Difference {
  kind: DifferenceKind;
  /** The member ID we issued; null for money remitted for someone we cannot find. */
  memberId: string | null;
  /** The employer's subscriber number, or the reference the payer sent. */
  reference: string | null;
  amountCents: number;
  source: { fileId?: string; invoiceNumber?: string; paymentTrace?: string; paymentFileId?: string };
}

export interface Reconciliation {
  groupNumber: string;
  periodStart: string;
  periodEnd: string;
  invoiceNumber: string | null;
  enrolled: number;
  billed: number;
  paid: number;
  billedCents: number;
  paidCents: number;
  differences: Difference[];
}

export async function reconcile(db: Db, group: string, period: string): Promise<Reconciliation> {
  const g = await db.query<{ billing_cycle: BillingCycle }>('select billing_cycle from employer_group where group_number = $1', [group]);
  if (!g.rows[0]) throw new EdiBridgeError('NOT_FOUND', `no employer group ${group}`, { group });
  const p = billingPeriod(period, g.rows[0].billing_cycle);
  const inv = await db.query<{ id: string; invoice_number: string }>('select id::text as id, invoice_number from invoice where group_number = $1 and period_start = $2', [group, p.start]);
  const invoice = inv.rows[0];
  const day = '$2::date';
  // Enrolled: subscribers with a coverage in force on the first day.
  const enrolled = await db.query<{ id: string; member_id: string; subscriber_number: string; file_id: string }>(
    `select distinct m.id::text as id, m.member_id, m.subscriber_number, m.updated_file_id::text as file_id
       from member m join coverage c on c.member_id = m.id
      where m.group_number = $1 and m.is_subscriber and ${memberActiveOnSql('m', day)} and ${coverageActiveOnSql('c', day)}`,
    [group, p.start],
  );
  const billedLines = invoice
    ? (
        await db.query<{ member: string; member_id: string; subscriber_number: string; billed: number; paid: number }>(
          `select l.member_id::text as member, m.member_id, m.subscriber_number, sum(l.amount_cents)::float8 as billed,
                  coalesce((select sum(a.amount_cents) from payment_allocation a
                             where a.invoice_id = $1 and a.member_id = l.member_id and a.disposition = 'applied'), 0)::float8 as paid
             from invoice_line l join member m on m.id = l.member_id
            where l.invoice_id = $1 and l.section = 'active'
            group by l.member_id, m.member_id, m.subscriber_number`,
          [invoice.id],
        )
      ).rows
    : [];
  const billedSet = new Set(billedLines.map((l) => l.member));
  const differences: Difference[] = [];
  // Enrolled, not billed: priced at the rate the invoice would have used.
  for (const e of enrolled.rows) {
    if (billedSet.has(e.id)) continue;
    const rate = await db.query<{ cents: number }>(
      `select coalesce(sum(round(r.monthly_rate * 100)), 0)::float8 as cents
         from member m join coverage c on c.member_id = m.id
         join plan_rate r on r.plan_id = c.plan_id and r.coverage_level = coalesce(c.coverage_level, ${familyLevelSql(day)})
          and r.effective_from <= $2::date and (r.effective_to is null or r.effective_to >= $2::date)
        where m.id = $1 and ${coverageActiveOnSql('c', day)}`,
      [e.id, p.start],
    );
    differences.push({ kind: 'enrolled-not-billed', memberId: e.member_id, reference: e.subscriber_number, amountCents: (rate.rows[0]?.cents ?? 0) * p.months, source: { fileId: e.file_id } });
  }
  // Billed, not paid: member by member where the payer remitted by member.
  const memberLevel = invoice
    ? Number((await db.query<{ n: string }>(`select count(*)::text as n from payment_allocation where invoice_id = $1 and member_id is not null`, [invoice.id])).rows[0]?.n ?? 0) > 0
    : false;
  let paidCents = 0;
  let billedCents = 0;
  for (const l of billedLines) billedCents += l.billed;
  if (invoice) {
    paidCents = Number(
      (await db.query<{ cents: number }>(`select coalesce(sum(amount_cents), 0)::float8 as cents from payment_allocation where invoice_id = $1 and disposition = 'applied'`, [invoice.id])).rows[0]?.cents ?? 0,
    );
    if (memberLevel) {
      for (const l of billedLines) {
        if (l.paid < l.billed) differences.push({ kind: 'billed-not-paid', memberId: l.member_id, reference: l.subscriber_number, amountCents: l.billed - l.paid, source: { invoiceNumber: invoice.invoice_number } });
      }
    } else if (paidCents < billedCents) {
      differences.push({ kind: 'billed-not-paid', memberId: null, reference: null, amountCents: billedCents - paidCents, source: { invoiceNumber: invoice.invoice_number } });
    }
  }
  // Paid, not enrolled: remitted for members not enrolled in the period, or for nobody we know.
  const enrolledIds = new Set(enrolled.rows.map((e) => e.id));
  const paidFor = await db.query<{ member: string | null; member_id: string | null; reference: string | null; amount: number; trace: string; file_id: string }>(
    `select a.member_id::text as member, m.member_id, coalesce(m.subscriber_number, a.reference) as reference, a.amount_cents::float8 as amount,
            pay.trace_number as trace, pay.file_id::text as file_id
       from payment_allocation a join payment pay on pay.id = a.payment_id
       left join member m on m.id = a.member_id
      where a.kind = 'line' and a.group_number = $1
        and (a.invoice_id = $3::bigint or (a.invoice_id is null and pay.period_start <= $2::date and coalesce(pay.period_end, pay.period_start) >= $2::date))
        and (a.member_id is not null or a.disposition = 'suspense')
        and a.disposition <> 'information'`,
    [group, p.start, invoice?.id ?? null],
  );
  const payers = new Set<string>();
  for (const r of paidFor.rows) {
    if (r.member !== null) payers.add(r.member);
    if (r.member !== null && enrolledIds.has(r.member)) continue;
    if (r.member === null && r.reference === null) continue;
    differences.push({ kind: 'paid-not-enrolled', memberId: r.member_id, reference: r.reference, amountCents: r.amount, source: { paymentTrace: r.trace, paymentFileId: r.file_id } });
  }
  return {
    groupNumber: group,
    periodStart: p.start,
    periodEnd: p.end,
    invoiceNumber: invoice?.invoice_number ?? null,
    enrolled: enrolled.rows.length,
    billed: billedLines.length,
    paid: memberLevel ? payers.size : 0,
    billedCents,
    paidCents,
    differences,
  };
}

/** The differences as CSV (a header row, then one row each), for a spreadsheet. */
export function reconciliationCsv(r: Reconciliation): string {
  const rows = [['group', 'period_start', 'kind', 'member_id', 'reference', 'amount', 'source_file', 'invoice', 'payment_trace', 'payment_file']];
  for (const d of r.differences) {
    rows.push([r.groupNumber, r.periodStart, d.kind, d.memberId ?? '', d.reference ?? '', (d.amountCents / 100).toFixed(2), d.source.fileId ?? '', d.source.invoiceNumber ?? '', d.source.paymentTrace ?? '', d.source.paymentFileId ?? '']);
  }
  return `${rows.map(csvRow).join('\n')}\n`;
}
