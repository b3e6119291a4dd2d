/**
 * `edibridge validate <file>... [--ack-dir DIR] [--json] [--receiver-id ID]... [--threads N]`
 * Exit 0 when every set is accepted (a well-formed acknowledgement received included), 1 when
 * anything is rejected or partly accepted, 2 for usage or I/O errors.
 */
import { drawControlNumbers } from '../../ingest/control-numbers.js';
import { ValidateInput, validateFiles } from '../../ingest/validate-files.js';
import { readReportExtras } from '../../report/extras.js';
import type { ReportExtras } from '../../report/received.js';
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
    const [firstId] = input.receiverIds ?? [];
    const ack = { now: io.now, ...(firstId ? { ourId: { qualifier: 'ZZ', id: firstId } } : {}) };
    const progress = progressLine(io);
    const results = await validateFiles(input, {
      ack,
      // Written acknowledgements may be sent: their ISA13/GS06 come from the database, as the ingest's do.
      ...(input.ackDir ? { controlNumbers: async (needed: number, file: string) => drawControlNumbers(await app.db(), needed, file) } : {}),
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
      // How a file with no interchange starts, and the acknowledgements (TA1, 999) it carries.
      const extras = await readReportExtras(r.file, r.report).catch((): ReportExtras => ({}));
      // An acknowledgement received is not a rejection: only a malformed TA1 in it fails the file.
      const badTa1 = extras.received?.acknowledgements.some((a) => a.kind === 'TA1' && a.faults.length > 0) ?? false;
      if (!r.report.accepted || badTa1) worst = Math.max(worst, 1);
      if (r.writeError) {
        io.err(`edibridge: ${describeError(r.writeError).message}\n`);
        worst = 2;
      }
      if (values.json) json.push({ ...toJsonReport(r.report, extras), acknowledgements: r.acknowledgements.map((a) => ({ name: a.name, kind: a.kind })) });
      else io.out(`${formatReport(r.report, extras)}\n`);
    }
    if (values.json) io.out(`${JSON.stringify(results.length === 1 ? json[0] : json, null, 2)}\n`);
    return worst;
  });
}
