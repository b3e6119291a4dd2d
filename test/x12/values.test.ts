import { describe, expect, it } from 'vitest';
import { checkDateTimePeriod, isValidDate, isValidTime } from '../../src/x12/validate/values.js';
import { packString } from '../../src/x12/tokenize/segment.js';

const b = (s: string) => Buffer.from(s, 'latin1');
const date = (s: string) => isValidDate(b(s), 0, s.length);
const time = (s: string) => isValidTime(b(s), 0, s.length);

describe('X12 dates and times', () => {
  it('accepts real calendar dates, CCYYMMDD and YYMMDD, leap days included', () => {
    for (const d of ['20240229', '20000229', '19991231', '20260101', '240229', '991231']) expect(date(d), d).toBe(true);
  });

  it('rejects impossible dates and malformed ones', () => {
    for (const d of ['20230229', '19000229', '21000229', '20261301', '20260431', '20260100', '2026010', '2026-1-1', 'ABCDEFGH', '']) {
      expect(date(d), d).toBe(false);
    }
  });

  it('accepts HHMM, HHMMSS and decimal seconds; rejects the rest', () => {
    for (const t of ['0000', '2359', '235959', '2359591', '23595912']) expect(time(t), t).toBe(true);
    for (const t of ['2400', '2360', '235960', '12', '12345', '1234a6', '235959123']) expect(time(t), t).toBe(false);
  });

  it('checks a date-time period against its format qualifier', () => {
    const period = (fmt: string, v: string) => checkDateTimePeriod(packString(fmt), b(v), 0, v.length);
    expect(period('D8', '20260101')).toBe(true);
    expect(period('D8', '20261301')).toBe(false);
    expect(period('RD8', '20260101-20261231')).toBe(true);
    expect(period('RD8', '20261231-20260101')).toBe(false);
    expect(period('RD8', '20260101')).toBe(false);
    expect(period('DT', '202601011230')).toBe(true);
    expect(period('DT', '202601012430')).toBe(false);
  });
});
