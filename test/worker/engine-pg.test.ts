/** The job engine on PostgreSQL (TEST_DATABASE_URL), each test in a pg-boss schema of its own (engine-contract.ts). */
import { describe, it } from 'vitest';
import { REQUIRE_PG, TEST_DATABASE_URL, pgHarness, probePg, redactUrl, useTestDb } from '../db/harness.js';
import { describeEngineContract } from './engine-contract.js';

const probe = await probePg(TEST_DATABASE_URL);

if (!probe.ok) {
  describe('job engine on PostgreSQL', () => {
    if (REQUIRE_PG) {
      it('has a PostgreSQL server to test against (EDIBRIDGE_REQUIRE_PG=1)', () => {
        throw new Error(`PostgreSQL is not reachable at ${redactUrl(TEST_DATABASE_URL)}: ${probe.reason}`);
      });
    } else {
      it.skip(`skipped: PostgreSQL not reachable at ${redactUrl(TEST_DATABASE_URL)}`, () => {});
    }
  });
}

describe.skipIf(!probe.ok)('job engine on PostgreSQL', () => {
  describeEngineContract(useTestDb(pgHarness));
});
