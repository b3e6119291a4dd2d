/**
 * Sets checked by worker threads must give exactly the report the in-line check gives.
 * Workers load compiled JavaScript, so these tests run the built dist/ (npm ci builds it).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate834 } from '../../bench/generate834.js';
import { generate820 } from '../../bench/generate820.js';
import { corpusDir, corpusFiles, corpusTitle, fixtureFiles } from '../support/corpus.js';
import { useTempDirs } from '../support/tmp.js';

type ValidateModule = typeof import('../../src/x12/validate.js');
type PoolModule = typeof import('../../src/x12/parallel/pool.js');
const dist = (await import(join(import.meta.dirname, '../../dist/x12/validate.js'))) as ValidateModule;
const { SetWorkerPool } = (await import(join(import.meta.dirname, '../../dist/x12/parallel/pool.js'))) as PoolModule;
const pool = new SetWorkerPool(2);
afterAll(() => pool.close());
const tempDir = useTempDirs();

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
  const dir = tempDir('parallel');

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

  it('gives the in-line report for every sample and golden case', async () => {
    const files = fixtureFiles();
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) {
      const { inline, parallel } = await both(f.path);
      expect(parallel, f.name).toBe(inline);
    }
  });

  it.skipIf(!corpusDir)(corpusTitle('gives the in-line report for every corpus file'), async () => {
    const files = corpusFiles();
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const { inline, parallel } = await both(f.path);
      expect(parallel, f.name).toBe(inline);
    }
  });
});

describe('parallel set validation, shared and custom', () => {
  it('serves two files at once from one shared pool, each with its own report', async () => {
    const dir = tempDir('parallel-shared');
    const a = join(dir, 'a.834');
    const b = join(dir, 'b.820');
    await generate834(a, { members: 3000, seed: 11, setSize: 300 });
    await generate820(b, { lines: 2000, seed: 12, setSize: 200 });
    const [ra, rb] = await Promise.all([dist.validateFile(a, { threads: 3, pool }), dist.validateFile(b, { threads: 3, pool })]);
    expect(JSON.stringify(ra)).toBe(JSON.stringify(await dist.validateFile(a, { threads: 1 })));
    expect(JSON.stringify(rb)).toBe(JSON.stringify(await dist.validateFile(b, { threads: 1 })));
    expect(ra.interchanges[0]?.groups[0]?.sets.length).toBe(10);
    expect(rb.interchanges[0]?.groups[0]?.sets.length).toBe(10);
  });

  it('has workers use the guide folder the caller gave, not the default one', async () => {
    const { cpSync, readFileSync } = await import('node:fs');
    const { loadRegistry } = (await import(join(import.meta.dirname, '../../dist/x12/schema/registry.js'))) as typeof import('../../src/x12/schema/registry.js');
    const dir = tempDir('parallel-guides');
    cpSync(join(import.meta.dirname, '../../schemas/x12'), dir, { recursive: true });
    // A plan's own variant of the guide: one more insurance line code in HD03.
    const guideFile = join(dir, '834.005010X220A1.json');
    writeFileSync(guideFile, readFileSync(guideFile, 'utf8').replace('"codes": ["AG", "AH", "AJ"', '"codes": ["ZZZ", "AG", "AH", "AJ"'));
    const registry = loadRegistry(dir);
    const file = join(dir, 'plan.834');
    await generate834(file, { members: 2000, seed: 13, setSize: 200 });
    writeFileSync(file, readFileSync(file, 'latin1').replace(/\nHD\*021\*\*HLT/g, '\nHD*021**ZZZ'), 'latin1');
    const inline = await dist.validateFile(file, { threads: 1, registry });
    const parallel = await dist.validateFile(file, { threads: 3, pool, registry });
    expect(inline.accepted).toBe(true);
    expect(JSON.stringify(parallel)).toBe(JSON.stringify(inline));
    expect((await dist.validateFile(file, { threads: 3, pool })).accepted).toBe(false);
  });
});

describe('parallel set validation on mutated files', () => {
  it('gives the in-line report for hundreds of mutated seed files (samples, golden cases, the corpus when available)', async () => {
    const fc = await import('fast-check');
    const { fuzzCaseArb, materialize, describeCase } = await import('../fuzz/mutators.js');
    const dir = tempDir('parallel-fuzz');
    const cases = fc.sample(fuzzCaseArb(), { numRuns: Number(process.env['FUZZ_PARALLEL_RUNS'] ?? 300), seed: 20261123 });
    for (const [i, c] of cases.entries()) {
      const file = join(dir, `case-${i}.x12`);
      writeFileSync(file, materialize(c));
      const { inline, parallel } = await both(file);
      expect(parallel, describeCase(c)).toBe(inline);
    }
  }, 120_000);
});
