/** The Db contract on PGlite (in memory; one instance for the whole file). */
import { describe } from 'vitest';
import { describeDbContract } from './contract.js';
import { pgliteHarness, useTestDb } from './harness.js';

describe('pglite adapter', () => {
  const harness = useTestDb(pgliteHarness);
  describeDbContract('pglite', harness);
});
