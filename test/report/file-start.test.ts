import { describe, expect, it } from 'vitest';
import { describeFileStart } from '../../src/report/file-start.js';

const d = (s: string | number[]): string => describeFileStart(typeof s === 'string' ? Buffer.from(s, 'latin1') : Uint8Array.from(s)).description;

describe('describeFileStart', () => {
  it('names an X12 segment without its envelope', () => {
    expect(d('ST*834*0001~')).toBe('the file starts with an ST segment: an envelope (ISA) is missing');
    expect(d('GS*BE*A*B~')).toBe('the file starts with an GS segment: an envelope (ISA) is missing');
    expect(d('\uFEFF  \r\nINS*Y*18~'.replace('\uFEFF', '\xef\xbb\xbf'))).toBe('the file starts with an INS segment: the envelopes (ISA, GS, ST) are missing');
  });

  it('never shows text from the file', () => {
    // DOE*JOHN is shaped like a segment, but DOE is no X12 segment ID: it may be a name.
    expect(d('DOE*JOHN*123456789~')).toBe('the file starts with text shaped like an X12 segment with an ID no guide knows (3 characters, not shown)');
    expect(d('John Doe, 123-45-6789')).toBe('the file starts with text that is not X12 (not shown)');
    expect(d('{"ssn":"123456789"}')).toBe('the file starts with text that looks like JSON, not X12 (not shown)');
    for (const s of ['DOE', 'JOHN', '123']) expect(d('DOE*JOHN*123456789~')).not.toContain(s);
  });

  it('names known file types by signature and other bytes as hex', () => {
    expect(d([0x50, 0x4b, 0x03, 0x04, 1, 2])).toBe('the file starts with a ZIP archive, not X12');
    expect(d('%PDF-1.7')).toBe('the file starts with a PDF document, not X12');
    expect(d([0x1f, 0x8b, 8, 0])).toBe('the file starts with gzip-compressed data, not X12');
    expect(d([0, 1, 2, 255, 254])).toBe('the file starts with bytes that are not text (0x00 0x01 0x02 0xFF)');
  });

  it('tells an empty file from one of white space', () => {
    expect(describeFileStart(new Uint8Array(0))).toEqual({ kind: 'empty', segmentId: null, description: 'the file is empty' });
    expect(d(' \r\n\t')).toBe('the file holds only white space');
  });
});
