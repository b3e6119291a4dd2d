import { describe, expect, it } from 'vitest';
import { Tokenizer, type TokenProblem } from '../../src/x12/tokenize/tokenizer.js';

const ISA = 'ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*1200*^*00501*000000001*0*P*:~';

interface Seen { id: string; elements: string[]; offset: number; ordinal: number }

function tokenize(input: string | Uint8Array, chunkSize = Number.POSITIVE_INFINITY): { segments: Seen[]; problems: TokenProblem[] } {
  const segments: Seen[] = [];
  const problems: TokenProblem[] = [];
  const t = new Tokenizer({
    segment(seg) {
      const elements: string[] = [];
      for (let i = 1; i <= seg.count; i++) elements.push(seg.element(i));
      segments.push({ id: seg.id, elements, offset: seg.fileOffset, ordinal: seg.ordinal });
    },
    problem: (p) => problems.push(p),
  });
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  for (let i = 0; i < bytes.length; i += Math.min(chunkSize, bytes.length)) t.push(bytes.subarray(i, Math.min(bytes.length, i + chunkSize)));
  t.end();
  return { segments, problems };
}

describe('tokenizer', () => {
  it('reads the delimiters from the ISA: element, component, repetition and terminator', () => {
    const isa = 'ISA|00|          |00|          |ZZ|SENDER         |ZZ|RECEIVER       |260101|1200|}|00501|000000001|0|P|>!';
    const { segments, problems } = tokenize(`${isa}GS|BE|A|B|20260101|1200|1|X|005010X220A1!ST|834|0001!`);
    expect(problems).toEqual([]);
    expect(segments.map((s) => s.id)).toEqual(['ISA', 'GS', 'ST']);
    expect(segments[0]?.elements).toHaveLength(16);
    expect(segments[0]?.elements[15]).toBe('>');
    expect(segments[1]?.elements).toEqual(['BE', 'A', 'B', '20260101', '1200', '1', 'X', '005010X220A1']);
  });

  it('gives each interchange in a file its own delimiters', () => {
    const second = 'ISA|00|          |00|          |ZZ|SENDER         |ZZ|RECEIVER       |260101|1200|^|00501|000000002|0|P|:\n';
    const { segments } = tokenize(`${ISA}IEA*0*000000001~${second}IEA|0|000000002\n`);
    expect(segments.map((s) => [s.id, s.elements.length])).toEqual([['ISA', 16], ['IEA', 2], ['ISA', 16], ['IEA', 2]]);
  });

  it('accepts a byte-order mark, CR/LF after terminators, and a newline as the terminator', () => {
    const crlf = tokenize(`\ufeff${ISA}\r\nGS*BE~\r\nIEA*1*000000001~\r\n`.replace('\ufeff', '\xef\xbb\xbf'));
    expect(crlf.segments.map((s) => s.id)).toEqual(['ISA', 'GS', 'IEA']);
    expect(crlf.problems).toEqual([]);
    const nl = tokenize(`${ISA.slice(0, -1)}\r\nGS*BE*X\r\nIEA*1*000000001\r\n`);
    expect(nl.segments.map((s) => s.elements.at(-1))).toEqual([':', 'X', '000000001']);
  });

  it('gives the same segments whatever the chunking, with file offsets and ordinals', () => {
    const text = `${ISA}\nGS*BE*A*B~\nST*834*0001~\nBGN*00*REF~\nSE*3*0001~\nGE*1*1~\nIEA*1*000000001~\n`;
    const whole = tokenize(text);
    for (const size of [1, 2, 3, 7, 64, 105, 106, 107]) expect(tokenize(text, size)).toEqual(whole);
    expect(whole.segments[1]).toMatchObject({ id: 'GS', offset: ISA.length + 1, ordinal: 2 });
  });

  it('reports bytes that are not X12 and an unterminated last segment', () => {
    const { segments, problems } = tokenize(`hello${ISA}GS*BE`);
    expect(segments.map((s) => s.id)).toEqual(['ISA']);
    expect(problems).toEqual([
      { kind: 'stray-bytes', fileOffset: 0, length: 5 },
      { kind: 'unterminated-segment', fileOffset: 5 + ISA.length, length: 5 },
    ]);
  });

  it('reports an ISA whose separators are unusable instead of guessing', () => {
    const bad = ISA.replace(/\*/g, ' ');
    expect(tokenize(bad).problems[0]).toMatchObject({ kind: 'unreadable-isa', reason: 'element-separator' });
    const badTerm = `${ISA.slice(0, -1)}Z`;
    expect(tokenize(badTerm).problems[0]).toMatchObject({ kind: 'unreadable-isa', reason: 'segment-terminator' });
  });

  it('finds the separators of an ISA whose fields are trimmed', () => {
    const trimmed = 'ISA*00**00**ZZ*SENDER*ZZ*RECEIVER*260101*1200*^*00501*000000001*0*P*:~IEA*0*000000001~';
    const { segments } = tokenize(trimmed);
    expect(segments.map((s) => s.id)).toEqual(['ISA', 'IEA']);
  });

  it('skips byte-order marks and white space in any order before an interchange', () => {
    const bom = '\xef\xbb\xbf';
    const text = `${bom}\r\n${bom}${ISA}IEA*0*000000001~\n${bom}\n${ISA}IEA*0*000000001~`;
    for (const size of [1, 2, 3, 5, 1000]) {
      const { segments, problems } = tokenize(text, size);
      expect(problems).toEqual([]);
      expect(segments.map((s) => s.id)).toEqual(['ISA', 'IEA', 'ISA', 'IEA']);
    }
  });

  it('discards an interchange whose ISA is unreadable up to the next ISA, however the bytes are chunked', () => {
    const bad = ISA.replace(/\*/g, ' ');
    const text = `${bad}GS BE~ST 834~ \n${ISA}IEA*0*000000001~`;
    const whole = tokenize(text);
    expect(whole.problems).toEqual([expect.objectContaining({ kind: 'unreadable-isa', fileOffset: 0, reason: 'element-separator' })]);
    expect(whole.segments.map((s) => s.id)).toEqual(['ISA', 'IEA']);
    for (const size of [1, 4, 50, 107]) expect(tokenize(text, size)).toEqual(whole);
  });

  it('reports the same extent of stray bytes whatever the chunking', () => {
    const text = `  junk here \r\n more junk \n\n${ISA}IEA*0*000000001~\n trailing  \n`;
    const whole = tokenize(text);
    expect(whole.problems).toEqual([
      { kind: 'stray-bytes', fileOffset: 2, length: 22 },
      { kind: 'stray-bytes', fileOffset: 2 + 22 + 3 + ISA.length + 18, length: 8 },
    ]);
    for (const size of [1, 2, 3, 7, 33]) expect(tokenize(text, size)).toEqual(whole);
  });

  it('reads every short element exactly, past the bound of its shared short texts', () => {
    // 5,000 distinct values of one to three bytes (more than are kept shared), in two passes.
    const values: string[] = [];
    for (let n = 0; values.length < 5_000; n++) {
      const v = n.toString(36).toUpperCase();
      if (v.length <= 3) values.push(v);
    }
    const body = values.map((v, i) => `REF*${v}*${v.slice(0, 1)}*X${v}~N4*${values[values.length - 1 - i]}~`).join('');
    const { segments, problems } = tokenize(`${ISA}${body}${body}IEA*0*000000001~`);
    expect(problems).toEqual([]);
    const refs = segments.filter((s) => s.id === 'REF');
    const n4s = segments.filter((s) => s.id === 'N4');
    expect(refs).toHaveLength(values.length * 2);
    refs.forEach((s, i) => {
      const v = values[i % values.length]!;
      expect(s.elements).toEqual([v, v.slice(0, 1), `X${v}`]);
    });
    n4s.forEach((s, i) => expect(s.elements).toEqual([values[values.length - 1 - (i % values.length)]]));
  });
});
