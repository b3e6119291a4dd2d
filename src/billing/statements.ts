/**
 * The read side of billing: invoices as an employer reads them (header, totals, prior
 * balance, the active members and adjustments sections, amount due, due date, what was paid
 * against it), lists of invoices, and a group's balance.
 */
import { EdiBridgeError } from '../core/errors.js';
import type { Db } from '../db/db.js';

export interface InvoiceSummary {
  id: string;
  invoiceNumber: string;
  groupNumber: string;
  groupName: string;
  periodStart: string;
  periodEnd: string;
  billDate: string;
  dueDate: string;
  priorBalanceCents: number;
  currentChargesCents: number;
  adjustmentsCents: number;
  amountDueCents: number;
  /** Payments applied to this invoice. */
  paidCents: number;
  pastDue: boolean;
  clearedAt: Date | null;
}

export interface InvoiceLineView {
  lineNo: number;
  section: 'active' | 'adjustment';
  memberId: string;
  subscriberNumber: string;
  /** PHI: shown on the employer's own statement, never logged. */
  name: string;
  planId: string;
  planName: string;
  coverageLevel: string;
  periodStart: string;
  periodEnd: string;
  months: number;
  monthlyRateCents: number;
  amountCents: number;
}

export interface InvoiceStatement extends InvoiceSummary {
  lines: InvoiceLineView[];
  /** Retroactive activity older than six months awaiting a person (not billed). */
  reviewItems: Array<{ memberId: string; kind: 'charge' | 'credit'; months: number; amountCents: number; status: string }>;
}

const SUMMARY_SQL = `
  select i.id::text as id, i.invoice_number as "invoiceNumber", i.group_number as "groupNumber", g.name as "groupName",
         to_char(i.period_start, 'YYYY-MM-DD') as "periodStart", to_char(i.period_end, 'YYYY-MM-DD') as "periodEnd",
         to_char(i.bill_date, 'YYYY-MM-DD') as "billDate", to_char(i.due_date, 'YYYY-MM-DD') as "dueDate",
         i.prior_balance_cents::float8 as "priorBalanceCents", i.current_charges_cents::float8 as "currentChargesCents",
         i.adjustments_cents::float8 as "adjustmentsCents", i.amount_due_cents::float8 as "amountDueCents",
         coalesce((select sum(a.amount_cents) from payment_allocation a where a.invoice_id = i.id and a.disposition = 'applied'), 0)::float8 as "paidCents",
         (i.past_due_at is not null and i.cleared_at is null) as "pastDue", i.cleared_at as "clearedAt"
    from invoice i join employer_group g on g.group_number = i.group_number`;

/** Invoices newest period first; `groups` limits them to a partner organisation's groups. */
export async function listInvoices(db: Db, filter: { group?: string; limit?: number; offset?: number; groups?: readonly string[] | null } = {}): Promise<InvoiceSummary[]> {
  const { rows } = await db.query<InvoiceSummary>(
    `${SUMMARY_SQL} where ($1::text is null or i.group_number = $1) and ($3::text[] is null or i.group_number = any($3))
      order by i.period_start desc, i.id desc limit $2 offset $4`,
    [filter.group ?? null, filter.limit ?? 100, filter.groups ?? null, filter.offset ?? 0],
  );
  return rows;
}

export async function getInvoice(db: Db, invoiceNumber: string): Promise<InvoiceStatement> {
  const { rows } = await db.query<InvoiceSummary>(`${SUMMARY_SQL} where i.invoice_number = $1`, [invoiceNumber]);
  const head = rows[0];
  if (!head) throw new EdiBridgeError('NOT_FOUND', `no invoice ${invoiceNumber}`, { invoice: invoiceNumber });
  const lines = await db.query<InvoiceLineView>(
    `select l.line_no as "lineNo", l.section, m.member_id as "memberId", m.subscriber_number as "subscriberNumber",
            trim(coalesce(m.last_name, '') || ', ' || coalesce(m.first_name, '')) as name,
            l.plan_id as "planId", p.name as "planName", l.coverage_level as "coverageLevel",
            to_char(l.period_start, 'YYYY-MM-DD') as "periodStart", to_char(l.period_end, 'YYYY-MM-DD') as "periodEnd",
            l.months, l.monthly_rate_cents::float8 as "monthlyRateCents", l.amount_cents::float8 as "amountCents"
       from invoice_line l join member m on m.id = l.member_id join plan p on p.id = l.plan_id
      where l.invoice_id = $1 order by l.section, m.last_name, m.first_name, l.line_no`,
    [head.id],
  );
  const review = await db.query<InvoiceStatement['reviewItems'][number]>(
    `select m.member_id as "memberId", b.kind, b.months, b.amount_cents::float8 as "amountCents", b.status
       from billing_review_item b join member m on m.id = b.member_id
      where b.group_number = $1 and b.status = 'open' order by b.id`,
    [head.groupNumber],
  );
  return { ...head, lines: lines.rows, reviewItems: review.rows };
}

