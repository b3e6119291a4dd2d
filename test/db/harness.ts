/**
 * Databases for tests. Each test file gets its own: one in-memory PGlite instance (creating
 * one takes seconds, so a file shares it), or its own schemas in the PostgreSQL database at
 * TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test). A database whose name
 * does not say "test" is refused before anything is created in it. The schemas of a file in
 * which a test failed are kept for inspection (their names are printed).
 *
 * Other test files that need a database use `openTestDb('pg' | 'pglite')` the same way.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { DbError } from '../../src/db/errors.js';
import { createPgDb } from '../../src/db/pg.js';
import { createPgliteDb } from '../../src/db/pglite.js';
import { redactUrl } from '../../src/db/open.js';

export { redactUrl };

export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/test';

/** Set in CI: an unreachable PostgreSQL fails the pg tests instead of skipping them. */
export const REQUIRE_PG = process.env['EDIBRIDGE_REQUIRE_PG'] === '1';

/** Throws unless the database's name contains "test": tests drop and create things. */
export function assertTestDatabaseName(name: string): void {
  if (!/test/i.test(name)) {
    throw new DbError('CONFIG_INVALID', `refusing to run tests against database "${name}": its name must contain "test"`, {
      database: name,
    });
  }
}

/** Whether a PostgreSQL server answers at `url`, and why not. */
export async function probePg(url: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return { ok: true };
  } catch (err) {
    const e = err as Error & { code?: string };
    const reason = e.message || (err instanceof AggregateError ? err.errors.map((x: Error) => x.message).join('; ') : e.code) || String(err);
    return { ok: false, reason };
  } finally {
    await client.end().catch(() => {});
  }
}

export interface DbHarness {
  /** The file's shared database (pg: its search_path is the file's own schema). */
  readonly db: Db;
  /** A new, unused schema name in that database (not created: migrate creates it). */
  freshSchemaName(): string;
  /** A second, independent handle on the same database (pg: another pool), for concurrency. */
  openAnother(): Promise<Db>;
  /** Closes everything; drops the file's schemas unless `keep`. */
  dispose(keep: boolean): Promise<void>;
  /** Where a kept database can be looked at. */
  readonly location: string;
}

/** Connects to TEST_DATABASE_URL (or `url`), refusing a non-test database; one schema prefix per file. */
export async function pgHarness(url: string = TEST_DATABASE_URL, options: { max?: number } = {}): Promise<DbHarness> {
  const prefix = `edibridge_test_${process.pid}_${randomBytes(3).toString('hex')}`;
  const db = createPgDb({ connectionString: url, max: options.max ?? 4, searchPath: prefix, applicationName: 'edibridge-test' });
  const opened: Db[] = [db];
  try {
    const { rows } = await db.query<{ name: string }>('select current_database() as name');
    assertTestDatabaseName(rows[0]?.name ?? '');
    await db.query(`create schema ${prefix}`);
  } catch (err) {
    await db.close();
    throw err;
  }
  let n = 0;
  return {
    db,
    location: `${redactUrl(url)} schemas ${prefix}*`,
    freshSchemaName: () => `${prefix}_${++n}`,
    async openAnother() {
      const other = createPgDb({ connectionString: url, max: 2, searchPath: prefix, applicationName: 'edibridge-test' });
      opened.push(other);
      return other;
    },
    async dispose(keep) {
      try {
        if (!keep) {
          const { rows } = await db.query<{ s: string }>(
            "select nspname::text as s from pg_namespace where nspname = $1 or nspname like $1 || '\\_%'",
            [prefix],
          );
          for (const { s } of rows) await db.query(`drop schema ${s} cascade`);
        }
      } finally {
        for (const d of opened) await d.close();
      }
    },
  };
}

/** The same database behind a handle whose close() leaves it open (for code that closes what it opens). */
export function unclosable(db: Db): Db {
  return {
    kind: db.kind,
    query: (text, values) => db.query(text, values),
    exec: (script) => db.exec(script),
    script: (text) => db.script(text),
    copyFrom: (table, columns, data) => db.copyFrom(table, columns, data),
    transaction: (fn) => db.transaction(fn),
    close: async () => {},
  };
}

/** One in-memory PGlite for the file; schemas stand in for fresh databases. */
export async function pgliteHarness(): Promise<DbHarness> {
  const db = await createPgliteDb();
  let n = 0;
  const shared = unclosable(db);
  return {
    db,
    location: 'in-memory PGlite (gone with the test process)',
    freshSchemaName: () => `s_${++n}`,
    openAnother: async () => shared,
    dispose: () => db.close(),
  };
}

/**
 * For a test file: opens its database before the tests, tracks failures, and on the way out
 * drops what it made, unless a test failed (then it says where the data is kept).
 */
export function useTestDb(open: () => Promise<DbHarness>): () => DbHarness {
  let harness: DbHarness | undefined;
  let failed = false;
  beforeAll(async () => {
    harness = await open();
  });
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      failed = true;
    });
  });
  afterAll(async () => {
    if (!harness) return;
    if (failed) console.warn(`a test failed: its data is kept in ${harness.location}`);
    await harness.dispose(failed);
  });
  return () => {
    if (!harness) throw new Error('the test database is not open (useTestDb opens it in beforeAll)');
    return harness;
  };
}
