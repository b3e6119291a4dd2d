/**
 * `edibridge ingest <file> [--partner ID] [--ack-dir DIR] [--received-at TIME] [--dry-run] [--json]` — validates a file,
 * writes its acknowledgements, hands its accepted sets to their handlers and prints what
 * changed. `--dry-run` runs it all in a transaction rolled back (src/ingest/dry-run.ts) and
 * prints what each set would change, its monthly premium change included: nothing is recorded. Exit 0 when the file was applied (or is a resend, which applies nothing), 1 when
 * the file or any of its sets was rejected, 2 for usage errors, a bad setting, or when the
 * ingest was refused or failed (unknown partner, unreadable file, database error).
 */
import { setHandlers } from '../../app/handlers.js';
import { dryRunIngest } from '../../ingest/dry-run.js';
import { ingestFile, ingestFileInput } from '../../ingest/ingest.js';
import { parseCommandArgs, parseInput } from '../args.js';
import { formatDryRun, formatIngest } from '../format/ingest.js';
import type { CommandOptions, Io } from '../io.js';
import { progressLine } from '../progress.js';
import { withApp } from '../run.js';

export const INGEST_USAGE = 'usage: edibridge ingest <file> [--partner ID] [--ack-dir DIR] [--received-at ISO-TIMESTAMP] [--dry-run] [--json]';

export async function ingestCommand(argv: string[], io: Io, options: CommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, {
    partner: { type: 'string' },
    'ack-dir': { type: 'string' },
    'received-at': { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  }, INGEST_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || (values['dry-run'] && values['ack-dir'] !== undefined)) {
    io.err(`${INGEST_USAGE}\n`);
    return 2;
  }
  const input = parseInput(ingestFileInput(io.now()), {
    file: positionals[0],
    ...(values.partner !== undefined ? { partner: values.partner } : {}),
    ...(values['ack-dir'] !== undefined ? { ackDir: values['ack-dir'] } : {}),
    ...(values['received-at'] !== undefined ? { receivedAt: values['received-at'] } : {}),
  }, INGEST_USAGE, io, { file: '<file>', partner: '--partner', ackDir: '--ack-dir', receivedAt: '--received-at' });
  if (typeof input === 'number') return input;
  return withApp(io, options, { json: values.json, failure: 2 }, async (app) => {
    const progress = progressLine(io);
    if (values['dry-run']) {
      const result = await dryRunIngest(input.file, {
        db: await app.db(),
        handlers: await setHandlers(app, { measurePremium: true, ...(options.batchMembers !== undefined ? { batchMembers: options.batchMembers } : {}) }),
        now: app.now,
        log: app.log,
        onProgress: (p) => progress.update(p.phase === 'apply' ? { ...p, phase: 'apply' } : { phase: p.phase, bytes: p.bytes, totalBytes: p.totalBytes }),
        ...(input.partner !== undefined ? { partnerId: input.partner } : {}),
        ...(input.receivedAt !== undefined ? { receivedAt: input.receivedAt } : {}),
      });
      progress.done();
      io.out(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatDryRun(result));
      return result.status === 'rejected' || (result.validation !== undefined && result.validation.setsRejected > 0) ? 1 : 0;
    }
    const result = await ingestFile(input.file, {
      db: await app.db(),
      handlers: await setHandlers(app, options.batchMembers !== undefined ? { batchMembers: options.batchMembers } : {}),
      ackDir: input.ackDir ?? app.config.ackDir,
      now: app.now,
      log: app.log,
      onProgress: (p) => progress.update(p.phase === 'apply' ? { ...p, phase: 'apply' } : { phase: p.phase, bytes: p.bytes, totalBytes: p.totalBytes }),
      ...(input.partner !== undefined ? { partnerId: input.partner } : {}),
      ...(input.receivedAt !== undefined ? { receivedAt: input.receivedAt } : {}),
    });
    progress.done();
    io.out(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatIngest(result));
    const rejected = result.status === 'rejected' || (result.validation !== undefined && result.validation.setsRejected > 0);
    return rejected ? 1 : 0;
  });
}
