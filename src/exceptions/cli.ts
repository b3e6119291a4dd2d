/**
 * `edibridge exceptions list [--state S] [--category C] [--group G] [--partner P] [--overdue]
 * [--sort due|age|category|group] [--desc] [--limit N] [--json]` — the exception queue as a
 * table (or JSON lines' worth of one array), overdue measured against the command's clock.
 * Every value is checked against its allowlist before the database is opened.
 * The subscriber ID is shown (ops need it to find the member) but never written to a log or
 * an error message.
 * Exit 0 on success, 1 when the database refused, 2 for usage.
 */
import { z } from 'zod';
import { parseCommandArgs } from '../cli/args.js';
import type { Io } from '../cli/io.js';
import type { Db } from '../db/db.js';
import { DbError, SqlState } from '../db/errors.js';
import { openDb } from '../db/open.js';
import { coerceError } from '../core/errors.js';
import { EXCEPTION_CATEGORY_LIST, EXCEPTION_STATES, categoryTitle } from './categories.js';
import { EXCEPTION_SORT_KEYS, MAX_LIST_LIMIT, listExceptions, type ExceptionRecord, type ListExceptionsOptions } from './store.js';

export const EXCEPTIONS_USAGE =
  'usage: edibridge exceptions list [--state open|in_progress|resolved|rejected] [--category C] [--group G] [--partner P] [--overdue] [--sort due|age|category|group] [--desc] [--limit N] [--json]';

export interface ExceptionsCommandOptions {
  /** How to open the database (tests); default `openDb(io.env)`. */
  open?: (env: NodeJS.ProcessEnv) => Promise<Db>;
}

const ListArgs = z
  .object({
    state: z.enum(EXCEPTION_STATES).optional(),
    category: z.enum(EXCEPTION_CATEGORY_LIST).optional(),
    group: z.string().min(1).max(80).optional(),
    partner: z.string().min(1).max(80).optional(),
    overdue: z.boolean(),
    sort: z.enum(EXCEPTION_SORT_KEYS).default('due'),
    desc: z.boolean(),
    limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).default(100),
    json: z.boolean(),
  })
  .strict();

/** A timestamp as ops read it: UTC to the minute. */
function when(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

function table(rows: readonly ExceptionRecord[]): string {
  const header = ['ID', 'CATEGORY', 'GROUP', 'SUBSCRIBER', 'DUE', 'STATE', 'OWNER', 'OVERDUE'];
  const cells = rows.map((r) => [
    r.id,
    categoryTitle(r.category),
    r.groupNumber ?? '-',
    r.subscriberId ?? '-',
    when(r.dueAt),
    r.state,
    r.owner ?? '-',
    r.overdue ? 'OVERDUE' : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string => c.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}

export async function exceptionsCommand(argv: string[], io: Io, options: ExceptionsCommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      state: { type: 'string' },
      category: { type: 'string' },
      group: { type: 'string' },
      partner: { type: 'string' },
      overdue: { type: 'boolean', default: false },
      sort: { type: 'string' },
      desc: { type: 'boolean', default: false },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    EXCEPTIONS_USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [sub, ...extra] = positionals;
  if (sub !== 'list' || extra.length > 0) {
    io.err(`${EXCEPTIONS_USAGE}\n`);
    return 2;
  }
  const { help: _help, ...given } = values;
  const args = ListArgs.safeParse(given);
  if (!args.success) {
    // Name the option and the rule, never echo the value.
    const problems = args.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n');
    io.err(`${problems}\n${EXCEPTIONS_USAGE}\n`);
    return 2;
  }
  const a = args.data;
  const query: ListExceptionsOptions = {
    sort: a.sort,
    direction: a.desc ? 'desc' : 'asc',
    limit: a.limit,
    now: io.now(),
    ...(a.state === undefined ? {} : { state: a.state }),
    ...(a.category === undefined ? {} : { category: a.category }),
    ...(a.group === undefined ? {} : { groupNumber: a.group }),
    ...(a.partner === undefined ? {} : { partner: a.partner }),
    ...(a.overdue ? { overdue: true } : {}),
  };

  let db: Db | undefined;
  try {
    db = await (options.open ?? ((env) => openDb(env)))(io.env);
    const rows = await listExceptions(db, query);
    if (a.json) {
      io.out(`${JSON.stringify(rows.map((r) => ({ ...r, title: categoryTitle(r.category) })))}\n`);
    } else if (rows.length === 0) {
      io.out('no exceptions match\n');
    } else {
      io.out(`${table(rows)}\n${rows.length} exception${rows.length === 1 ? '' : 's'}${rows.length === a.limit ? ` (first ${a.limit}; use --limit)` : ''}\n`);
    }
    return 0;
  } catch (err) {
    const e = coerceError(err);
    const message =
      e instanceof DbError && e.sqlState === SqlState.undefinedTable
        ? 'the database has no exception table: run `edibridge db migrate`'
        : e.message;
    io.err(`edibridge: ${message}\n`);
    if (a.json) io.out(`${JSON.stringify({ error: { code: e.code, message } })}\n`);
    return 1;
  } finally {
    await db?.close().catch(() => {});
  }
}
