/**
 * `edibridge validate` on acknowledgements received (a partner's TA1 or 999) and on files with
 * no interchange: what the report says and the exit code.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { useTempDirs } from '../support/tmp.js';

const GOLDEN = join(import.meta.dirname, '../golden/cases');
const FIXTURES = join(import.meta.dirname, '../report/fixtures');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), now: () => new Date('2026-11-23T10:00:00Z'), env: {} };
  const code = await main(argv, io);
  return { code, out, err };
}

const tempDir = useTempDirs();

describe('edibridge validate, acknowledgements received', () => {
  it('exits 0 for a partner\'s 999 and says which group of ours it answers, with its verdicts', async () => {
    const r = await run('validate', join(GOLDEN, 'no-ack-inbound-999.x12'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('ACKNOWLEDGEMENT RECEIVED');
    expect(r.out).toContain('answers our group BE 7 (AK101 GS01, AK102 GS06), version 005010X220A1 (AK103 GS08)');
    expect(r.out).toContain('group verdict (AK9): accepted (AK901 A)');
    expect(r.out).toContain('set 834 0001 (005010X220A1): accepted (IK501 A)');
  });

  it('exits 0 for a partner\'s TA1 rejecting our interchange: the file is not a rejection of anything', async () => {
    const r = await run('validate', join(FIXTURES, 'partner-ta1-rejected.x12'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('answers our interchange 000000456 (TA101)');
    expect(r.out).toContain('rejected (TA104 R), note 022 Invalid control structure');
  });

  it('sends nothing back for either (no TA1, no 999 built)', async () => {
    const r = await run('validate', '--json', join(GOLDEN, 'no-ack-inbound-ta1.x12'), join(FIXTURES, 'partner-999-partial.x12'));
    expect(r.code).toBe(0);
    const reports = JSON.parse(r.out) as Array<{ acknowledgements: unknown[]; acknowledgementReceived: boolean }>;
    expect(reports.map((x) => [x.acknowledgementReceived, x.acknowledgements])).toEqual([[true, []], [true, []]]);
  });

  it('reports the acknowledgements in --json', async () => {
    const r = await run('validate', '--json', join(GOLDEN, 'no-ack-inbound-ta1.x12'));
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.format).toBe('edibridge.validation-report/2');
    expect(report.acknowledgementReceived).toBe(true);
    expect(report.acknowledgementsReceived).toEqual([expect.objectContaining({ kind: 'TA1', answersControl: '000000001', status: 'A', note: { code: '000', description: 'No error' } })]);
    expect(report.acknowledgements).toEqual([]);
  });
});

describe('edibridge validate, a file with no interchange', () => {
  it('says what the file starts with instead of a blank interchange', async () => {
    const dir = tempDir('no-isa');
    const stOnly = join(dir, 'st-only.x12');
    writeFileSync(stOnly, 'ST*834*0001*005010X220A1~NM1*IL*1*DOE*JOHN~SE*3*0001~');
    const empty = join(dir, 'empty.x12');
    writeFileSync(empty, '');
    const zip = join(dir, 'file.zip');
    writeFileSync(zip, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]));
    const r = await run('validate', stOnly, empty, zip);
    expect(r.code).toBe(1);
    expect(r.out).toContain('no interchange (ISA) found: the file starts with an ST segment: an envelope (ISA) is missing');
    expect(r.out).toContain('no interchange (ISA) found: the file is empty');
    expect(r.out).toContain('no interchange (ISA) found: the file starts with a ZIP archive, not X12');
    expect(r.out).not.toContain('Interchange 000000000');
    expect(r.out).not.toContain('DOE');
  });
});
