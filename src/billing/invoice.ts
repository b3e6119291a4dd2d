/**
 * Building a group's invoice (list bill) for one period, in one transaction under a lock on
 * the group, so two builders never bill a period twice and numbers are never reused:
 * - **active members**: one line per subscriber and coverage in force on the period's first
 *   day, for the whole period, at the monthly rate of the coverage's level (HD05; where the
 *   file gave none, the level the family in force makes: EMP, ESP, ECH or FAM);
 * - **adjustments**, up to six months back: a retroactive add (the retro_adjustment rows the
 *   834 path writes) bills the months before this period its coverage was in force and no
 *   invoice billed; a termination or cancellation learned after a bill credits the months
 *   billed while the coverage was not in force. Older activity is not billed: it becomes a
 *   discretionary billing item for a person, with the amount computed;
 * - **prior balance**: the group's balance before this invoice (what earlier invoices billed
 *   less what was paid); amount due = prior balance + charges + adjustments.
 * Building the same group and period again returns the invoice already built.
 */
import { EdiBridgeError } from '../core/errors.js';
import type { Db } from '../db/db.js';
import { coverageActiveOnSql, memberActiveOnSql } from '../membership/model.js';
import { addMonths, billDate, billingPeriod, lastDayOfMonth, type BillingCycle, type BillingPeriod } from './period.js';

export interface BillGroupInput {
  group: string;
  /** YYYY-MM: the first month of the period. */
  period: string;
}

export interface BillGroupResult {
  invoiceId: string;
  invoiceNumber: string;
  /** false: the period was billed before; this is that invoice. */
  created: boolean;
  activeLines: number;
  adjustmentLines: number;
  /** Retroactive activity older than six months, queued for a person with its amount. */
  reviewItems: number;
  /** Subscriber coverages with no rate for their plan and level on the period's first day (not billed). */
  unrated: Array<{ memberId: string; planId: string; level: string }>;
}

interface GroupRow {
  billing_day: number;
  billing_cycle: BillingCycle;
  terminated_on: string | null;
}

/** The coverage level a subscriber's family in force on `day` makes, in SQL (subscriber aliased `m`). */
export function familyLevelSql(day: string): string {
  const deps = (relationship: string): string =>
    `(select count(*) from member d where d.group_number = m.group_number and d.subscriber_number = m.subscriber_number
       and not d.is_subscriber and ${relationship} and ${memberActiveOnSql('d', day)})`;
  const spouses = deps("d.relationship = '01'");
  const children = deps("d.relationship in ('19', '17', '10', '15', '43')");
  return `case when ${spouses} > 0 and ${children} > 0 then 'FAM' when ${spouses} > 0 then 'ESP' when ${children} > 0 then 'ECH' else 'EMP' end`;
}

const RATE_CENTS = `(round(r.monthly_rate * 100))::bigint`;

