/**
 * The Db contract on a real PostgreSQL server (TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test), in schemas of this file's own. Skipped with a
 * message when no server answers, unless EDIBRIDGE_REQUIRE_PG=1 (CI), which fails instead.
 */
import { describe, expect, it } from 'vitest';
import { DbError } from '../../src/db/errors.js';
import { createPgDb } from '../../src/db/pg.js';
import { describeDbContract } from './contract.js';
import { REQUIRE_PG, TEST_DATABASE_URL, assertTestDatabaseName, pgHarness, probePg, redactUrl, useTestDb } from './harness.js';

const probe = await probePg(TEST_DATABASE_URL);
const where = redactUrl(TEST_DATABASE_URL);
if (!probe.ok) {
  console.warn(`PostgreSQL is not reachable at ${where} (${probe.reason}): the pg adapter tests are ${REQUIRE_PG ? 'failed (EDIBRIDGE_REQUIRE_PG=1)' : 'skipped'}. Set TEST_DATABASE_URL, or start PostgreSQL.`);
}

describe('test database guard', () => {
  it('accepts only database names that say test', () => {
    expect(() => assertTestDatabaseName('test')).not.toThrow();
    expect(() => assertTestDatabaseName('edibridge_test_7')).not.toThrow();
    expect(() => assertTestDatabaseName('postgres')).toThrow(/must contain "test"/);
    expect(() => assertTestDatabaseName('edibridge')).toThrow(DbError);
  });
});

if (!probe.ok) {
  describe('pg adapter', () => {
    if (REQUIRE_PG) {
      it('has a PostgreSQL server to test against (EDIBRIDGE_REQUIRE_PG=1)', () => {
        throw new Error(`PostgreSQL is not reachable at ${where}: ${probe.reason}`);
      });
    } else {
      it.skip(`skipped: PostgreSQL not reachable at ${where}`, () => {});
    }
  });
}

describe.skipIf(!probe.ok)('pg adapter', () => {
  const harness = useTestDb(pgHarness);
  describeDbContract('pg', harness);

  it('refuses to run tests in a database whose name does not say test', async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = '/postgres';
    await expect(pgHarness(url.toString())).rejects.toThrow(/refusing to run tests against database "postgres"/);
  });

  it('returns every client to the pool, whatever the transaction did', async () => {
    const db = createPgDb({ connectionString: TEST_DATABASE_URL, max: 2 });
    try {
      for (let i = 0; i < 10; i++) {
        await expect(db.transaction(async () => Promise.reject(new Error(`fail ${i}`)))).rejects.toThrow(`fail ${i}`);
        await expect(db.transaction((tx) => tx.query('select * from no_such_table'))).rejects.toBeInstanceOf(DbError);
        await db.transaction((tx) => tx.query('select 1'));
      }
      expect(db.pool.totalCount).toBeLessThanOrEqual(2);
      expect(db.pool.waitingCount).toBe(0);
      expect(db.pool.idleCount).toBe(db.pool.totalCount);
    } finally {
      await db.close();
    }
  });

  it('reports a server that does not answer as a DbError', async () => {
    const db = createPgDb({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMillis: 2000 });
    try {
      const err = await db.query('select 1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DbError);
      expect((err as DbError).context['errno']).toBe('ECONNREFUSED');
    } finally {
      await db.close();
    }
  });
});
