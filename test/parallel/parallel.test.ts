/**
 * Sets checked by worker threads must give exactly the report the in-line check gives.
 * Workers load compiled JavaScript, so these tests run the built dist/ (npm ci builds it).
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate834 } from '../../src/bench/generate834.js';
import { generate820 } from '../../src/bench/generate820.js';

type ValidateModule = typeof import('../../src/x12/validate.js');
type PoolModule = typeof import('../../src/x12/parallel/pool.js');
const dist = (await import(join(import.meta.dirname, '../../dist/x12/validate.js'))) as ValidateModule;
const { SetWorkerPool } = (await import(join(import.meta.dirname, '../../dist/x12/parallel/pool.js'))) as PoolModule;
const pool = new SetWorkerPool(2);
afterAll(() => pool.close());
const CORPUS = join(import.meta.dirname, '../../../shared/corpus');

async function both(path: string): Promise<{ inline: string; parallel: string }> {
  const inline = await dist.validateFile(path, { threads: 1 });
  const parallel = await dist.validateFile(path, { threads: 3, pool });
  return { inline: JSON.stringify(inline), parallel: JSON.stringify(parallel) };
}

/** Puts faults into a generated file: a bad code, a missing segment, a wrong count, a stray segment. */
function damage(text: string): string {
  let n = 0;
  return text
    .replace(/\nHD\*021\*\*HLT/g, (m) => (++n % 997 === 0 ? '\nHD*021**XXX' : m))
    .replace(/\nDMG\*D8\*(\d{8})/g, (m, d: string) => (++n % 1499 === 0 ? `\nDMG*D8*${d.slice(0, 4)}1399` : m))
    .replace(/\nN3\*[^~]*~/g, (m) => (++n % 2003 === 0 ? '\nZZZ*1~' : m))
    .replace(/SE\*(\d+)\*0007~/, 'SE*1*0007~');
}

describe('parallel set validation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edibridge-parallel-'));

  it('gives the in-line report for a multi-set 834 with faults in several sets', async () => {
    const clean = join(dir, 'clean.834');
    await generate834(clean, { members: 6000, seed: 7, setSize: 600 });
    const { readFileSync } = await import('node:fs');
    const bad = join(dir, 'bad.834');
    writeFileSync(bad, damage(readFileSync(clean, 'latin1')), 'latin1');
    const { inline, parallel } = await both(bad);
    expect(parallel).toBe(inline);
    const report = JSON.parse(inline) as { accepted: boolean; interchanges: Array<{ groups: Array<{ status: string; sets: Array<{ status: string; errors: unknown[] }> }> }> };
    const sets = report.interchanges[0]?.groups[0]?.sets ?? [];
    expect(sets.length).toBe(10);
    expect(sets.filter((s) => s.status === 'R').length).toBeGreaterThan(3);
    expect(report.interchanges[0]?.groups[0]?.status).toBe('P');
  });

  it('gives the in-line report for a clean multi-set 820', async () => {
    const file = join(dir, 'clean.820');
    await generate820(file, { lines: 3000, seed: 3, setSize: 300 });
    const { inline, parallel } = await both(file);
    expect(parallel).toBe(inline);
    expect(JSON.parse(inline).accepted).toBe(true);
  });

  it('gives the in-line report for every corpus file', async () => {
    for (const owner of readdirSync(CORPUS, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const f of readdirSync(join(CORPUS, owner.name))) {
        const { inline, parallel } = await both(join(CORPUS, owner.name, f));
        expect(parallel, f).toBe(inline);
      }
    }
  });
});

describe('parallel set validation on mutated files', () => {
  it('gives the in-line report for hundreds of mutated corpus files', async () => {
    const fc = await import('fast-check');
    const { fuzzCaseArb, materialize, describeCase } = await import('../fuzz/mutators.js');
    const dir = mkdtempSync(join(tmpdir(), 'edibridge-parallel-fuzz-'));
    const cases = fc.sample(fuzzCaseArb(), { numRuns: Number(process.env['FUZZ_PARALLEL_RUNS'] ?? 300), seed: 20261123 });
    for (const [i, c] of cases.entries()) {
      const file = join(dir, `case-${i}.x12`);
      writeFileSync(file, materialize(c));
      const { inline, parallel } = await both(file);
      expect(parallel, describeCase(c)).toBe(inline);
    }
  }, 120_000);
});
