/**
 * An in-memory PGlite database for a test file, migrated and loaded with the sample
 * reference data (samples/reference-data.yaml), closed when the file's tests are done.
 */
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { migrate } from '../../src/db/migrate.js';
import { createPgliteDb } from '../../src/db/pglite.js';
import { loadReferenceData, readReferenceFile } from '../../src/reference/index.js';

export const SAMPLES = join(import.meta.dirname, '../../samples');

export function useSampleDb(): () => Db {
  let db: Db | undefined;
  beforeAll(async () => {
    db = await createPgliteDb();
    await migrate(db);
    await loadReferenceData(db, await readReferenceFile(join(SAMPLES, 'reference-data.yaml')));
  });
  afterAll(async () => {
    await db?.close();
  });
  return () => {
    if (!db) throw new Error('the sample database is opened in beforeAll');
    return db;
  };
}
