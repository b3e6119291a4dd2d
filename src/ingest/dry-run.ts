/**
 * A dry run of an ingest (`edibridge ingest <file> --dry-run`): the whole ingest (register,
 * validate, every set applied through its handler) runs inside one database transaction that
 * is rolled back at the end, so the answer is what the rules would do and nothing of it is
 * recorded: no inbound file, set, member change, exception or held file. No acknowledgement
 * is built, numbered or written. Only values drawn from sequences (row ids) are not given back.
 */
import { EdiBridgeError } from '../core/errors.js';
import type { FileSource } from './source.js';
import { ingestFile, type IngestOptions, type IngestResult } from './ingest.js';

export interface DryRunResult extends IngestResult {
  dryRun: true;
}

/** Thrown inside the transaction to roll it back once the ingest has answered. */
class RollBack extends Error {
  constructor(readonly result: IngestResult) {
    super('dry run: rolled back');
  }
}

/**
 * Ingests the file as `ingestFile` would, inside a transaction rolled back at the end. Pass
 * handlers built with `measurePremium` to have each 834 set's monthly premium change.
 */
export async function dryRunIngest(input: string | FileSource, options: Omit<IngestOptions, 'ackDir' | 'delivery' | 'acknowledge'>): Promise<DryRunResult> {
  try {
    await options.db.transaction(async (tx) => {
      throw new RollBack(await ingestFile(input, { ...options, db: tx, acknowledge: false }));
    });
  } catch (err) {
    if (err instanceof RollBack) return { ...err.result, dryRun: true };
    throw err;
  }
  throw new EdiBridgeError('INTERNAL', 'dry run: the transaction was not rolled back');
}
