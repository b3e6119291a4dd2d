/**
 * The daily billing run: each group is billed for its next period once its bill date has come
 * (the billing day of the month before, a weekend moved to the Monday after), and invoices
 * whose due date passed while the group owes are flagged past due. Idempotent: a group billed
 * for that period already is left alone, so a repeated run changes nothing, and a run missed
 * on the bill date bills the period late on the next run.
 */
import type { Db } from '../db/db.js';
import { billGroup, type BillGroupResult } from './invoice.js';
import { addMonths, billDate, nextPeriodAfter, type BillingCycle } from './period.js';
import { flagPastDue } from './statements.js';

export interface BillingRun {
  billed: Array<{ group: string } & BillGroupResult>;
  pastDue: Array<{ group: string; invoices: string[] }>;
}

export async function runBilling(db: Db, today: string): Promise<BillingRun> {
  const { rows } = await db.query<{ group_number: string; billing_day: number; billing_cycle: BillingCycle; terminated_on: string | null }>(
    `select group_number, billing_day, billing_cycle, to_char(terminated_on, 'YYYY-MM-DD') as terminated_on from employer_group order by group_number`,
  );
  const run: BillingRun = { billed: [], pastDue: [] };
  for (const g of rows) {
    // The current period too: a run missed on the bill date bills it late rather than never.
    const next = nextPeriodAfter(today, g.billing_cycle);
    const current = nextPeriodAfter(addMonths(next.start, -next.months - 1), g.billing_cycle);
    for (const period of [current, next]) {
      const ended = g.terminated_on !== null && g.terminated_on < period.start;
      if (ended || billDate(period, g.billing_day) > today) continue;
      const r = await billGroup(db, { group: g.group_number, period: period.start.slice(0, 7) });
      if (r.created) run.billed.push({ group: g.group_number, ...r });
    }
    const flagged = await flagPastDue(db, g.group_number, today);
    if (flagged.length) run.pastDue.push({ group: g.group_number, invoices: flagged });
  }
  return run;
}
