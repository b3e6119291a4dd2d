/**
 * `edibridge validate <file>... [--ack-dir DIR] [--json]`
 * Exit 0 when every set is accepted, 1 when anything is rejected or partly accepted,
 * 2 for usage or I/O errors.
 */
import { basename } from 'node:path';
import { acknowledgementsFor, writeAcknowledgements } from '../ack/acknowledgements.js';
import { memoryControlNumbers, type AckContext } from '../ack/envelope.js';
import { toJsonReport } from '../report/json.js';
import { formatReport } from '../report/text.js';
import { EdiBridgeError, coerceError } from '../core/errors.js';
import type { FileReport } from '../x12/report.js';
import { validateFile } from '../x12/validate.js';
import { parseCommandArgs } from './args.js';
import type { Io } from './io.js';

export const VALIDATE_USAGE = 'usage: edibridge validate <file>... [--ack-dir DIR] [--json] [--receiver-id ID]... [--threads N]';

export async function validateCommand(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandArgs(argv, {
    'ack-dir': { type: 'string' },
    json: { type: 'boolean', default: false },
    'receiver-id': { type: 'string', multiple: true },
    threads: { type: 'string' },
  }, VALIDATE_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    io.err(`${VALIDATE_USAGE}\n`);
    return 2;
  }
  const ctx: AckContext = {
    now: io.now,
    // Seeded from the clock so repeated CLI runs rarely reuse a control number;
    // the service allocates them from the database instead.
    nextControlNumber: memoryControlNumbers(Math.floor(io.now().getTime() / 1000) % 900_000_000 + 1),
  };
  const receiverIds = values['receiver-id']?.length ? new Set(values['receiver-id'].map((s) => s.trim())) : undefined;
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 64)) {
    io.err(`edibridge: --threads takes a whole number from 1 to 64\n${VALIDATE_USAGE}\n`);
    return 2;
  }
  const [firstId] = receiverIds ?? [];
  if (firstId) ctx.ourId = { qualifier: 'ZZ', id: firstId };
  let worst = 0;
  const json: unknown[] = [];
  for (const file of positionals) {
    let report: FileReport;
    try {
      report = await validateFile(file, { receiverIds, ...(threads !== undefined ? { threads } : {}) });
    } catch (err) {
      const e = coerceError(err, 'FILE_UNREADABLE', { file });
      const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
      io.err(`edibridge: ${e.message}${cause}\n`);
      if (values.json) json.push({ file, error: { code: e.code, message: e.message } });
      worst = 2;
      continue;
    }
    if (!report.accepted) worst = Math.max(worst, 1);
    const acks = acknowledgementsFor(report, ctx);
    if (values['ack-dir']) {
      try {
        await writeAcknowledgements(values['ack-dir'], basename(file), acks);
      } catch (err) {
        const e = new EdiBridgeError('FILE_UNREADABLE', `cannot write acknowledgements for ${file}`, { file }, { cause: err });
        io.err(`edibridge: ${e.message}: ${err instanceof Error ? err.message : String(err)}\n`);
        worst = 2;
      }
    }
    if (values.json) json.push({ ...toJsonReport(report), acknowledgements: acks.map((a) => ({ name: a.name, kind: a.kind })) });
    else io.out(`${formatReport(report)}\n`);
  }
  if (values.json) io.out(`${JSON.stringify(positionals.length === 1 ? json[0] : json, null, 2)}\n`);
  return worst;
}
