/**
 * The membership read side as services: a family by a member ID or subscriber number, a
 * group's census, and the ID-card queue (list the pending requests, mark them sent).
 * Inputs are checked by the schemas here, whichever adapter calls.
 */
import { z } from 'zod';
import type { Db } from '../db/db.js';
import type { PhiProtector } from '../phi/protector.js';
import { isIsoDate } from '../reference/schema.js';
import { groupCensus, type Census } from './census.js';
import { markCardsSent, pendingCards, type IdCardView, type MarkSentResult } from './id-cards.js';
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

export const PendingCardsInput = z.object({
  groupNumber: Key.optional(),
  /** At most this many requests, oldest first. */
  limit: z.coerce.number().int('a whole number').min(1, 'at least 1').max(10_000, 'at most 10000').default(100),
});
export type PendingCardsInput = z.infer<typeof PendingCardsInput>;

export const MarkCardsSentInput = z.object({
  /** id_card_request ids, as `cards pending` lists them. */
  requestIds: z.array(z.string().regex(/^[1-9][0-9]{0,17}$/, 'request ids are numbers, as `cards pending` lists them')).min(1, 'at least one request id').max(10_000, 'at most 10000 request ids'),
  /** When they were sent (recorded as printed_at). */
  at: z.date(),
});
export type MarkCardsSentInput = z.infer<typeof MarkCardsSentInput>;

/** The card printer's queue: pending requests, oldest first; `more` when the limit cut it. */
export async function listPendingCards(db: Db, input: PendingCardsInput): Promise<{ cards: IdCardView[]; more: boolean }> {
  return pendingCards(db, { limit: input.limit, ...(input.groupNumber === undefined ? {} : { groupNumber: input.groupNumber }) });
}

/** Marks requests sent; refused as a whole (nothing changed) when an id is unknown. */
export async function markSent(db: Db, input: MarkCardsSentInput): Promise<MarkSentResult> {
  return markCardsSent(db, input.requestIds, input.at);
}