export async function billGroup(db: Db, input: BillGroupInput): Promise<BillGroupResult> {
  return db.transaction(async (tx) => {
    const g = await tx.query<GroupRow>(
      `select billing_day, billing_cycle, to_char(terminated_on, 'YYYY-MM-DD') as terminated_on from employer_group where group_number = $1 for update`,
      [input.group],
    );
    const group = g.rows[0];
    if (!group) throw new EdiBridgeError('NOT_FOUND', `no employer group ${input.group}`, { group: input.group });
    const period = billingPeriod(input.period, group.billing_cycle);
    const existing = await tx.query<{ id: string; invoice_number: string }>(
      'select id::text as id, invoice_number from invoice where group_number = $1 and period_start = $2',
      [input.group, period.start],
    );
    if (existing.rows[0]) {
      const counts = await lineCounts(tx, existing.rows[0].id);
      return { invoiceId: existing.rows[0].id, invoiceNumber: existing.rows[0].invoice_number, created: false, ...counts, reviewItems: 0, unrated: [] };
    }
    if (group.terminated_on !== null && group.terminated_on < period.start) {
      throw new EdiBridgeError('INVALID_STATE', `group ${input.group}'s coverage ended on ${group.terminated_on}: nothing to bill from ${period.start}`, { group: input.group });
    }
    const number = await tx.query<{ n: string }>(`select 'INV-' || $1 || '-' || lpad(nextval('invoice_number_seq')::text, 6, '0') as n`, [period.start.slice(0, 7).replace('-', '')]);
    const bill = billDate(period, group.billing_day);
    const inserted = await tx.query<{ id: string }>(
      `insert into invoice (invoice_number, group_number, period_start, period_end, bill_date, due_date,
                            prior_balance_cents, current_charges_cents, adjustments_cents, amount_due_cents)
       values ($1, $2, $3, $4, $5, $3, 0, 0, 0, 0) returning id::text as id`,
      [number.rows[0]!.n, input.group, period.start, period.end, bill],
    );
    const invoiceId = inserted.rows[0]!.id;
    const active = await insertActiveLines(tx, invoiceId, input.group, period);
    const adjustments = await billRetroactivity(tx, invoiceId, input.group, period, active.lines);
    // The prior balance: every earlier invoice's charges and adjustments, less payments applied or credited.
    await tx.query(
      `with totals as (
         select coalesce(sum(l.amount_cents) filter (where l.section = 'active'), 0)::bigint as charges,
                coalesce(sum(l.amount_cents) filter (where l.section = 'adjustment'), 0)::bigint as adjustments
           from invoice_line l where l.invoice_id = $1
       ), prior as (
         select (select coalesce(sum(i.current_charges_cents + i.adjustments_cents), 0) from invoice i where i.group_number = $2 and i.id <> $1)
              - (select coalesce(sum(a.amount_cents), 0) from payment_allocation a where a.group_number = $2 and a.disposition in ('applied', 'credit'))
              as balance
       )
       update invoice set current_charges_cents = totals.charges, adjustments_cents = totals.adjustments,
                          prior_balance_cents = prior.balance, amount_due_cents = prior.balance + totals.charges + totals.adjustments
         from totals, prior where invoice.id = $1`,
      [invoiceId, input.group],
    );
    return {
      invoiceId,
      invoiceNumber: number.rows[0]!.n,
      created: true,
      activeLines: active.lines,
      adjustmentLines: adjustments.lines,
      reviewItems: adjustments.reviewItems,
      unrated: active.unrated,
    };
  });
}

async function lineCounts(db: Db, invoiceId: string): Promise<{ activeLines: number; adjustmentLines: number }> {
  const { rows } = await db.query<{ a: number; j: number }>(
    `select count(*) filter (where section = 'active')::integer as a, count(*) filter (where section = 'adjustment')::integer as j from invoice_line where invoice_id = $1`,
    [invoiceId],
  );
  return { activeLines: rows[0]?.a ?? 0, adjustmentLines: rows[0]?.j ?? 0 };
}

/**
 * The subscriber coverages in force on `day` of the groups `groupWhere` selects (member
 * aliased `m`), each with the monthly rate an invoice bills it at (`rate_cents`, null
 * without one): its level (HD05), else the level its family in force makes.
 */
function ratedCoveragesSql(groupWhere: string, day: string): string {
  const covered = `
    select m.group_number, m.id as member_id, c.id as coverage_id, c.plan_id, coalesce(c.coverage_level, ${familyLevelSql(day)}) as level
      from member m join coverage c on c.member_id = m.id
     where ${groupWhere} and m.is_subscriber and ${memberActiveOnSql('m', day)} and ${coverageActiveOnSql('c', day)}`;
  return `
    select s.*, ${RATE_CENTS} as rate_cents
      from (${covered}) s
      left join plan_rate r on r.plan_id = s.plan_id and r.coverage_level = s.level
       and r.effective_from <= ${day} and (r.effective_to is null or r.effective_to >= ${day})`;
}

/**
 * The monthly premium of each group, in cents, as its invoice would bill the coverages in
 * force on `day` (ratedCoveragesSql; a coverage with no rate counts nothing). A group with
 * none is 0.
 */
export async function monthlyPremiumCents(db: Db, groups: readonly string[], day: string): Promise<Map<string, number>> {
  const out = new Map<string, number>(groups.map((g) => [g, 0]));
  if (groups.length === 0) return out;
  const { rows } = await db.query<{ group_number: string; cents: string }>(
    `select x.group_number, coalesce(sum(x.rate_cents), 0)::text as cents
       from (${ratedCoveragesSql('m.group_number = any($1::text[])', '$2::date')}) x group by x.group_number`,
    [[...groups], day],
  );
  for (const r of rows) out.set(r.group_number, Number(r.cents));
  return out;
}

