/**
 * `edibridge exceptions list [--state S] [--category C] [--group G] [--partner P] [--overdue]
 * [--sort due|age|category|group] [--desc] [--limit N] [--json]` — the exception queue as a
 * table (or one JSON array), overdue measured against the command's clock. Every value is
 * checked against the service's schema before the database is opened. The subscriber ID is
 * shown (ops need it to find the member) but never written to a log or an error message.
 * The actions (src/exceptions/actions.ts), each recorded in the item's history under the
 * person acting (--as, else EDIBRIDGE_USER, else the login name):
 * - `show <id>`: the item and its history;
 * - `assign <id>... --to USER [--note T]`; `comment <id> --note T`;
 * - `resolve <id>... --reason T`; `reject <id>... --reason T`; instead of ids, `--category C
 *   [--file F] [--group G] [--partner P]` acts on every open item that shares the cause;
 * - `report [--csv|--json]`: open items by age bucket, partner and category; overdue items;
 * - `rerun <id>`: applies the item's held 834 change again through the rules
 *   (src/exceptions/rerun.ts): resolved when applied, otherwise the hold that still stands.
 * Exit 0 on success (a bulk action: every item done), 1 when the database refused or an item
 * was refused (the others are done), 2 for usage or a bad setting.
 */
import { categoryTitle } from '../../exceptions/categories.js';
import { userInfo } from 'node:os';
import {
  AssignInput,
  CloseInput,
  CommentInput,
  SelectInput,
  assignExceptions,
  closeExceptions,
  commentException,
  isDueSoon,
  queueReport,
  queueReportCsv,
  selectItems,
  type ItemOutcome,
} from '../../exceptions/actions.js';
import { RerunInput, describeCounts, rerunException } from '../../exceptions/rerun.js';
import { ListExceptionsInput, listQueue } from '../../exceptions/service.js';
import { exceptionHistory, getException } from '../../exceptions/store.js';
import { parseCommandArgs, parseInput } from '../args.js';
import { formatExceptionItem, formatExceptionTable, formatQueueReport } from '../format/exceptions.js';
import type { CommandOptions, Io } from '../io.js';
import { withApp } from '../run.js';

export const EXCEPTIONS_USAGE = [
  'usage: edibridge exceptions list [--state open|in_progress|resolved|rejected] [--category C] [--group G] [--partner P] [--overdue] [--sort due|age|category|group] [--desc] [--limit N] [--json]',
  '       edibridge exceptions show <id> [--json]',
  '       edibridge exceptions assign <id>...|--category C [--file F] [--group G] [--partner P] --to USER [--note T] [--as USER] [--json]',
  '       edibridge exceptions comment <id> --note T [--as USER]',
  '       edibridge exceptions resolve|reject <id>...|--category C [--file F] [--group G] [--partner P] --reason T [--as USER] [--json]',
  '       edibridge exceptions report [--csv|--json]',
  '       edibridge exceptions rerun <id> [--as USER] [--json]',
].join('\n');

export async function exceptionsCommand(argv: string[], io: Io, options: CommandOptions = {}): Promise<number> {
  if (argv[0] !== undefined && argv[0] !== 'list' && ACTIONS.has(argv[0])) return exceptionActionCommand(argv, io, options);
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
      io.out(`${JSON.stringify(rows.map((r) => ({ ...r, title: categoryTitle(r.category), dueSoon: isDueSoon(r, app.now()) })))}\n`);
    } else if (rows.length === 0) {
      io.out('no exceptions match\n');
    } else {
      const more = rows.length === input.limit ? ` (first ${input.limit}; use --limit)` : '';
      io.out(`${formatExceptionTable(rows, app.now())}\n${rows.length} exception${rows.length === 1 ? '' : 's'}${more}\n`);
    }
    return 0;
  });
}

const ACTIONS = new Set(['show', 'assign', 'comment', 'resolve', 'reject', 'report', 'rerun']);

