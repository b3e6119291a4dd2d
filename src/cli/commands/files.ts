/**
 * `edibridge files list [--partner P] [--status S] [--undelivered] [--limit N] [--json]` — the
 * inbound files, newest first: status, pulls, and each acknowledgement's delivery (a failing
 * one shows its attempts and last error).
 * `edibridge files rerun <file-id> [--json]` — processes an archived file again (src/mailbox/files.ts);
 * its acknowledgements are delivered by the service's next delivery for the partner.
 * Exit 0 on success, 1 when the database or the rerun failed, 2 for usage or a bad setting.
 */
import { setHandlers } from '../../app/handlers.js';
import { ListFilesInput, listFiles, rerunFile, type FileRecord } from '../../mailbox/files.js';
import { parseCommandArgs, parseInput } from '../args.js';
import { formatIngest } from '../format/ingest.js';
import type { CommandOptions, Io } from '../io.js';
import { withApp } from '../run.js';

export const FILES_USAGE =
  'usage: edibridge files list [--partner P] [--status received|processing|processed|rejected|failed|waiting] [--undelivered] [--limit N] [--json]\n       edibridge files rerun <file-id> [--json]';

export async function filesCommand(argv: string[], io: Io, options: CommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      partner: { type: 'string' },
      status: { type: 'string' },
      undelivered: { type: 'boolean', default: false },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    FILES_USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [sub, ...rest] = positionals;
  const { help: _help, json, ...given } = values;
  if (sub === 'list' && rest.length === 0) {
    const input = parseInput(ListFilesInput, given, FILES_USAGE, io);
    if (typeof input === 'number') return input;
    return withApp(io, options, { json, failure: 1 }, async (app) => {
      const rows = await listFiles(await app.db(), input);
      if (json) io.out(`${JSON.stringify(rows)}\n`);
      else io.out(rows.length ? `${rows.map(formatFile).join('\n')}\n${rows.length} file${rows.length === 1 ? '' : 's'}\n` : 'no files match\n');
      return 0;
    });
  }
  const listOnly = given.partner !== undefined || given.status !== undefined || given.limit !== undefined || given.undelivered;
  if (sub === 'rerun' && rest.length === 1 && /^\d{1,18}$/.test(rest[0]!) && !listOnly) {
    const fileId = rest[0]!;
    return withApp(io, options, { json, failure: 1 }, async (app) => {
      const result = await rerunFile(
        { db: await app.db(), store: app.store(), handlers: await setHandlers(app), now: () => app.now(), log: app.log, partners: await app.partners(), ackDir: app.config.ackDir },
        fileId,
      );
      io.out(json ? `${JSON.stringify(result)}\n` : formatIngest(result));
      return 0;
    });
  }
  io.err(`${FILES_USAGE}\n`);
  return 2;
}

function formatFile(f: FileRecord): string {
  const acks = f.acks.length
    ? f.acks
        .map((a) => `${a.kind} ${a.delivery}${a.delivery === 'pending' && a.attempts ? ` (${a.attempts} attempt${a.attempts === 1 ? '' : 's'}, last: ${a.lastError ?? 'no error'})` : ''}`)
        .join('; ')
    : 'no acknowledgements';
  const pulls = f.pulls > 1 ? `, pulled ${f.pulls} times` : '';
  return `#${f.id} ${f.partner} ${f.name} (${f.bytes} bytes, ISA13 ${f.interchange ?? 'unreadable'}) ${f.status}, received ${f.receivedAt.toISOString()}${pulls}\n    ${acks}`;
}
