/**
 * Processing a file from the raw-file archive: the bytes the pull stored under an object key
 * are read back (as often as the ingest needs, each time from the store) and ingested as the
 * file of the partner whose mailbox it came from. Re-running it is safe: the same bytes are
 * recognised as a resend.
 */
import { basename } from 'node:path';
import type { Logger } from '../core/logger.js';
import type { Db } from '../db/db.js';
import type { ObjectStore } from '../transport/store/object-store.js';
import type { ClaimPolicy } from './claim.js';
import type { HandlerRegistry } from './handlers.js';
import { ingestFile, type AckDelivery, type IngestResult } from './ingest.js';
import { streamSource } from './source.js';

export interface ProcessArchivedDeps {
  db: Db;
  store: ObjectStore;
  handlers: HandlerRegistry;
  now: () => Date;
  log: Logger;
  claim?: ClaimPolicy;
  /** Acknowledgements kept for delivery (a partner reached over SFTP)… */
  delivery?: AckDelivery;
  /** …or written to this folder. */
  ackDir?: string;
  /** Stops before the next set (the job expired or the service stops). */
  signal?: AbortSignal;
}

export async function processArchivedFile(deps: ProcessArchivedDeps, input: { partnerId: string; key: string }): Promise<IngestResult> {
  const size = (await deps.store.head(input.key))?.size;
  // The name the partner gave the file, as the pull recorded it.
  const { rows } = await deps.db.query<{ file_name: string }>('select file_name from inbound_file where archive_key = $1 order by id limit 1', [input.key]);
  const source = streamSource(rows[0]?.file_name ?? basename(input.key), () => deps.store.get(input.key), size);
  return ingestFile(source, {
    db: deps.db,
    handlers: deps.handlers,
    receivedFrom: input.partnerId,
    archiveKey: input.key,
    now: deps.now,
    log: deps.log,
    ...(deps.claim ? { claim: deps.claim } : {}),
    ...(deps.delivery ? { delivery: deps.delivery } : {}),
    ...(deps.ackDir !== undefined ? { ackDir: deps.ackDir } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
}
