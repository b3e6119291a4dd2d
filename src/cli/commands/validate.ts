/**
 * `edibridge validate <file>... [--ack-dir DIR] [--json] [--receiver-id ID]... [--threads N]`
 * Exit 0 when every set is accepted, 1 when anything is rejected or partly accepted,
 * 2 for usage or I/O errors.
 */
import { memoryControlNumbers, type AckContext } from '../../ack/envelope.js';
import { ValidateInput, validateFiles } from '../../ingest/validate-files.js';
import { toJsonReport } from '../../report/json.js';
import { formatReport } from '../../report/text.js';
import { parseCommandArgs, parseInput } from '../args.js';
import type { CommandOptions, Io } from '../io.js';
import { progressLine } from '../progress.js';
import { describeError, withApp } from '../run.js';

export const VALIDATE_USAGE = 'usage: edibridge validate <file>... [--ack-dir DIR] [--json] [--receiver-id ID]... [--threads N]';

export async function validateCommand(argv: string[], io: Io, options: CommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, {
    'ack-dir': { type: 'string' },
    json: { type: 'boolean', default: false },
    'receiver-id': { type: 'string', multiple: true },
    threads: { type: 'string' },
  }, VALIDATE_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const input = parseInput(ValidateInput, {
    files: positionals,
    ...(values['ack-dir'] !== undefined ? { ackDir: values['ack-dir'] } : {}),
    ...(values['receiver-id']?.length ? { receiverIds: values['receiver-id'] } : {}),
    ...(values.threads !== undefined ? { threads: Number(values.threads) } : {}),
  }, VALIDATE_USAGE, io, { files: '<file>', ackDir: '--ack-dir', receiverIds: '--receiver-id', threads: '--threads' });
  if (typeof input === 'number') return input;
  return withApp(io, options, { json: values.json, failure: 2 }, async (app) => {
    const ack: AckContext = {
      now: io.now,
      // Seeded from the clock so repeated CLI runs rarely reuse a control number;
      // the service allocates them from the database instead.
      nextControlNumber: memoryControlNumbers(Math.floor(io.now().getTime() / 1000) % 900_000_000 + 1),
    };
    const [firstId] = input.receiverIds ?? [];
    if (firstId) ack.ourId = { qualifier: 'ZZ', id: firstId };
    const progress = progressLine(io);
    const results = await validateFiles(input, {
      ack,
      log: app.log,
      onProgress: (p) => progress.update({ phase: `validate ${p.file}`, bytes: p.bytes, totalBytes: p.totalBytes, sets: p.sets }),
    });
    progress.done();
    let worst = 0;
    const json: unknown[] = [];
    for (const r of results) {
      if ('error' in r) {
        const { code, message } = describeError(r.error);
        io.err(`edibridge: ${message}\n`);
        if (values.json) json.push({ file: r.file, error: { code, message } });
        worst = 2;
        continue;
      }
      if (!r.report.accepted) worst = Math.max(worst, 1);
      if (r.writeError) {
        io.err(`edibridge: ${describeError(r.writeError).message}\n`);
        worst = 2;
      }
      if (values.json) json.push({ ...toJsonReport(r.report), acknowledgements: r.acknowledgements.map((a) => ({ name: a.name, kind: a.kind })) });
      else io.out(`${formatReport(r.report)}\n`);
    }
    if (values.json) io.out(`${JSON.stringify(results.length === 1 ? json[0] : json, null, 2)}\n`);
    return worst;
  });
}
