import { describe, expect, it } from 'vitest';
import { build999 } from '../../src/ack/ack999.js';
import { memoryControlNumbers, type AckContext } from '../../src/ack/envelope.js';
import type { GroupResult, InterchangeResult } from '../../src/x12/report.js';
import { groupResult, interchangeResult, setResult } from '../support/results.js';

const set = setResult;

const group = (over: Partial<GroupResult> = {}): GroupResult => groupResult({ sets: [set('0001')], ...over });

/** One group of three sets: accepted, rejected (IK3 + CTX + IK4s), accepted with errors (CTX trigger). */
const threeSets: GroupResult = group({
  status: 'P',
  declaredSets: 3,
  sets: [
    set('0001'),
    set('0002', {
      status: 'R',
      codes: ['5'],
      errors: [
        {
          segmentId: 'NM1',
          position: 12,
          loopId: '2100A',
          code: '8',
          businessUnit: { name: 'SUBSCRIBER NUMBER REF02', value: '123456789' },
          elements: [{ position: 3, ref: '1035', code: '6', value: 'DOE*SMITH', name: 'Member Last Name' }],
          name: 'Member Name',
          fileOffset: 3456,
        },
        {
          segmentId: 'DMG',
          position: 14,
          loopId: '2100A',
          code: '8',
          elements: [{ position: 5, component: 3, ref: '1271', code: '7', value: 'ZZ' }],
          fileOffset: 3520,
        },
      ],
    }),
    set('0003', {
      status: 'E',
      codes: ['I5'],
      errors: [
        {
          segmentId: 'DTP',
          position: 20,
          loopId: '2300',
          code: 'I6',
          elements: [],
          trigger: { segmentId: 'INS', position: 10, loopId: '2000', element: 3, ref: '875' },
          fileOffset: 4100,
        },
      ],
    }),
  ],
});

const interchange = (groups: GroupResult[], over: Partial<InterchangeResult> = {}): InterchangeResult =>
  interchangeResult({ sender: 'ACMEHEALTH', receiver: 'EDIBRIDGE', ackRequested: false, sendTa1: false, groups, ...over });

function ctx(start = 1000): AckContext {
  return { now: () => new Date('2026-09-28T12:00:00Z'), nextControlNumber: memoryControlNumbers(start) };
}

/** Reads back every ST…SE and checks SE01 against the segments actually there, and GE01/IEA01 too. */
function checkCounts(x12: string): void {
  const segs = x12.split('~\n').filter((s) => s !== '');
  let st = -1;
  let sets = 0;
  let groups = 0;
  for (const [i, s] of segs.entries()) {
    const [id, e1, e2] = s.split('*');
    if (id === 'ST') st = i;
    if (id === 'SE') {
      expect(Number(e1), `SE01 of set ${e2}`).toBe(i - st + 1);
      sets += 1;
    }
    if (id === 'GE') {
      expect(Number(e1)).toBe(sets);
      sets = 0;
      groups += 1;
    }
    if (id === 'IEA') expect(Number(e1)).toBe(groups);
  }
}