/** Inserts the active members section in one statement; returns its size and what has no rate. */
async function insertActiveLines(db: Db, invoiceId: string, group: string, period: BillingPeriod): Promise<{ lines: number; unrated: BillGroupResult['unrated'] }> {
  const rated = ratedCoveragesSql('m.group_number = $1', '$2::date');
  const ins = await db.query(
    `insert into invoice_line (invoice_id, line_no, section, member_id, coverage_id, plan_id, coverage_level, period_start, period_end, months, monthly_rate_cents, amount_cents)
     select $3, row_number() over (order by x.member_id, x.coverage_id), 'active', x.member_id, x.coverage_id, x.plan_id, x.level,
            $2::date, $4::date, $5::integer, x.rate_cents, x.rate_cents * $5::integer
       from (${rated}) x where x.rate_cents is not null`,
    [group, period.start, invoiceId, period.end, period.months],
  );
  const missing = await db.query<{ member_id: string; plan_id: string; level: string }>(
    `select x.member_id::text as member_id, x.plan_id, x.level from (${rated}) x where x.rate_cents is null order by x.member_id`,
    [group, period.start],
  );
  return { lines: ins.rowCount, unrated: missing.rows.map((r) => ({ memberId: r.member_id, planId: r.plan_id, level: r.level })) };
}

interface RetroRow {
  id: string;
  member_id: string;
  coverage_id: string | null;
  kind: 'charge' | 'credit';
  effective_date: string;
  status: 'pending' | 'review';
  is_subscriber: boolean;
}

interface BilledMonth {
  coverage_id: string;
  plan_id: string;
  coverage_level: string;
  monthly_rate_cents: string;
  month: string;
}

/** How far back adjustments are billed on their own; older activity goes to a person. */
export const AUTOMATIC_ADJUSTMENT_MONTHS = 6;

/**
 * The adjustments section and the discretionary items: charges for retroactive adds (from the
 * 834 path's retro_adjustment rows), and credits for months billed while the coverage was, as
 * later learned, not in force (a termination or cancellation after the bill), each up to six
 * months back; older activity is computed into a review item for a person.
 */