/** The person acting: --as, else EDIBRIDGE_USER, else the login name. */
function actorOf(given: string | undefined, io: Io): string | undefined {
  if (given !== undefined) return given;
  if (io.env['EDIBRIDGE_USER']) return io.env['EDIBRIDGE_USER'];
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

async function exceptionActionCommand(argv: string[], io: Io, options: CommandOptions): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      to: { type: 'string' },
      note: { type: 'string' },
      reason: { type: 'string' },
      as: { type: 'string' },
      category: { type: 'string' },
      file: { type: 'string' },
      group: { type: 'string' },
      partner: { type: 'string' },
      json: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
    },
    EXCEPTIONS_USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values: v, positionals } = parsed;
  const [sub, ...ids] = positionals;
  const usage = (): number => {
    io.err(`${EXCEPTIONS_USAGE}\n`);
    return 2;
  };
  const actor = actorOf(v.as, io);
  const selecting = v.category !== undefined;
  const select = selecting ? parseInput(SelectInput, { category: v.category, file: v.file, group: v.group, partner: v.partner }, EXCEPTIONS_USAGE, io) : undefined;
  if (typeof select === 'number') return select;
  if (!selecting && (v.file !== undefined || v.group !== undefined || v.partner !== undefined)) return usage();
  const targets = async (app: { db(): Promise<import('../../db/db.js').Db> }): Promise<string[]> => (select ? selectItems(await app.db(), select) : ids);
  const report = (outcomes: ItemOutcome[]): number => {
    if (v.json) io.out(`${JSON.stringify(outcomes)}\n`);
    else {
      for (const o of outcomes) io.out(o.ok ? `#${o.id}: ${o.item!.state}${o.item!.owner ? `, owner ${o.item!.owner}` : ''}\n` : `#${o.id}: refused: ${o.error!.message}\n`);
      if (outcomes.length === 0) io.out('no open exceptions match\n');
    }
    return outcomes.every((o) => o.ok) ? 0 : 1;
  };
  switch (sub) {
    case 'show': {
      if (ids.length !== 1 || selecting || !/^[1-9][0-9]{0,18}$/.test(ids[0]!)) return usage();
      return withApp(io, options, { json: v.json, failure: 1 }, async (app) => {
        const db = await app.db();
        const item = await getException(db, ids[0]!, app.now());
        if (!item) {
          io.err(`edibridge: no exception ${ids[0]}\n`);
          return 1;
        }
        const history = await exceptionHistory(db, item.id);
        if (v.json) io.out(`${JSON.stringify({ ...item, title: categoryTitle(item.category), dueSoon: isDueSoon(item, app.now()), history })}\n`);
        else io.out(formatExceptionItem(item, history, app.now()));
        return 0;
      });
    }
    case 'assign': {
      if (v.to === undefined || (ids.length === 0) === !selecting) return usage();
      return withApp(io, options, { json: v.json, failure: 1 }, async (app) => {
        const input = parseInput(AssignInput, { ids: await targets(app), owner: v.to, actor, ...(v.note !== undefined ? { note: v.note } : {}) }, EXCEPTIONS_USAGE, io);
        if (typeof input === 'number') return input;
        return input.ids.length ? report(await assignExceptions(await app.db(), input)) : report([]);
      });
    }
    case 'comment': {
      if (ids.length !== 1 || selecting || v.note === undefined) return usage();
      const input = parseInput(CommentInput, { id: ids[0], actor, note: v.note }, EXCEPTIONS_USAGE, io);
      if (typeof input === 'number') return input;
      return withApp(io, options, { json: v.json, failure: 1 }, async (app) => {
        await commentException(await app.db(), input);
        io.out(`#${input.id}: comment added\n`);
        return 0;
      });
    }
    case 'resolve':
    case 'reject': {
      if (v.reason === undefined || (ids.length === 0) === !selecting) return usage();
      return withApp(io, options, { json: v.json, failure: 1 }, async (app) => {
        const found = await targets(app);
        if (found.length === 0) return report([]);
        const input = parseInput(CloseInput, { ids: found, actor, reason: v.reason, outcome: sub === 'resolve' ? 'resolved' : 'rejected' }, EXCEPTIONS_USAGE, io);
        if (typeof input === 'number') return input;
        return report(await closeExceptions(await app.db(), input));
      });
    }
    case 'report': {
      if (ids.length > 0 || selecting || (v.csv && v.json)) return usage();
      return withApp(io, options, { json: v.json, failure: 1 }, async (app) => {
        const r = await queueReport(await app.db(), app.now());
        if (v.json) io.out(`${JSON.stringify(r)}\n`);
        else if (v.csv) io.out(queueReportCsv(r));
        else io.out(formatQueueReport(r));
        return 0;
      });
    }
    case 'rerun': {
      if (ids.length !== 1 || selecting || v.note !== undefined || v.reason !== undefined || v.to !== undefined || v.csv) return usage();
      const input = parseInput(RerunInput, { id: ids[0], actor }, EXCEPTIONS_USAGE, io);
      if (typeof input === 'number') return input;
      return withApp(io, options, { json: v.json, failure: 1 }, async (app) => {
        const r = await rerunException({ db: await app.db(), store: app.store(), phi: await app.phi(), now: () => app.now() }, input);
        if (v.json) io.out(`${JSON.stringify(r)}\n`);
        else {
          io.out(r.outcome === 'applied' ? `#${r.item.id}: applied (${describeCounts(r.counts)}), ${r.item.state}\n` : `#${r.item.id}: still held, ${r.item.state}: ${r.reason}\n`);
          for (const o of r.others) io.out(`#${o.id}: ${o.outcome === 'applied' ? 'applied' : 'still held'} with it, ${o.state}\n`);
        }
        return 0;
      });
    }
    default:
      return usage();
  }
}
