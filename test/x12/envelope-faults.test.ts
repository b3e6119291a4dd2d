/**
 * Envelope faults and what they must not hide (005010X231A1: IK5 codes, TA1 TA104/TA105).
 *
 * - Every error of a set is reported in one round whatever its envelope fault: a set whose
 *   guide is known is checked against it, so a sender who fixes the envelope is not
 *   rejected a second time for content that was wrong all along.
 * - TA104 E ("accepted, errors noted") tells the sender not to send again: it is only given
 *   where everything sent was received and is answered by a 999; otherwise R.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { acknowledgementsFor } from '../../src/ack/acknowledgements.js';
import { checkAcknowledgement } from '../../src/ack/check.js';
import { memoryControlNumbers } from '../../src/ack/envelope.js';
import { validateBytes } from '../../src/x12/validate.js';

const BASE = readFileSync(fileURLToPath(new URL('../golden/cases/ok-834-accepted.x12', import.meta.url)), 'latin1');

/** The base 834 with a bad BGN03 date (IK4 8) and a bad INS03 code (IK4 7). */
const WITH_CONTENT_ERRORS = BASE.replace('BGN*00*ENR0001*20251231*', 'BGN*00*ENR0001*20251399*').replace('INS*Y*18*021*', 'INS*Y*18*ZZZ*');

function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`fixture does not contain ${from}`);
  return text.replace(from, to);
}

function answer(text: string): { kinds: string[]; ta1: string; ack999: string; report: ReturnType<typeof validateBytes> } {
  const report = validateBytes(new Uint8Array(Buffer.from(text, 'latin1')));
  const acks = acknowledgementsFor(report, { now: () => new Date('2026-01-02T03:04:00Z'), nextControlNumber: memoryControlNumbers(1) });
  for (const a of acks) expect(checkAcknowledgement(a.text, a.kind), a.text).toEqual([]);
  return {
    kinds: acks.map((a) => a.kind),
    ta1: acks.find((a) => a.kind === 'TA1')?.text ?? '',
    ack999: acks.find((a) => a.kind === '999')?.text ?? '',
    report,
  };
}

/** The content errors of WITH_CONTENT_ERRORS, as they appear in the 999. */
function expectContentErrors(ack999: string): void {
  expect(ack999).toMatch(/IK3\*BGN\*2\*\*8~\nIK4\*3\*373\*8\*20251399~/);
  expect(ack999).toMatch(/IK3\*INS\*5\*2000\*8~\n(CTX\*[^\n]*\n)?IK4\*3\*875\*7\*ZZZ~/);
}

describe('every error of a set is reported in one round, whatever its envelope fault', () => {
  it('the content errors alone (the baseline)', () => {
    const { ack999 } = answer(WITH_CONTENT_ERRORS);
    expectContentErrors(ack999);
    expect(ack999).toContain('IK5*R*5~');
  });

  it('ST02 too short ("1"): IK5 7, AK202 0001, and the BGN and INS errors (was: IK5*R*7 alone)', () => {
    const text = edit(edit(WITH_CONTENT_ERRORS, 'ST*834*0001*', 'ST*834*1*'), 'SE*12*0001~', 'SE*12*1~');
    const { ack999 } = answer(text);
    expect(ack999).toContain('AK2*834*0001*005010X220A1~');
    expectContentErrors(ack999);
    expect(ack999).toMatch(/IK5\*R\*7\*5~/);
  });

  it('a duplicate ST02 in the group: IK5 23 and the second set\'s content errors', () => {
    const body = WITH_CONTENT_ERRORS.slice(WITH_CONTENT_ERRORS.indexOf('ST*834'), WITH_CONTENT_ERRORS.indexOf('GE*'));
    const text = edit(BASE, 'GE*1*101~', `${body}GE*2*101~`);
    const { ack999 } = answer(text);
    const second = ack999.slice(ack999.lastIndexOf('AK2*'));
    expectContentErrors(second);
    expect(second).toMatch(/IK5\*R\*23\*5~/);
    expect(ack999).toContain('AK9*P*2*2*1~');
  });

  it('ST03 naming no known guide: IK5 19, checked against the group\'s version (GS08)', () => {
    const text = edit(WITH_CONTENT_ERRORS, 'ST*834*0001*005010X220A1~', 'ST*834*0001*005010X220~');
    const { ack999 } = answer(text);
    expect(ack999).toContain('AK2*834*0001*005010X220~');
    expectContentErrors(ack999);
    expect(ack999).toMatch(/IK5\*R\*19\*5~/);
  });

  it('SE missing: IK5 2 and the content errors', () => {
    const text = edit(WITH_CONTENT_ERRORS, 'SE*12*0001~\n', '');
    const { ack999 } = answer(text);
    expectContentErrors(ack999);
    expect(ack999).toMatch(/IK5\*R\*2\*5~/);
  });

  it('SE01 wrong and SE02 not ST02: IK5 4 and 3 and the content errors', () => {
    const text = edit(WITH_CONTENT_ERRORS, 'SE*12*0001~', 'SE*11*0002~');
    const { ack999 } = answer(text);
    expectContentErrors(ack999);
    expect(ack999).toMatch(/IK5\*R\*4\*3\*5~/);
  });

  it('a set id with no guide (an 820 in a BE group) is not supported: IK5 1, nothing to check it against', () => {
    const text = edit(edit(BASE, 'ST*834*0001*005010X220A1~', 'ST*820*0001*005010X218~'), 'BGN*00*', 'BGN*00*');
    const { ack999 } = answer(text);
    expect(ack999).toContain('AK2*820*0001*005010X218~\nIK5*R*1~');
    expect(ack999).not.toContain('IK3*');
  });

  it('a set outside any group: the interchange is rejected (TA1 R 022); no 999 can name it', () => {
    const text = BASE.replace(/^GS\*.*\n/m, '').replace(/^GE\*.*\n/m, '').replace('IEA*1*', 'IEA*0*');
    const { kinds, ta1 } = answer(text);
    expect(kinds).toEqual(['TA1']);
    expect(ta1).toContain('*R*022~');
  });
});

