/**
 * The strict check every acknowledgement passes before it is written (src/ack/check.ts):
 * a 999 against 005010X231A1 with our own validator, a TA1 by its envelope and fields.
 * Every acknowledgement the fixtures produce (samples, golden cases, and the fuzz seeds,
 * which add the conformance corpus when EDIBRIDGE_CORPUS_DIR is set) must pass it.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagramLoopId } from '../../src/ack/ack999.js';
import { acknowledgementsFor, writeAcknowledgements, type Acknowledgement } from '../../src/ack/acknowledgements.js';
import { checkAcknowledgement } from '../../src/ack/check.js';
import { memoryControlNumbers } from '../../src/ack/envelope.js';
import { EdiBridgeError } from '../../src/core/errors.js';
import { echoSetControl, echoValue } from '../../src/x12/envelope/echo.js';
import { validateBytes } from '../../src/x12/validate.js';
import { loadSeeds } from '../fuzz/corpus.js';

const ctx = () => ({ now: () => new Date('2026-01-02T03:04:00Z'), nextControlNumber: memoryControlNumbers(1) });

const ISA = 'ISA*00*          *00*          *ZZ*HEALTHPLAN     *ZZ*ACMEBENEFITS   *260102*0304*^*00501*000000001*0*P*:~\n';
const TA1 = `${ISA}TA1*000000101*251231*1200*E*021~\nIEA*0*000000001~\n`;
const ACK999 =
  `${ISA}GS*FA*HEALTHPLAN*ACMEBENEFITS*20260102*0304*2*X*005010X231A1~\nST*999*0001*005010X231A1~\nAK1*BE*101*005010X220A1~\n` +
  'AK2*834*0001*005010X220A1~\nIK3*NM1*8*2100*8~\nIK4*2*1065*7*9~\nIK5*R*5~\nAK9*R*1*1*0~\nSE*8*0001~\nGE*1*2~\nIEA*1*000000001~\n';

describe('checkAcknowledgement', () => {
  it('passes a valid TA1 and a valid 999', () => {
    expect(checkAcknowledgement(TA1, 'TA1')).toEqual([]);
    expect(checkAcknowledgement(ACK999, '999')).toEqual([]);
  });

  it('finds IK303 "2100A": element 447 is AN 1/4', () => {
    expect(checkAcknowledgement(ACK999.replace('IK3*NM1*8*2100*8', 'IK3*NM1*8*2100A*8'), '999')).toEqual(['IK3 at 4 (loop 2100): element 3 IK403 5']);
  });

  it('finds an AK202 too short, an AK201 outside the code list and a trailing space in AK103', () => {
    expect(checkAcknowledgement(ACK999.replace('AK2*834*0001*', 'AK2*834*1*'), '999')).toEqual(['AK2 at 3 (loop 2000): element 2 IK403 4']);
    expect(checkAcknowledgement(ACK999.replace('AK2*834*', 'AK2*934*'), '999')).toHaveLength(1);
    expect(checkAcknowledgement(ACK999.replace('AK1*BE*101*005010X220A1~', 'AK1*BE*101*005010X220A1 ~'), '999')).not.toEqual([]);
  });

  it('finds each bad TA1 field', () => {
    expect(checkAcknowledgement(TA1.replace('TA1*000000101*', 'TA1*101*'), 'TA1')).toEqual(['TA101 is not nine digits']);
    expect(checkAcknowledgement(TA1.replace('*251231*', '*251331*'), 'TA1')).toEqual(['TA102 is not a YYMMDD date']);
    expect(checkAcknowledgement(TA1.replace('*1200*', '*2460*'), 'TA1')).toEqual(['TA103 is not an HHMM time']);
    expect(checkAcknowledgement(TA1.replace('*E*021', '*X*021'), 'TA1')).toEqual(['TA104 is not A, E or R']);
    expect(checkAcknowledgement(TA1.replace('*E*021', '*E*21'), 'TA1')).toEqual(['TA105 is not three digits']);
    expect(checkAcknowledgement(TA1.replace('TA1*', 'TA2*'), 'TA1')).toContain('0 TA1 segments, not one');
  });

  it('finds a bad envelope (IEA02 not ISA13)', () => {
    expect(checkAcknowledgement(TA1.replace('IEA*0*000000001', 'IEA*0*000000002'), 'TA1')).toEqual(['interchange: TA105 001']);
  });
});

describe('writeAcknowledgements', () => {
  it('writes nothing and throws a typed error when one acknowledgement is invalid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edibridge-ack-'));
    const acks: Acknowledgement[] = [
      { name: '001-000000101.ta1.x12', kind: 'TA1', text: TA1 },
      { name: '001-000000101.999.x12', kind: '999', text: ACK999.replace('*2100*', '*2100A*') },
    ];
    const err = await writeAcknowledgements(dir, 'in.x12', acks).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EdiBridgeError);
    expect((err as EdiBridgeError).code).toBe('INTERNAL');
    expect((err as EdiBridgeError).context).toMatchObject({ file: 'in.x12', acknowledgement: '001-000000101.999.x12', kind: '999', faults: 1 });
    expect(existsSync(join(dir, 'in.x12'))).toBe(false);
  });

  it('writes valid ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edibridge-ack-'));
    const paths = await writeAcknowledgements(dir, 'in.x12', [{ name: 'a.ta1.x12', kind: 'TA1', text: TA1 }]);
    expect(paths).toHaveLength(1);
    expect(readdirSync(join(dir, 'in.x12'))).toEqual(['a.ta1.x12']);
  });
});

describe('values AK1/AK2 echo, and IK303', () => {
  it('IK303 is the diagram loop id: the guide\'s letter suffix dropped', () => {
    expect(['2100A', '1000A', '2010BA', '2000', '2300', '2310A'].map(diagramLoopId)).toEqual(['2100', '1000', '2010', '2000', '2300', '2310']);
    expect(diagramLoopId('')).toBeUndefined();
    expect(diagramLoopId('ABCDEFG')).toBeUndefined();
  });

  it('an echoed value keeps no delimiter, no byte outside printable ASCII and no trailing space', () => {
    expect(echoValue('005010:')).toBe('005010');
    expect(echoValue('005010X220A1 ')).toBe('005010X220A1');
    expect(echoValue('0050>10', '*>^~')).toBe('005010');
    expect(echoValue('BE\xe9')).toBe('BE');
  });

  it('a short ST02 is padded with zeros to AN 4/9, a long one cut to nine', () => {
    expect(['1', '01', '0', '', '0001', 'A1', '1234567890'].map((v) => echoSetControl(v))).toEqual(['0001', '0001', '0000', '0000', '0001', '00A1', '123456789']);
  });
});

describe('every acknowledgement the fixtures produce passes the strict check', () => {
  const seeds = loadSeeds();
  it(`${seeds.length} fixture files (samples, golden cases, corpus when set)`, () => {
    const failures: string[] = [];
    let checked = 0;
    for (const seed of seeds) {
      const report = validateBytes(seed.bytes, { name: seed.name });
      for (const a of acknowledgementsFor(report, ctx())) {
        checked++;
        const faults = checkAcknowledgement(a.text, a.kind);
        if (faults.length > 0) failures.push(`${seed.name} ${a.name}: ${faults.join('; ')}`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(seeds.length);
  });
});
