/**
 * The validate service: each file validated (envelopes and guide), its acknowledgements
 * built and, with an acknowledgement folder, written. Nothing is stored in a database.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { acknowledgementsFor, writeAcknowledgements, type Acknowledgement } from '../ack/acknowledgements.js';
import { memoryControlNumbers, type AckContext } from '../ack/envelope.js';
import { EdiBridgeError, coerceError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { FileReport } from '../x12/report.js';
import { validateFile } from '../x12/validate.js';
import { controlNumbersNeeded } from './control-numbers.js';

export const ValidateInput = z.object({
  files: z.array(z.string().min(1)).min(1),
  /** Where acknowledgements are written (a folder per file); none: built, not written. */
  ackDir: z.string().min(1).optional(),
  /** Our ISA08 IDs: an interchange addressed elsewhere is answered TA1 009. */
  receiverIds: z.array(z.string().trim().min(1).max(15)).optional(),
  /** Threads for a file, the main one included. */
  threads: z.number().int().min(1).max(64).optional(),
});
export type ValidateInput = z.infer<typeof ValidateInput>;

export type ValidatedFile =
  | { file: string; report: FileReport; acknowledgements: Acknowledgement[]; paths?: string[]; writeError?: EdiBridgeError }
  | { file: string; error: EdiBridgeError };

export interface ValidateDeps {
  /** The clock and our ISA ID; control numbers come from `controlNumbers`. */
  ack: Omit<AckContext, 'nextControlNumber'>;
  /**
   * Draws the control numbers a file's acknowledgements need (drawControlNumbers: the
   * database sequence). Required when acknowledgements are written, since those may be sent;
   * without it, built acknowledgements are numbered from 1 and must not leave the machine.
   */
  controlNumbers?: (needed: number, file: string) => Promise<() => number>;
  log?: Logger;
  /** Progress of a file's validation: bytes read of its size, sets begun. */
  onProgress?: (p: { file: string; bytes: number; totalBytes: number; sets: number }) => void;
}

export async function validateFiles(input: ValidateInput, deps: ValidateDeps): Promise<ValidatedFile[]> {
  if (input.ackDir && !deps.controlNumbers) {
    throw new EdiBridgeError('INTERNAL', 'acknowledgements to be written need control numbers from the database', {});
  }
  const log = deps.log ?? silentLogger();
  const receiverIds = input.receiverIds?.length ? new Set(input.receiverIds) : undefined;
  const out: ValidatedFile[] = [];
  for (const file of input.files) {
    const fileLog = log.child({ file: basename(file) });
    let report: FileReport;
    try {
      const totalBytes = await stat(file).then((s) => s.size, () => 0);
      const onProgress = deps.onProgress && ((p: { bytes: number; sets: number }) => deps.onProgress?.({ file, totalBytes, ...p }));
      report = await validateFile(file, { receiverIds, ...(input.threads !== undefined ? { threads: input.threads } : {}), ...(onProgress ? { onProgress } : {}) });
    } catch (err) {
      const error = coerceError(err, 'FILE_UNREADABLE', { file });
      fileLog.warn({ err: error }, 'file not validated');
      out.push({ file, error });
      continue;
    }
    fileLog.info({ bytes: report.bytes, segments: report.segments, accepted: report.accepted, interchanges: report.interchanges.length }, 'file validated');
    let acknowledgements: Acknowledgement[];
    try {
      const nextControlNumber = deps.controlNumbers ? await deps.controlNumbers(controlNumbersNeeded(report), file) : memoryControlNumbers(1);
      acknowledgements = acknowledgementsFor(report, { ...deps.ack, nextControlNumber });
    } catch (err) {
      out.push({ file, error: coerceError(err, 'INTERNAL', { file }) });
      continue;
    }
    const done: ValidatedFile = { file, report, acknowledgements };
    if (input.ackDir) {
      try {
        done.paths = await writeAcknowledgements(input.ackDir, basename(file), acknowledgements);
        for (const a of acknowledgements) fileLog.info({ kind: a.kind, ack: a.name }, 'acknowledgement written');
      } catch (err) {
        done.writeError = new EdiBridgeError('FILE_UNREADABLE', `cannot write acknowledgements for ${file}`, { file }, { cause: err });
      }
    }
    out.push(done);
  }
  return out;
}