async function billRetroactivity(db: Db, invoiceId: string, group: string, period: BillingPeriod, firstLineNo: number): Promise<{ lines: number; reviewItems: number }> {
  const horizon = addMonths(period.start, -AUTOMATIC_ADJUSTMENT_MONTHS);
  const { rows: retro } = await db.query<RetroRow>(
    `select r.id::text as id, r.member_id::text as member_id, r.coverage_id::text as coverage_id, r.kind,
            to_char(r.effective_date, 'YYYY-MM-DD') as effective_date, r.status, m.is_subscriber
       from retro_adjustment r join member m on m.id = r.member_id
      where m.group_number = $1 and r.status in ('pending', 'review') and r.effective_date < $2::date
        and not exists (select 1 from billing_review_item b where b.retro_adjustment_id = r.id)
      order by r.id`,
    [group, period.start],
  );
  let lineNo = firstLineNo;
  let lines = 0;
  let reviewItems = 0;
  const addLine = async (months: BilledMonth[], sign: 1 | -1, retroId: string | null, memberId: string): Promise<void> => {
    const first = months[0]!;
    const amount = sign * months.reduce((sum, m) => sum + Number(m.monthly_rate_cents), 0);
    await db.query(
      `insert into invoice_line (invoice_id, line_no, section, member_id, coverage_id, plan_id, coverage_level, period_start, period_end,
                                 months, monthly_rate_cents, amount_cents, retro_adjustment_id)
       values ($1, $2, 'adjustment', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [invoiceId, ++lineNo, memberId, first.coverage_id, first.plan_id, first.coverage_level, first.month,
        lastDayOfMonth(months[months.length - 1]!.month), months.length, first.monthly_rate_cents, amount, retroId],
    );
    lines++;
  };
  for (const r of retro) {
    // A list bill prices families by the subscriber's coverage: a dependent's retroactive
    // change reaches the bill through the subscriber's coverage (its level), not a line of
    // its own; credits come from the billed months themselves (below).
    if (!r.is_subscriber || (r.kind === 'credit' && r.status === 'pending')) {
      await db.query(`update retro_adjustment set status = 'billed' where id = $1`, [r.id]);
      continue;
    }
    if (r.status === 'review') {
      const months = r.kind === 'charge' ? await unbilledMonths(db, r, period) : (await billedMonthsAfterEnd(db, r.member_id, period)).filter((m) => m.month < horizon);
      const amount = (r.kind === 'credit' ? -1 : 1) * months.reduce((sum, m) => sum + Number(m.monthly_rate_cents), 0);
      await db.query(
        `insert into billing_review_item (retro_adjustment_id, group_number, member_id, kind, months, amount_cents)
         values ($1, $2, $3, $4, $5, $6)`,
        [r.id, group, r.member_id, r.kind, Math.max(1, months.length), amount],
      );
      reviewItems++;
      continue;
    }
    const months = await unbilledMonths(db, r, period);
    if (months.length > 0) await addLine(months, 1, r.id, r.member_id);
    await db.query(`update retro_adjustment set status = 'billed' where id = $1`, [r.id]);
  }
  // Credits: months billed within the horizon whose coverage turned out not to be in force.
  const { rows: credited } = await db.query<BilledMonth & { member_id: string }>(
    `select distinct on (l.coverage_id, mo.month) l.member_id::text as member_id, l.coverage_id::text as coverage_id, l.plan_id, l.coverage_level,
            l.monthly_rate_cents::text as monthly_rate_cents, to_char(mo.month, 'YYYY-MM-DD') as month
       from invoice_line l
       join invoice i on i.id = l.invoice_id and i.group_number = $1 and i.id <> $4
       join coverage c on c.id = l.coverage_id
       cross join lateral generate_series(l.period_start, l.period_end, interval '1 month') as mo(month)
      where l.amount_cents > 0 and mo.month::date >= $2::date and mo.month::date < $3::date
        and not ${coverageActiveOnSql('c', 'mo.month::date')}
        and not exists (select 1 from invoice_line x where x.coverage_id = l.coverage_id and x.amount_cents < 0
                          and mo.month::date between x.period_start and x.period_end)
      order by l.coverage_id, mo.month`,
    [group, horizon, period.start, invoiceId],
  );
  const byCoverage = new Map<string, Array<BilledMonth & { member_id: string }>>();
  for (const m of credited) {
    const list = byCoverage.get(m.coverage_id) ?? [];
    list.push(m);
    byCoverage.set(m.coverage_id, list);
  }
  for (const months of byCoverage.values()) await addLine(months, -1, null, months[0]!.member_id);
  return { lines, reviewItems };
}

/**
 * The months before the period in which a retroactively added coverage was in force on the
 * first day and no invoice line billed it, each with its rate.
 */
async function unbilledMonths(db: Db, r: RetroRow, period: BillingPeriod): Promise<BilledMonth[]> {
  if (r.coverage_id === null) return [];
  const { rows } = await db.query<BilledMonth>(
    `select c.id::text as coverage_id, c.plan_id, lvl.level as coverage_level, ${RATE_CENTS}::text as monthly_rate_cents,
            to_char(mo.month, 'YYYY-MM-DD') as month
       from coverage c
       join member m on m.id = c.member_id
       cross join lateral generate_series(date_trunc('month', $2::date), $3::date - interval '1 month', interval '1 month') as mo(month)
       cross join lateral (select coalesce(c.coverage_level, ${familyLevelSql('mo.month::date')}) as level) lvl
       join plan_rate r on r.plan_id = c.plan_id and r.coverage_level = lvl.level
        and r.effective_from <= mo.month::date and (r.effective_to is null or r.effective_to >= mo.month::date)
      where c.id = $1 and ${coverageActiveOnSql('c', 'mo.month::date')}
        and not exists (select 1 from invoice_line l where l.coverage_id = c.id and mo.month::date between l.period_start and l.period_end)
      order by mo.month`,
    [r.coverage_id, r.effective_date, period.start],
  );
  return rows;
}

/** The months invoices billed a member's coverages for before the period while they were not in force. */
async function billedMonthsAfterEnd(db: Db, memberId: string, period: BillingPeriod): Promise<BilledMonth[]> {
  const { rows } = await db.query<BilledMonth>(
    `select l.coverage_id::text as coverage_id, l.plan_id, l.coverage_level, l.monthly_rate_cents::text as monthly_rate_cents,
            to_char(mo.month, 'YYYY-MM-DD') as month
       from invoice_line l
       join coverage c on c.id = l.coverage_id
       cross join lateral generate_series(l.period_start, l.period_end, interval '1 month') as mo(month)
      where l.member_id = $1 and l.amount_cents > 0 and mo.month::date < $2::date
        and not ${coverageActiveOnSql('c', 'mo.month::date')}
        and not exists (select 1 from invoice_line x where x.coverage_id = l.coverage_id and x.amount_cents < 0
                          and mo.month::date between x.period_start and x.period_end)
      order by mo.month`,
    [memberId, period.start],
  );
  return rows;
}
