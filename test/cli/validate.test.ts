import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';

const SAMPLES = join(import.meta.dirname, '../../samples');
const CORPUS = join(import.meta.dirname, '../../../shared/corpus');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), now: () => new Date('2026-11-23T10:00:00Z'), env: {} };
  const code = await main(argv, io);
  return { code, out, err };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'edibridge-cli-'));

describe('edibridge validate', () => {
  it('exits 0 and reports every set accepted for the samples', async () => {
    const r = await run('validate', join(SAMPLES, 'enrollment-834.x12'), join(SAMPLES, 'premium-820.x12'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/samples\/enrollment-834\.x12 .*ACCEPTED/);
    expect(r.out).toMatch(/1 of 1 set accepted/);
  });

  it('exits 1 for a rejected file and writes its 999 under the ack dir, named by interchange', async () => {
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
    const r = await run('validate', '--json', join(CORPUS, 'azoner__pyx12/example834_5010.txt'));
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report.accepted).toBe(false);
    expect(JSON.stringify(report)).not.toContain('C   ');
    const set = report.interchanges[0].groups[0].sets[0];
    expect(set.status).toBe('R');
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
