/**
 * `edibridge cards pending [--group G] [--limit N] [--json]` lists the ID-card requests the
 * card printer is to take (oldest first, with who is on each card and where it is mailed);
 * `edibridge cards mark-sent <request-id>... [--json]` records them sent. Marking is
 * idempotent; one unknown id refuses the whole call (nothing is marked, exit 1). Exit 2 for
 * usage errors or a bad setting, 1 for a database error.
 */
import { MarkCardsSentInput, PendingCardsInput, listPendingCards, markSent } from '../../membership/service.js';
import { parseCommandArgs, parseInput } from '../args.js';
import { formatMarkSent, formatPendingCards } from '../format/membership.js';
import type { CommandOptions, Io } from '../io.js';
import { withApp } from '../run.js';

export const CARDS_USAGE = 'usage: edibridge cards pending [--group G] [--limit N] [--json]\n       edibridge cards mark-sent <request-id>... [--json]';

export async function cardsCommand(argv: string[], io: Io, options: CommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, { group: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean', default: false } }, CARDS_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [sub, ...rest] = positionals;
  if (sub === 'pending') {
    if (rest.length > 0) {
      io.err(`${CARDS_USAGE}\n`);
      return 2;
    }
    const input = parseInput(PendingCardsInput, {
      ...(values.group !== undefined ? { groupNumber: values.group } : {}),
      ...(values.limit !== undefined ? { limit: values.limit } : {}),
    }, CARDS_USAGE, io, { groupNumber: '--group', limit: '--limit' });
    if (typeof input === 'number') return input;
    return withApp(io, options, { json: values.json, failure: 1 }, async (app) => {
      const r = await listPendingCards(await app.db(), input);
      io.out(values.json ? `${JSON.stringify({ ...r, limit: input.limit }, null, 2)}\n` : formatPendingCards(r, input.limit));
      return 0;
    });
  }
  if (sub === 'mark-sent') {
    if (values.group !== undefined || values.limit !== undefined) {
      io.err(`--group and --limit belong to cards pending\n${CARDS_USAGE}\n`);
      return 2;
    }
    const input = parseInput(MarkCardsSentInput, { requestIds: rest, at: io.now() }, CARDS_USAGE, io, { requestIds: '<request-id>' });
    if (typeof input === 'number') return input;
    return withApp(io, options, { json: values.json, failure: 1 }, async (app) => {
      const r = await markSent(await app.db(), { ...input, at: app.now() });
      if (r.status === 'refused') io.err(`edibridge: no ID card request ${r.unknown.join(', ')}: nothing marked\n`);
      io.out(values.json ? `${JSON.stringify(r, null, 2)}\n` : formatMarkSent(r));
      return r.status === 'refused' ? 1 : 0;
    });
  }
  io.err(`${CARDS_USAGE}\n`);
  return 2;
}
