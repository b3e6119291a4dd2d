/**
 * A connection lost while the pg adapter holds it between statements (a PostgreSQL restart or
 * a terminated backend during a transaction) fails the transaction; it is not an unhandled
 * 'error' event that ends the process (it did: `edibridge serve` died when PostgreSQL
 * restarted mid-apply). The pool then hands out working connections. Found by the
 * 'PostgreSQL restarts mid-run' fault test (test/service/faults.test.ts); this is its
 * deterministic form, on TEST_DATABASE_URL (skipped when unreachable unless EDIBRIDGE_REQUIRE_PG=1).
 */
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createPgDb } from '../../src/db/pg.js';
import { REQUIRE_PG, TEST_DATABASE_URL, probePg } from '../db/harness.js';

const available = await probePg(TEST_DATABASE_URL);

describe.skipIf(!available.ok && !REQUIRE_PG)('pg adapter: a connection lost while held (faults)', () => {
  it('fails the transaction or script that holds it, and the pool recovers', async () => {
    if (!available.ok) throw new Error(`PostgreSQL is required (EDIBRIDGE_REQUIRE_PG=1): ${available.reason}`);
    const db = createPgDb({ connectionString: TEST_DATABASE_URL, max: 2, applicationName: 'edibridge-test-faults-pg' });
    onTestFinished(() => db.close());
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    onTestFinished(() => admin.end());
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown): void => void uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    onTestFinished(() => void process.off('uncaughtException', onUncaught));

    for (let round = 1; round <= 3; round++) {
      const failure = await db
        .transaction(async (tx) => {
          const pid = (await tx.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
          await admin.query('select pg_terminate_backend($1)', [pid]);
          // Between statements: the connection ends while nothing runs on it.
          await new Promise((r) => setTimeout(r, 200));
          return tx.query('select 1');
        })
        .then(() => undefined, (err: unknown) => err);
      expect(failure, `round ${round}: the transaction fails`).toBeInstanceOf(Error);
      expect((await db.query<{ n: number }>('select 1 as n')).rows[0]!.n).toBe(1);
      // A script whose connection ends under it.
      const scripted = await db.script('select pg_terminate_backend(pg_backend_pid())').then(() => undefined, (err: unknown) => err);
      expect(scripted, `round ${round}: the script fails`).toBeInstanceOf(Error);
      expect(await db.transaction(async (tx) => (await tx.query<{ n: number }>('select 2 as n')).rows[0]!.n)).toBe(2);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(uncaught.map(String), 'no unhandled error event').toEqual([]);
  });
});
