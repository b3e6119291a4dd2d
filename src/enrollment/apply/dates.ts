/**
 * Calendar arithmetic on 'YYYY-MM-DD' strings (which compare correctly as text). All in
 * UTC: enrollment dates are calendar days, not instants.
 */

/** Milliseconds since the epoch at the day's UTC midnight (no string parsing by Date). */
function utcMs(date: string): number {
  return Date.UTC(digits(date, 0, 4), digits(date, 5, 7) - 1, digits(date, 8, 10));
}

/** The number written in date[from, to) (ASCII digits). */
function digits(date: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + date.charCodeAt(i) - 48;
  return n;
}

function toUtc(date: string): Date {
  return new Date(utcMs(date));
}

function fromUtc(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const d = toUtc(date);
  d.setUTCDate(d.getUTCDate() + days);
  return fromUtc(d);
}

/** Same day `months` later, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return fromUtc(first);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((utcMs(to) - utcMs(from)) / 86_400_000);
}

/** Calendar months touched from `from` to `to` inclusive (same month = 1); 0 when to < from. */
export function monthsTouched(from: string, to: string): number {
  if (to < from) return 0;
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm) + 1;
}

/** Age in whole years on `on`. */
export function ageOn(birthDate: string, on: string): number {
  const by = digits(birthDate, 0, 4);
  const bmd = digits(birthDate, 5, 7) * 100 + digits(birthDate, 8, 10);
  const y = digits(on, 0, 4);
  const md = digits(on, 5, 7) * 100 + digits(on, 8, 10);
  return y - by - (md < bmd ? 1 : 0);
}

export function isoDay(t: Date): string {
  return fromUtc(t);
}
