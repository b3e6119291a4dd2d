import { describe, expect, it } from 'vitest';
import { memoryControlNumbers } from '../../src/ack/envelope.js';
import { buildTa1 } from '../../src/ack/ta1.js';
import type { InterchangeResult } from '../../src/x12/report.js';
import { interchangeResult } from '../support/results.js';

const interchange = (over: Partial<InterchangeResult> = {}): InterchangeResult =>
  interchangeResult({ sender: 'ACMEHEALTH', receiver: 'EDIBRIDGE', ...over });

const ctx = () => ({ now: () => new Date('2026-09-28T12:00:00Z'), nextControlNumber: memoryControlNumbers(1) });

describe('buildTa1', () => {
  it('acknowledges an accepted interchange (A/000) in an interchange of its own', () => {
    expect(buildTa1(interchange(), ctx())).toBe(
      'ISA*00*          *00*          *ZZ*EDIBRIDGE      *ZZ*ACMEHEALTH     *260928*1200*^*00501*000000001*0*P*:~\n' +
        'TA1*000000905*260927*0815*A*000~\n' +
        'IEA*0*000000001~\n',
    );
  });

  it('rejects a broken control structure (R/022), echoing a test ISA15', () => {
    const text = buildTa1(interchange({ status: 'R', note: '022', usage: 'T', otherNotes: ['021'] }), {
      ...ctx(),
      nextControlNumber: memoryControlNumbers(31),
      suffix: '',
    });
    expect(text).toBe(
      'ISA*00*          *00*          *ZZ*EDIBRIDGE      *ZZ*ACMEHEALTH     *260928*1200*^*00501*000000031*0*T*:~' +
        'TA1*000000905*260927*0815*R*022~' +
        'IEA*0*000000031~',
    );
  });

  it('never echoes a malformed received control number or date: zeros and our receipt date instead', () => {
    const text = buildTa1(interchange({ control: '12*345678901', date: '2609~27', status: 'R', note: '018' }), ctx());
    expect(text.split('\n')[1]).toBe('TA1*000000000*260928*0815*R*018~');
  });
});
