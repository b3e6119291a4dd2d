import { describe, expect, it } from 'vitest';
import { SegmentWriter, X12_SEPARATORS, capped, escapeValue, formatSegment } from '../../src/ack/writer.js';

const oneLine = { ...X12_SEPARATORS, suffix: '' };

describe('formatSegment', () => {
  it('joins elements and ends with terminator and suffix', () => {
    expect(formatSegment('AK2', ['834', '0001', '005010X220A1'])).toBe('AK2*834*0001*005010X220A1~\n');
    expect(formatSegment('IK5', ['A'], oneLine)).toBe('IK5*A~');
  });

  it('trims trailing empty elements but keeps empty ones in the middle', () => {
    expect(formatSegment('IK3', ['NM1', 12, undefined, '8'], oneLine)).toBe('IK3*NM1*12**8~');
    expect(formatSegment('IK4', [[3], undefined, '1', ''], oneLine)).toBe('IK4*3**1~');
    expect(formatSegment('IK5', ['A', undefined, ''], oneLine)).toBe('IK5*A~');
  });

  it('writes composites with the component separator and trims their trailing empties', () => {
    expect(formatSegment('IK4', [[5, 3, undefined], '1271', '7'], oneLine)).toBe('IK4*5:3*1271*7~');
    expect(formatSegment('IK4', [[5, undefined, 2], '1271', '7'], oneLine)).toBe('IK4*5::2*1271*7~');
    expect(formatSegment('CTX', [[undefined, undefined], 'X'], oneLine)).toBe('CTX**X~');
  });

  it('replaces delimiters and control characters inside values with spaces', () => {
    expect(escapeValue('A*B:C^D~E\r\nF')).toBe('A B C D E  F');
    expect(formatSegment('IK4', [[3], '1035', '6', 'DOE*JOHN~X'], oneLine)).toBe('IK4*3*1035*6*DOE JOHN X~');
    expect(formatSegment('CTX', [['NAME', 'a:b']], oneLine)).toBe('CTX*NAME:a b~');
  });

  it('escapes with the separators actually in use', () => {
    const sep = { element: '|', component: '>', repetition: '{', segment: '\'', suffix: '' };
    expect(formatSegment('IK4', [[3, 2], '', '6', 'a*b|c>d'], sep)).toBe("IK4|3>2||6|a*b c d'");
  });

  it('cuts capped values to their maximum after escaping', () => {
    expect(formatSegment('IK4', [[3], '', '5', capped('x'.repeat(120), 99)], oneLine)).toBe(`IK4*3**5*${'x'.repeat(99)}~`);
    expect(formatSegment('AK2', [capped('834*', 3)], oneLine)).toBe('AK2*834~');
    expect(formatSegment('AK2', [capped(undefined, 3), '1'], oneLine)).toBe('AK2**1~');
  });

  it('writes numbers, and nothing for a non-finite one', () => {
    expect(formatSegment('AK9', ['A', 0, 1, Number.NaN], oneLine)).toBe('AK9*A*0*1~');
  });
});

describe('SegmentWriter', () => {
  it('counts what it writes, raw segments included', () => {
    const w = new SegmentWriter(oneLine);
    w.addRaw('ISA*raw').add('ST', '999').add('SE', 2, '0001');
    expect(w.count).toBe(3);
    expect(w.toString()).toBe('ISA*raw~ST*999~SE*2*0001~');
  });
});
