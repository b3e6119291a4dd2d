/** The job engine on in-memory PGlite (engine-contract.ts). */
import { describe } from 'vitest';
import { pgliteHarness, useTestDb } from '../db/harness.js';
import { describeEngineContract } from './engine-contract.js';

describe('job engine on PGlite', () => {
  describeEngineContract(useTestDb(pgliteHarness));
});