export interface GroupBalance {
  groupNumber: string;
  /** Every invoice's charges and adjustments. */
  billedCents: number;
  /** Payments applied to the group's invoices and account. */
  paidCents: number;
  /** Overpayments kept as credit on account. */
  creditCents: number;
  /** billed − paid − credit: owed by the group (negative: credit in its favour). */
  balanceCents: number;
  /** Money received for the group that waits for a person (not in the balance). */
  suspenseCents: number;
  pastDueInvoices: string[];
}

export async function groupBalance(db: Db, group: string): Promise<GroupBalance> {
  const known = await db.query('select 1 from employer_group where group_number = $1', [group]);
  if (!known.rowCount) throw new EdiBridgeError('NOT_FOUND', `no employer group ${group}`, { group });
  const { rows } = await db.query<{ billed: number; paid: number; credit: number; suspense: number; past_due: string[] }>(
    `select (select coalesce(sum(current_charges_cents + adjustments_cents), 0) from invoice where group_number = $1)::float8 as billed,
            (select coalesce(sum(amount_cents), 0) from payment_allocation where group_number = $1 and disposition = 'applied')::float8 as paid,
            (select coalesce(sum(amount_cents), 0) from payment_allocation where group_number = $1 and disposition = 'credit')::float8 as credit,
            (select coalesce(sum(amount_cents), 0) from payment_allocation where group_number = $1 and disposition = 'suspense')::float8 as suspense,
            array(select invoice_number from invoice where group_number = $1 and past_due_at is not null and cleared_at is null order by period_start) as past_due`,
    [group],
  );
  const r = rows[0]!;
  return {
    groupNumber: group,
    billedCents: r.billed,
    paidCents: r.paid,
    creditCents: r.credit,
    balanceCents: r.billed - r.paid - r.credit,
    suspenseCents: r.suspense,
    pastDueInvoices: r.past_due,
  };
}

/**
 * Flags past due the group's invoices whose due date is before `today`, when the group owes
 * more than what its invoices not yet due bill (an unpaid balance that was due); returns the
 * invoice numbers flagged now. A payment that settles the balance later clears the flag
 * (clearPastDueIfSettled, called by cash application).
 */
export async function flagPastDue(db: Db, group: string, today: string): Promise<string[]> {
  const balance = await groupBalance(db, group);
  const notYetDue = await db.query<{ cents: number }>(
    `select coalesce(sum(current_charges_cents + adjustments_cents), 0)::float8 as cents from invoice where group_number = $1 and due_date >= $2::date`,
    [group, today],
  );
  if (balance.balanceCents - (notYetDue.rows[0]?.cents ?? 0) <= 0) return [];
  const { rows } = await db.query<{ invoice_number: string }>(
    `update invoice set past_due_at = now() where group_number = $1 and due_date < $2::date and past_due_at is null and cleared_at is null
     returning invoice_number`,
    [group, today],
  );
  return rows.map((r) => r.invoice_number).sort();
}

/** Clears the past-due flags of a group whose balance is settled (nothing owed). */
export async function clearPastDueIfSettled(db: Db, group: string): Promise<number> {
  const r = await db.query(
    `update invoice set cleared_at = now()
      where group_number = $1 and past_due_at is not null and cleared_at is null
        and (select coalesce(sum(current_charges_cents + adjustments_cents), 0) from invoice where group_number = $1)
          - (select coalesce(sum(amount_cents), 0) from payment_allocation where group_number = $1 and disposition in ('applied', 'credit')) <= 0`,
    [group],
  );
  return r.rowCount;
}
