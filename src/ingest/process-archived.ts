/**
 * Processing a file from the raw-file archive: the bytes the pull stored under an object key
 * are read back (as often as the ingest needs, each time from the store) and ingested as the
 * partner's file. Re-running it is safe: the same bytes are recognised as a resend.
 */
import { basename } from 'node:path';
import type { Logger } from '../core/logger.js';
import type { Db } from '../db/db.js';
import type { ObjectStore } from '../transport/store/object-store.js';
import type { HandlerRegistry } from './handlers.js';
import { ingestFile, type IngestResult } from './ingest.js';
import { streamSource } from './source.js';

export interface ProcessArchivedDeps {
  db: Db;
  store: ObjectStore;
  handlers: HandlerRegistry;
  ackDir: string;
  now: () => Date;
  log: Logger;
}

export async function processArchivedFile(deps: ProcessArchivedDeps, input: { partnerId: string; key: string }): Promise<IngestResult> {
  const size = (await deps.store.head(input.key))?.size;
  const source = streamSource(basename(input.key), () => deps.store.get(input.key), size);
  return ingestFile(source, {
    db: deps.db,
    handlers: deps.handlers,
    partnerId: input.partnerId,
    ackDir: deps.ackDir,
    now: deps.now,
    log: deps.log,
  });
}
