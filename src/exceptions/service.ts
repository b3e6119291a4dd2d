/**
 * The exception queue as services. The list's input schema (filters, sort key from the
 * allowlist, limit) is the one every adapter checks against.
 */
import { z } from 'zod';
import type { Scope } from '../access/principal.js';
import type { Db } from '../db/db.js';
import { EXCEPTION_CATEGORY_LIST, EXCEPTION_STATES } from './categories.js';
import { DEFAULT_LIST_LIMIT, EXCEPTION_SORT_KEYS, MAX_LIST_LIMIT, listExceptions, type ExceptionRecord } from './store.js';

export const ListExceptionsInput = z
  .object({
    state: z.enum(EXCEPTION_STATES).optional(),
    category: z.enum(EXCEPTION_CATEGORY_LIST).optional(),
    group: z.string().min(1).max(80).optional(),
    partner: z.string().min(1).max(80).optional(),
    overdue: z.boolean().default(false),
    sort: z.enum(EXCEPTION_SORT_KEYS).default('due'),
    desc: z.boolean().default(false),
    limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).default(DEFAULT_LIST_LIMIT),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();
export type ListExceptionsInput = z.infer<typeof ListExceptionsInput>;

/**
 * The queue as ops filter it; overdue is measured against `now`. `scope` limits it to a
 * partner organisation's groups and partners (src/access); omit it for ops.
 */
export async function listQueue(db: Db, input: ListExceptionsInput, now: Date, scope?: Scope): Promise<ExceptionRecord[]> {
  return listExceptions(db, {
    ...(scope && !scope.all ? { scope } : {}),
    offset: input.offset,
    sort: input.sort,
    direction: input.desc ? 'desc' : 'asc',
    limit: input.limit,
    now,
    ...(input.state === undefined ? {} : { state: input.state }),
    ...(input.category === undefined ? {} : { category: input.category }),
    ...(input.group === undefined ? {} : { groupNumber: input.group }),
    ...(input.partner === undefined ? {} : { partner: input.partner }),
    ...(input.overdue ? { overdue: true } : {}),
  });
}