describe('TA104 E only where everything sent was received and answered by a 999', () => {
  const ta1Of = (text: string) => /TA1\*\d{9}\*\d{6}\*\d{4}\*([AER])\*(\d{3})~/.exec(answer(text).ta1)?.slice(1).join('/');

  it('021, IEA01 counts more groups than arrived: R, a group may be missing (was: E)', () => {
    expect(ta1Of(edit(BASE, 'IEA*1*', 'IEA*2*'))).toBe('R/021');
    expect(answer(edit(BASE, 'IEA*1*', 'IEA*2*')).kinds).toEqual(['TA1']);
  });

  it('021, IEA01 unreadable: R, nothing says all groups arrived', () => {
    expect(ta1Of(edit(BASE, 'IEA*1*', 'IEA*X*'))).toBe('R/021');
  });

  it('021, IEA01 counts fewer groups than arrived: E, and the 999 answers every group', () => {
    const { kinds } = answer(edit(BASE, 'IEA*1*', 'IEA*0*'));
    expect(ta1Of(edit(BASE, 'IEA*1*', 'IEA*0*'))).toBe('E/021');
    expect(kinds).toEqual(['TA1', '999']);
  });

  it('001, IEA02 differs from ISA13 with the group count right: E, everything arrived', () => {
    expect(ta1Of(edit(BASE, 'IEA*1*000000101', 'IEA*1*000000102'))).toBe('E/001');
  });

  it('024, a segment between SE and GE (perhaps a set whose ST was garbled): R (was: E)', () => {
    expect(ta1Of(edit(BASE, 'SE*12*0001~\n', 'SE*12*0001~\nBGN*00*ENR0002*20251231*1200****2~\n'))).toBe('R/024');
  });

  it('024, a garbled ST: its segments are outside any set, R', () => {
    const text = edit(BASE, 'ST*834*0001*005010X220A1~', 'XT*834*0001*005010X220A1~');
    expect(ta1Of(text)).toBe('R/024');
  });

  it('024, a GS that cannot be named in an AK1 (GS06 not numeric): R, its group would go unanswered (was: E)', () => {
    expect(ta1Of(edit(BASE, '*1200*101*X*', '*1200*A101*X*'))).toBe('R/024');
  });

  it('024, a GS with an invalid date that can still be named: E, its 999 answers every set', () => {
    const text = edit(BASE, '*20251231*1200*101*X*', '*20251399*1200*101*X*');
    expect(ta1Of(text)).toBe('E/024');
    expect(answer(text).kinds).toEqual(['TA1', '999']);
  });

  it('024, a segment over 1 MiB inside a set: E, the set is rejected by its 999 (SE01 no longer matches)', () => {
    const text = edit(BASE, 'N1*P5*ACME CORP*', `N1*P5*${'A'.repeat(1_100_000)}*`);
    const { report, ack999 } = answer(text);
    expect(report.interchanges[0]?.status).toBe('E');
    expect(ack999).toMatch(/IK5\*R\*4/);
  });
});
