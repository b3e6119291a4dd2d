/**
 * `edibridge exceptions list [--state S] [--category C] [--group G] [--partner P] [--overdue]
 * [--sort due|age|category|group] [--desc] [--limit N] [--json]` — the exception queue as a
 * table (or one JSON array), overdue measured against the command's clock. Every value is
 * checked against the service's schema before the database is opened. The subscriber ID is
 * shown (ops need it to find the member) but never written to a log or an error message.
 * Exit 0 on success, 1 when the database refused, 2 for usage or a bad setting.
 */
import { categoryTitle } from '../../exceptions/categories.js';
import { ListExceptionsInput, listQueue } from '../../exceptions/service.js';
import { parseCommandArgs, parseInput } from '../args.js';
import { formatExceptionTable } from '../format/exceptions.js';
import type { CommandOptions, Io } from '../io.js';
import { withApp } from '../run.js';

export const EXCEPTIONS_USAGE =
  'usage: edibridge exceptions list [--state open|in_progress|resolved|rejected] [--category C] [--group G] [--partner P] [--overdue] [--sort due|age|category|group] [--desc] [--limit N] [--json]';

export async function exceptionsCommand(argv: string[], io: Io, options: CommandOptions = {}): Promise<number> {
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
  const { help: _help, json, ...given } = values;
  const input = parseInput(ListExceptionsInput, given, EXCEPTIONS_USAGE, io);
  if (typeof input === 'number') return input;
  return withApp(io, options, { json, failure: 1 }, async (app) => {
    const rows = await listQueue(await app.db(), input, app.now());
    if (json) {
      io.out(`${JSON.stringify(rows.map((r) => ({ ...r, title: categoryTitle(r.category) })))}\n`);
    } else if (rows.length === 0) {
      io.out('no exceptions match\n');
    } else {
      const more = rows.length === input.limit ? ` (first ${input.limit}; use --limit)` : '';
      io.out(`${formatExceptionTable(rows)}\n${rows.length} exception${rows.length === 1 ? '' : 's'}${more}\n`);
    }
    return 0;
  });
}
