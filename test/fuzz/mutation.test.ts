/**
 * Mutation fuzzing of the validator and the acknowledgement builders.
 *
 * Every seed (samples/*.x12, test/golden/cases/*.x12 and, when EDIBRIDGE_CORPUS_DIR names it,
 * every file of the conformance corpus: see corpus.ts) is mutated (byte flips, insertions,
 * deletions, truncation, delimiter swaps, segment duplication / removal / swaps, garbage
 * around interchanges, a BOM, CR LF line ends, concatenation) and each result must:
 *   1. validate and be acknowledged without throwing;
 *   2. get exactly the answers its report calls for (a TA1 per interchange with sendTa1,
 *      a 999 per non-rejected interchange holding a non-FA group), and at least one answer
 *      unless nothing in it needs one;
 *   3. get acknowledgements that are valid X12 themselves (999: accepted by our own 999
 *      guide; TA1: a clean interchange, and TA101–TA105 well formed, which our validator
 *      does not check);
 *   4. give the same report whether validated in memory or streamed in random chunks;
 *   5. (metamorphic) keep a seed's verdict under benign changes: BOM, CR LF, line breaks.
 *
 * Open engine bugs are explained by classifiers in known-bugs.ts (counted, printed after
 * the run) instead of failing the suite; FUZZ_STRICT=1 turns them off.
 *
 * Runs per property: FUZZ_RUNS (default 2000); seed: FUZZ_SEED (default fixed, so a
 * failure reproduces). A failure prints the seed file, the mutations, and the input bytes
 * as a JS string literal ready for a case in regressions.test.ts.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusFiles } from '../support/corpus.js';
import { hasFixedWidthIsa, loadSeeds, toLiteral, type Seed } from './corpus.js';
import { BENIGN, applyBenign, describeCase, fuzzCaseArb, materialize, type FuzzCase } from './mutators.js';
import { KNOWN_BUGS, knownHits } from './known-bugs.js';
import { checkAckValidity, checkAnswers, checkChunking, checkTa1Syntax, observations, run, verdict } from './oracles.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 2000);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20260102);
const params = (offset: number): fc.Parameters<[FuzzCase]> => ({ numRuns: RUNS, seed: SEED + offset, endOnFailure: false });

function fail(c: FuzzCase, data: Uint8Array, violations: string[]): never {
  throw new Error(`${describeCase(c)}\ninput: ${toLiteral(data, 4000)}\n${violations.join('\n')}`);
}

describe('mutation fuzzing', () => {
  afterAll(() => {
    // Known, still-open engine bugs that explained a violation (see known-bugs.ts and regressions.test.ts).
    if (knownHits.size > 0) {
      console.info(`known bugs hit (${RUNS} runs per property, seed ${SEED}):\n` +
        [...knownHits].map(([bug, n]) => `  ${String(n).padStart(5)}× ${bug}: ${(KNOWN_BUGS[bug] ?? '').slice(0, 110)}…`).join('\n'));
    }
  });

  it('has seeds: the samples, the golden cases and the corpus when it is available', () => {
    const names = loadSeeds().map((s) => s.name);
    expect(names.length).toBeGreaterThan(10);
    expect(names).toEqual(expect.arrayContaining(['samples/enrollment-834.x12', 'samples/premium-820.x12', 'golden/ok-834-accepted.x12', 'golden/ok-820-accepted.x12']));
    const corpus = corpusFiles().map((f) => f.name);
    expect(names.filter((n) => !n.startsWith('samples/') && !n.startsWith('golden/'))).toEqual(corpus);
  });

  it('1. never throws (validateBytes, acknowledgementsFor)', () => {
    fc.assert(
      fc.property(fuzzCaseArb(), (c) => {
        const data = materialize(c);
        try {
          run(data);
        } catch (err) {
          fail(c, data, [`threw: ${err instanceof Error ? err.stack : String(err)}`]);
        }
      }),
      params(1),
    );
  });

  it('2. every input gets exactly the answers its report calls for', () => {
    fc.assert(
      fc.property(fuzzCaseArb(), (c) => {
        const data = materialize(c);
        const v = checkAnswers(run(data));
        if (v.length > 0) fail(c, data, v);
      }),
      params(2),
    );
    if (observations.size > 0) console.info('observations:', Object.fromEntries(observations));
  });

  it('3a. every 999 we produce is accepted by our own 999 guide', () => {
    fc.assert(
      fc.property(fuzzCaseArb(), (c) => {
        const data = materialize(c);
        const v = checkAckValidity(run(data), '999');
        if (v.length > 0) fail(c, data, v);
      }),
      params(3),
    );
  });

  it('3b. every TA1 we produce reads back as a clean interchange, with valid TA101–TA105', () => {
    fc.assert(
      fc.property(fuzzCaseArb(), (c) => {
        const data = materialize(c);
        const o = run(data);
        const v = [...checkAckValidity(o, 'TA1'), ...checkTa1Syntax(o)];
        if (v.length > 0) fail(c, data, v);
      }),
      params(4),
    );
  });

  it('4. chunking does not change the report', async () => {
    await fc.assert(
      fc.asyncProperty(fuzzCaseArb(), fc.array(
        // Mostly small chunks; sometimes larger ones, to land on the ISA's 106- and 200-byte limits.
        fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 64 }) }, { weight: 1, arbitrary: fc.integer({ min: 65, max: 260 }) }),
        { minLength: 1, maxLength: 32 },
      ), async (c, sizes) => {
        const data = materialize(c);
        const v = await checkChunking(data, sizes);
        if (v.length > 0) fail(c, data, v);
      }),
      { numRuns: RUNS, seed: SEED + 5 },
    );
  });

  it('5. benign changes (BOM, CR LF, line breaks, surrounding white space) keep every seed\'s verdict', () => {
    // Only seeds whose ISA gives their true delimiters: with a broken ISA, "a line break after
    // each terminator" puts line breaks after some other byte, which is not benign.
    const seeds = loadSeeds().filter(hasFixedWidthIsa);
    expect(seeds.length).toBeGreaterThan(10);
    fc.assert(
      fc.property(fc.nat({ max: seeds.length - 1 }), fc.uniqueArray(fc.constantFrom(...BENIGN), { minLength: 1, maxLength: BENIGN.length }), (i, ts) => {
        const seed = seeds[i] as Seed;
        let data = seed.bytes;
        for (const t of ts) data = applyBenign(data, t, seed);
        const want = verdict(run(seed.bytes).report);
        const got = verdict(run(data).report);
        if (got !== want) {
          throw new Error(`${seed.name} with ${ts.join(' + ')} changes the verdict\ninput: ${toLiteral(data, 600)}\nseed:    ${want.slice(0, 600)}\nchanged: ${got.slice(0, 600)}`);
        }
      }),
      { numRuns: Math.max(100, Math.round(RUNS / 5)), seed: SEED + 6 },
    );
  });
});
