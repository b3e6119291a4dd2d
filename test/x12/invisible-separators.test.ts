/**
 * Invisible characters after a segment terminator. U+2028 LINE SEPARATOR (E2 80 A8), seen
 * in real files, U+2029 PARAGRAPH SEPARATOR, U+0085 NEL (C2 85) and U+FEFF (EF BB BF) are
 * tolerated like CR/LF, each kind reported once as a file-level note naming its bytes; an
 * unknown invisible byte run is an unrecognized segment named by its bytes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateBytes, validateStream } from '../../src/x12/validate.js';
import { Tokenizer, type TokenProblem } from '../../src/x12/tokenize/tokenizer.js';

const BASE = readFileSync(fileURLToPath(new URL('../golden/cases/ok-834-accepted.x12', import.meta.url)), 'latin1');
const LS = '\xe2\x80\xa8';

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));

async function* chunks(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let o = 0; o < data.length; o += size) yield data.slice(o, o + size);
}

describe('invisible separators after a segment terminator', () => {
  it('U+2028 after every terminator is tolerated: accepted, one note naming it (was: "?" segment and a false "BGN missing")', () => {
    const text = BASE.replace(/~\n/g, `~${LS}\n`);
    const r = validateBytes(bytes(text));
    expect(r.accepted).toBe(true);
    expect(r.interchanges[0]?.groups[0]?.sets[0]?.errors).toEqual([]);
    const first = text.indexOf(LS);
    expect(r.problems).toEqual([
      {
        kind: 'note',
        message: `U+2028 LINE SEPARATOR (E2 80 A8) after a segment terminator at byte ${first} (and 15 more), tolerated like a line break`,
        fileOffset: first,
      },
    ]);
  });

  it('U+2029, NEL (C2 85) and U+FEFF inside the interchange are tolerated and each named', () => {
    const text = BASE.replace('~\nBGN', '~\xe2\x80\xa9BGN').replace('~\nN1*P5', '~\xc2\x85N1*P5').replace('~\nINS', '~\xef\xbb\xbfINS');
    const r = validateBytes(bytes(text));
    expect(r.accepted).toBe(true);
    expect(r.problems.map((p) => p.message)).toEqual([
      `U+2029 PARAGRAPH SEPARATOR (E2 80 A9) after a segment terminator at byte ${text.indexOf('\xe2\x80\xa9')}, tolerated like a line break`,
      `U+0085 NEXT LINE (NEL) (C2 85) after a segment terminator at byte ${text.indexOf('\xc2\x85')}, tolerated like a line break`,
      `U+FEFF BYTE ORDER MARK (EF BB BF) after a segment terminator at byte ${text.indexOf('\xef\xbb\xbf')}, tolerated like a line break`,
    ]);
  });

  it('after the IEA too, it is a note, not stray bytes', () => {
    const r = validateBytes(bytes(`${BASE}${LS}`));
    expect(r.accepted).toBe(true);
    expect(r.problems.map((p) => p.kind)).toEqual(['note']);
  });

  it('reads the same however the stream is chunked, a chunk ending inside the character included', async () => {
    const data = bytes(BASE.replace(/~\n/g, `~${LS}`));
    const whole = JSON.stringify(validateBytes(data, { name: 'x' }));
    for (const size of [1, 2, 3, 7, 64, 107]) {
      expect(JSON.stringify(await validateStream(chunks(data, size), { name: 'x' })), `chunks of ${size}`).toBe(whole);
    }
  });

  it('in a set that is only skimmed (no guide: an 820 in a BE group), the SE after one is still found', () => {
    const text = BASE.replace('ST*834*0001*005010X220A1~', 'ST*820*0001*005010X218~').replace(/~\n/g, `~${LS}`);
    const r = validateBytes(bytes(text));
    const set = r.interchanges[0]?.groups[0]?.sets[0];
    expect(set?.codes).toEqual(['1']);
    expect(set?.segmentCount).toBe(12);
    expect(r.interchanges[0]?.note).toBe('000');
  });

  it('an unknown invisible run (U+200B ZERO WIDTH SPACE, E2 80 8B) is an unrecognized segment named by its bytes', () => {
    const text = BASE.replace('~\nN1*P5', '~\xe2\x80\x8bN1*P5');
    const r = validateBytes(bytes(text));
    const errors = r.interchanges[0]?.groups[0]?.sets[0]?.errors ?? [];
    const unknown = errors.find((e) => e.code === '1');
    expect(unknown?.name).toBe('segment starting with invisible bytes E2 80 8B');
    expect(r.problems).toEqual([]);
  });

  it('the tokenizer reports each one with its offset, name and bytes', () => {
    const problems: TokenProblem[] = [];
    const t = new Tokenizer({ segment() {}, problem: (p) => problems.push(p) });
    const text = BASE.replace('~\nBGN', `~${LS}BGN`);
    t.push(bytes(text));
    t.end();
    expect(problems).toEqual([{ kind: 'invisible-separator', fileOffset: text.indexOf(LS), name: 'U+2028 LINE SEPARATOR', bytes: 'E2 80 A8' }]);
  });
});