describe('build999', () => {
  it('writes one group of three sets with one rejected: IK3, IK4 with component, CTX, AK9*P*3*3*2', () => {
    const x12 = build999(interchange([threeSets]), ctx());
    expect(x12).toBe(
      [
        'ISA*00*          *00*          *ZZ*EDIBRIDGE      *ZZ*ACMEHEALTH     *260928*1200*^*00501*000001000*0*P*:',
        'GS*FA*EDIBRIDGE*ACMEHEALTH*20260928*1200*1001*X*005010X231A1',
        'ST*999*0001*005010X231A1',
        'AK1*BE*42*005010X220A1',
        'AK2*834*0001*005010X220A1',
        'IK5*A',
        'AK2*834*0002*005010X220A1',
        'IK3*NM1*12*2100*8',
        'CTX*SUBSCRIBER NUMBER REF02:123456789',
        'IK4*3*1035*6*DOE SMITH',
        'IK3*DMG*14*2100*8',
        'IK4*5:3*1271*7*ZZ',
        'IK5*R*5',
        'AK2*834*0003*005010X220A1',
        'IK3*DTP*20*2300*I6',
        'CTX*SITUATIONAL TRIGGER*INS*10*2000*3*875',
        'IK5*E*I5',
        'AK9*P*3*3*2',
        'SE*17*0001',
        'GE*1*1001',
        'IEA*1*000001000',
      ]
        .map((s) => `${s}~\n`)
        .join(''),
    );
    checkCounts(x12 ?? '');
  });

  it('writes a business-unit CTX before a trigger CTX, both before the IK4s', () => {
    const g = group({
      status: 'R',
      sets: [
        set('0001', {
          status: 'R',
          codes: ['I5'],
          errors: [
            {
              segmentId: 'REF',
              position: 9,
              loopId: '2000',
              code: '8',
              businessUnit: { name: 'SUBSCRIBER NUMBER REF02', value: 'S1' },
              trigger: { segmentId: 'INS', position: 4, element: 5, component: 1 },
              elements: [{ position: 2, repetition: 2, code: 'I9' }],
              fileOffset: 1,
            },
          ],
        }),
      ],
    });
    const lines = (build999(interchange([g]), ctx()) ?? '').split('~\n');
    const at = lines.indexOf('IK3*REF*9*2000*8');
    expect(lines.slice(at, at + 5)).toEqual([
      'IK3*REF*9*2000*8',
      'CTX*SUBSCRIBER NUMBER REF02:S1',
      'CTX*SITUATIONAL TRIGGER*INS*4**5:1', // trailing empty CTX06 omitted, empty CTX04 kept
      'IK4*2::2**I9',
      'IK5*R*I5',
    ]);
    expect(lines).toContain('AK9*R*1*1*0');
  });

  it('puts every acknowledged group in one interchange and skips groups that are acknowledgements', () => {
    const second = group({ functionalId: 'RA', control: '43', version: '005010X218', sets: [set('0001', { id: '820', convention: '005010X218' })] });
    const ack = group({ functionalId: 'FA', control: '44', acknowledge: false });
    const x12 = build999(interchange([threeSets, ack, second]), ctx(5)) ?? '';
    const segs = x12.split('~\n');
    expect(segs.filter((s) => s.startsWith('GS*'))).toEqual([
      'GS*FA*EDIBRIDGE*ACMEHEALTH*20260928*1200*6*X*005010X231A1',
      'GS*FA*EDIBRIDGE*ACMEHEALTH*20260928*1200*7*X*005010X231A1',
    ]);
    expect(segs.filter((s) => s.startsWith('AK1*'))).toEqual(['AK1*BE*42*005010X220A1', 'AK1*RA*43*005010X218']);
    expect(segs).toContain('IEA*2*000000005');
    checkCounts(x12);
  });

  it('returns null for a rejected interchange and when no group wants a 999', () => {
    expect(build999(interchange([threeSets], { status: 'R', note: '022' }), ctx())).toBeNull();
    expect(build999(interchange([group({ acknowledge: false })]), ctx())).toBeNull();
    expect(build999(interchange([]), ctx())).toBeNull();
  });

  it('answers an interchange accepted with errors', () => {
    expect(build999(interchange([group()], { status: 'E', note: '006' }), ctx())).not.toBeNull();
  });

  it('uses the received count for AK902 when GE01 is unknown, and keeps five codes at most', () => {
    const g = group({
      status: 'R',
      declaredSets: Number.NaN,
      codes: ['3', '4', '5', '6', '19', '1'],
      sets: [set('0001', { status: 'R', codes: ['1', '2', '3', '4', '5', '6', '7'] }), set('0002')],
    });
    const segs = (build999(interchange([g]), ctx()) ?? '').split('~\n');
    // A rejected group accepts none of its sets (AK904 0), however they fared alone.
    expect(segs).toContain('AK9*R*2*2*0*3*4*5*6*19');
    expect(segs).toContain('IK5*R*1*2*3*4*5');
  });

  it('adds IK502 = 5 to a set rejected with segment errors but no code', () => {
    const g = group({
      status: 'R',
      sets: [set('0001', { status: 'R', errors: [{ segmentId: 'INS', position: 3, code: '7', elements: [], fileOffset: 0 }] })],
    });
    const segs = (build999(interchange([g]), ctx()) ?? '').split('~\n');
    expect(segs).toContain('IK3*INS*3**7');
    expect(segs).toContain('IK5*R*5');
  });

  it('cuts IK404 to 99 characters and escapes delimiters in copied data', () => {
    const long = `${'A'.repeat(95)}*B~C:D^E`;
    const g = group({
      status: 'R',
      sets: [
        set('0001', {
          status: 'R',
          codes: ['5'],
          errors: [{ segmentId: 'N3', position: 15, loopId: '2100A', code: '8', elements: [{ position: 1, ref: '166', code: '5', value: long }], fileOffset: 0 }],
        }),
      ],
    });
    const segs = (build999(interchange([g]), ctx()) ?? '').split('~\n');
    const ik4 = segs.find((s) => s.startsWith('IK4*')) ?? '';
    expect(ik4).toBe(`IK4*1*166*5*${'A'.repeat(95)} B C`);
    expect(ik4.split('*')[4]?.length).toBe(99);
  });

  it('counts SE01 right for a group with no sets', () => {
    const x12 = build999(interchange([group({ sets: [], declaredSets: 0 })]), { ...ctx(), suffix: '\n' }) ?? '';
    expect(x12).toContain('ST*999*0001*005010X231A1~\nAK1*BE*42*005010X220A1~\nAK9*A*0*0*0~\nSE*4*0001~\n');
    checkCounts(x12);
  });
});
