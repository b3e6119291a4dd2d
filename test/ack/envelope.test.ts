import { describe, expect, it } from 'vitest';
import {
  ccyymmdd,
  closeGroup,
  closeInterchange,
  hhmm,
  memoryControlNumbers,
  openGroup,
  openInterchange,
  yymmdd,
} from '../../src/ack/envelope.js';
import type { InterchangeResult } from '../../src/x12/report.js';
import { interchangeResult } from '../support/results.js';

const received = (over: Partial<InterchangeResult> = {}): InterchangeResult =>
  interchangeResult({ receiverQualifier: '30', receiver: '987654321', usage: 'T', ackRequested: false, sendTa1: false, ...over });

const at = new Date(Date.UTC(2026, 8, 28, 7, 5, 0));

describe('outbound envelope', () => {
  it('answers as the receiver with fixed-width ISA fields', () => {
    const ix = openInterchange(received(), { now: () => at, nextControlNumber: () => 42, suffix: '' });
    const text = closeInterchange(ix);
    const isa = text.slice(0, text.indexOf('~'));
    expect(isa).toBe('ISA*00*          *00*          *30*987654321      *ZZ*ACMEHEALTH     *260928*0705*^*00501*000000042*0*T*:');
    expect(isa.length).toBe(105); // 106 with the terminator
    expect(text.slice(isa.length)).toBe('~IEA*0*000000042~');
  });

  it('answers an unusable sender (blank qualifier, over-long ID with delimiters) as ZZ/UNKNOWN, keeping the ISA valid', () => {
    const ix = openInterchange(received({ sender: 'A*VERY:LONG^SENDER~ID', senderQualifier: '', usage: '?' }), {
      now: () => at,
      nextControlNumber: () => 1,
      suffix: '',
    });
    const isa = closeInterchange(ix).split('~')[0] ?? '';
    const fields = isa.split('*');
    expect(fields[7]).toBe('ZZ');
    expect(fields[8]).toBe('UNKNOWN        ');
    expect(fields[15]).toBe('P');
    expect(isa.length).toBe(105);
  });

  it('uses our own ID where the received receiver ID cannot be echoed', () => {
    const ix = openInterchange(received({ receiver: 'R\u00c9CEIVER', receiverQualifier: 'ZZ' }), {
      now: () => at,
      nextControlNumber: () => 1,
      suffix: '',
      ourId: { qualifier: '30', id: '987654321' },
    });
    const fields = (closeInterchange(ix).split('~')[0] ?? '').split('*');
    expect([fields[5], fields[6]]).toEqual(['30', '987654321      ']);
  });

  it('writes GS/GE with CCYYMMDD and its own control number', () => {
    let n = 7;
    const ix = openInterchange(received(), { now: () => at, nextControlNumber: () => n++, suffix: '' });
    const g = openGroup(ix, 'FA', 'US', 'THEM', '005010X231A1');
    g.sets = 1;
    closeGroup(ix, g);
    const segments = closeInterchange(ix).split('~');
    expect(segments[1]).toBe('GS*FA*US*THEM*20260928*0705*8*X*005010X231A1');
    expect(segments[2]).toBe('GE*1*8');
    expect(segments[3]).toBe('IEA*1*000000007');
  });

  it('refuses a control number that does not fit ISA13', () => {
    for (const bad of [0, -1, 1_000_000_000, 1.5, Number.NaN]) {
      expect(() => openInterchange(received(), { now: () => at, nextControlNumber: () => bad })).toThrow(RangeError);
    }
  });

  it('formats dates in UTC', () => {
    const d = new Date(Date.UTC(2031, 0, 2, 23, 59));
    expect([yymmdd(d), ccyymmdd(d), hhmm(d)]).toEqual(['310102', '20310102', '2359']);
  });
});

describe('memoryControlNumbers', () => {
  it('counts up and wraps after nine digits', () => {
    const next = memoryControlNumbers(999_999_998);
    expect([next(), next(), next()]).toEqual([999_999_998, 999_999_999, 1]);
    const fresh = memoryControlNumbers();
    expect([fresh(), fresh()]).toEqual([1, 2]);
  });
});
