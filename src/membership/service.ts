/**
 * The membership read side as services: a family by a member ID or subscriber number, and
 * a group's census. Inputs are checked by the schemas here, whichever adapter calls.
 */
import { z } from 'zod';
import type { Db } from '../db/db.js';
import type { PhiProtector } from '../phi/protector.js';
import { isIsoDate } from '../reference/schema.js';
import { groupCensus, type Census } from './census.js';
import { findFamilies, type FamilyView } from './member-view.js';

const Key = z.string().trim().min(1).max(80).regex(/^[0-9A-Za-z._-]+$/, 'letters, digits, dot, dash or underscore');
const Day = z.string().refine(isIsoDate, 'a date written YYYY-MM-DD');

export const ShowFamilyInput = z.object({
  /** A member ID we issued (EB + 10 digits) or the employer's subscriber number. */
  id: Key,
  groupNumber: Key.optional(),
  /** The day statuses are computed for. */
  on: Day,
});
export type ShowFamilyInput = z.infer<typeof ShowFamilyInput>;

export const CensusInput = z.object({ groupNumber: Key, on: Day });
export type CensusInput = z.infer<typeof CensusInput>;

/** Families holding the member ID or subscriber number (one per group it appears in). */
export async function showFamily(db: Db, phi: PhiProtector, input: ShowFamilyInput): Promise<FamilyView[]> {
  return findFamilies(db, phi, input.id, input.on, input.groupNumber === undefined ? {} : { groupNumber: input.groupNumber });
}

/** The group's census on the day; undefined when the group is not in the reference data. */
export async function censusOf(db: Db, input: CensusInput): Promise<Census | undefined> {
  const known = await db.query('select 1 from employer_group where group_number = $1', [input.groupNumber]);
  return known.rowCount ? groupCensus(db, input.groupNumber, input.on) : undefined;
}
