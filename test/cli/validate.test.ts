import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import type { Db } from '../../src/db/db.js';
import { createPgliteDb } from '../../src/db/pglite.js';
import { unclosable } from '../db/harness.js';
import { corpusDir, corpusTitle } from '../support/corpus.js';
import { useTempDirs } from '../support/tmp.js';

const SAMPLES = join(import.meta.dirname, '../../samples');
const GOLDEN = join(import.meta.dirname, '../golden/cases');

// Written acknowledgements draw their control numbers from a database: an in-memory one here.
let db: Db | undefined;
afterAll(async () => {
  await db?.close();
});
const open = async (): Promise<Db> => unclosable((db ??= await createPgliteDb()));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), now: () => new Date('2026-11-23T10:00:00Z'), env: {} };
  const code = await main(argv, io, { open });
  return { code, out, err };
}

const tempDir = useTempDirs();
const tmp = (): string => tempDir('cli');

describe('edibridge validate', () => {
  it('exits 0 and reports every set accepted for the samples', async () => {
    const r = await run('validate', join(SAMPLES, 'enrollment-834.x12'), join(SAMPLES, 'premium-820.x12'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/samples\/enrollment-834\.x12 .*ACCEPTED/);
    expect(r.out).toMatch(/1 of 1 set accepted/);
  });

  it('exits 1 for a rejected file and writes its 999 under the ack dir, named by interchange', async () => {
    const dir = tmp();
    // A golden case: an invalid gender code (DMG03 = Q) in the subscriber's 2100A loop.
    const r = await run('validate', join(GOLDEN, 'ik403-7-invalid-code.x12'), '--ack-dir', dir);
    expect(r.code).toBe(1);
    const files = readdirSync(join(dir, 'ik403-7-invalid-code.x12'));
    expect(files).toEqual(['001-000000101.999.x12']);
    const ack = readFileSync(join(dir, 'ik403-7-invalid-code.x12', files[0] as string), 'utf8');
    expect(ack).toContain('AK1*BE*101*005010X220A1~');
    expect(ack).toContain('IK3*DMG*9*2100*8~');
    expect(ack).toContain('IK4*3*1068*7*Q~');
    expect(ack).toContain('AK9*R*1*1*0~');
  });

  it('writes a TA1 when the interchange asks for one (ISA14 = 1)', async () => {
    const dir = tmp();
    const r = await run('validate', join(SAMPLES, 'enrollment-834.x12'), '--ack-dir', dir);
    expect(r.code).toBe(0);
    const files = readdirSync(join(dir, 'enrollment-834.x12')).sort();
    expect(files).toEqual(['001-000004711.999.x12', '001-000004711.ta1.x12']);
    const ta1 = readFileSync(join(dir, 'enrollment-834.x12', '001-000004711.ta1.x12'), 'utf8');
    expect(ta1).toMatch(/^ISA\*00\*          \*00\*          \*ZZ\*EDIBRIDGEPLAN  \*ZZ\*ACMEEMPLOYER   \*/);
    expect(ta1).toContain('TA1*000004711*261101*0930*A*000~');
  });

  it('prints a machine-readable report with --json, without element values', async () => {
    // The sample with a bad gender code: the report names the element, never its value (nor
    // the subscriber number a 999's CTX would carry).
    const file = join(tmp(), 'bad-gender.x12');
    const text = readFileSync(join(SAMPLES, 'enrollment-834.x12'), 'latin1');
    expect(text).toContain('DMG*D8*19850214*F~');
    writeFileSync(file, text.replace('DMG*D8*19850214*F~', 'DMG*D8*19850214*QQ99ZZ~'), 'latin1');
    const r = await run('validate', '--json', file);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report.accepted).toBe(false);
    const set = report.interchanges[0].groups[0].sets[0];
    expect(set.status).toBe('R');
    expect(set.errors).toEqual([expect.objectContaining({ segmentId: 'DMG', loopId: '2100A', elements: expect.arrayContaining([expect.objectContaining({ position: 3, ref: '1068', valueLength: 6 })]) })]);
    expect(r.out).not.toContain('QQ99ZZ');
    expect(r.out).not.toContain('900000001');
  });

  it('answers garbage with a TA1 rejection, and an empty file too', async () => {
    const dir = tmp();
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, Buffer.from([0, 1, 2, 255, 254, 10, 13, 0x49, 0x53]));
    const empty = join(dir, 'empty.x12');
    writeFileSync(empty, '');
    const r = await run('validate', junk, empty, '--ack-dir', join(dir, 'acks'));
    expect(r.code).toBe(1);
    for (const name of ['junk.bin', 'empty.x12']) {
      const files = readdirSync(join(dir, 'acks', name));
      expect(files).toEqual(['001-000000000.ta1.x12']);
      expect(readFileSync(join(dir, 'acks', name, files[0] as string), 'utf8')).toMatch(/TA1\*000000000\*261123\*1000\*R\*02[23]~/);
    }
  });

  it('exits 2 for a missing file or a bad option, and says why', async () => {
    const missing = await run('validate', '/nonexistent/file.x12');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('cannot read /nonexistent/file.x12');
    expect((await run('validate', '--bogus', 'x')).code).toBe(2);
    expect((await run('validate')).code).toBe(2);
    expect((await run('frobnicate')).code).toBe(2);
  });

  it('rejects an interchange addressed to someone else when our receiver IDs are given (TA1 009)', async () => {
    const dir = tmp();
    const r = await run('validate', join(SAMPLES, 'premium-820.x12'), '--receiver-id', 'SOMEONEELSE', '--ack-dir', dir);
    expect(r.code).toBe(1);
    const ta1 = readFileSync(join(dir, 'premium-820.x12', '001-000004712.ta1.x12'), 'utf8');
    expect(ta1).toContain('*R*009~');
  });
});

describe.skipIf(!corpusDir)(corpusTitle('edibridge validate on the conformance corpus'), () => {
  const CORPUS = corpusDir ?? '';

  it('exits 1 for a rejected corpus file and writes its 999 under the ack dir, named by interchange', async () => {
    const dir = tmp();
    const file = join(CORPUS, 'LinuxForHealth__x12/enroll-employee-managed-care.834');
    const r = await run('validate', file, '--ack-dir', dir);
    expect(r.code).toBe(1);
    const files = readdirSync(join(dir, 'enroll-employee-managed-care.834'));
    expect(files).toEqual(['001-000010216.999.x12']);
    const ack = readFileSync(join(dir, 'enroll-employee-managed-care.834', files[0] as string), 'utf8');
    expect(ack).toContain('AK1*BE*20213*005010X220A1~');
    expect(ack).toContain('IK3*DTP*8*2000*8~');
    expect(ack).toContain('IK4*1*374*7*358~');
    expect(ack).toContain('AK9*R*1*1*0~');
  });

  it('prints a --json report for a rejected corpus file without element values', async () => {
    const r = await run('validate', '--json', join(CORPUS, 'azoner__pyx12/example834_5010.txt'));
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report.accepted).toBe(false);
    expect(JSON.stringify(report)).not.toContain('C   ');
    const set = report.interchanges[0].groups[0].sets[0];
    expect(set.status).toBe('R');
  });
});
