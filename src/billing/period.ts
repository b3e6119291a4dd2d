/**
 * Billing periods and dates. Glossary (src/billing):
 * - **period**: the months of coverage one invoice bills: one month, or the 3, 6 or 12 months
 *   of the group's cycle, starting on a cycle boundary (quarters start in January, April, July
 *   and October; half years in January and July; years in January).
 * - **bill date**: the group's billing day in the month before the period starts; a Saturday
 *   or Sunday moves it to the Monday after. Bills go out ahead of the coverage they bill.
 * - **due date**: the period's first day.
 * - **balance**: what a group's invoices billed less what its payments paid (negative: a
 *   credit on account). Money in suspense is not in it until a person applies it.
 */
import { EdiBridgeError } from '../core/errors.js';

export type BillingCycle = 'monthly' | 'quarterly' | 'semiannual' | 'annual';

export const CYCLE_MONTHS: Readonly<Record<BillingCycle, number>> = { monthly: 1, quarterly: 3, semiannual: 6, annual: 12 };

export interface BillingPeriod {
  /** First day, YYYY-MM-DD. */
  start: string;
  /** Last day, YYYY-MM-DD. */
  end: string;
  months: number;
}

const iso = (d: Date): string => d.toISOString().slice(0, 10);

/** The first day of the month `months` after the month of `day` (YYYY-MM-DD). */
export function addMonths(day: string, months: number): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return iso(new Date(Date.UTC(y, m - 1 + months, 1)));
}

export function lastDayOfMonth(day: string): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return iso(new Date(Date.UTC(y, m, 0)));
}

/** The period of `cycle` that starts with month `yyyyMm` (YYYY-MM); a month off the cycle's boundaries is refused. */
export function billingPeriod(yyyyMm: string, cycle: BillingCycle): BillingPeriod {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(yyyyMm)) throw new EdiBridgeError('USAGE', `period ${JSON.stringify(yyyyMm)} must be written YYYY-MM`);
  const months = CYCLE_MONTHS[cycle];
  const month = Number(yyyyMm.slice(5, 7));
  if ((month - 1) % months !== 0) {
    throw new EdiBridgeError('USAGE', `a ${cycle} group's periods start in months ${Array.from({ length: 12 / months }, (_, i) => String(1 + i * months).padStart(2, '0')).join(', ')}; ${yyyyMm} is not one`);
  }
  const start = `${yyyyMm}-01`;
  return { start, end: lastDayOfMonth(addMonths(start, months - 1)), months };
}

/** The period that follows the one holding `day`, for a group on `cycle`. */
export function nextPeriodAfter(day: string, cycle: BillingCycle): BillingPeriod {
  const months = CYCLE_MONTHS[cycle];
  const month = Number(day.slice(5, 7));
  const currentStart = addMonths(`${day.slice(0, 7)}-01`, -((month - 1) % months));
  return billingPeriod(addMonths(currentStart, months).slice(0, 7), cycle);
}

/** The billing day in the month before the period, moved from a weekend to the Monday after. */
export function billDate(period: BillingPeriod, billingDay: number): string {
  const before = addMonths(period.start, -1);
  const d = new Date(`${before.slice(0, 8)}${String(billingDay).padStart(2, '0')}T00:00:00Z`);
  const weekday = d.getUTCDay();
  if (weekday === 6) d.setUTCDate(d.getUTCDate() + 2);
  if (weekday === 0) d.setUTCDate(d.getUTCDate() + 1);
  return iso(d);
}

/** Whole months from `from` (a first of month) up to, not including, `to` (a first of month). */
export function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm);
}
