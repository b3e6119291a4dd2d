/**
 * Mutations of valid X12 files, as data (so fast-check can shrink and print them), and
 * the arbitrary that draws a seed plus a short list of mutations.
 */
import fc from 'fast-check';
import { ascii, concatBytes, indexOfAscii, loadSeeds, type Seed } from './corpus.js';

/** Positions are drawn large and taken modulo the current length (+1 where the end is a valid spot). */
export type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; byte: number }
  | { op: 'insert'; at: number; bytes: number[] }
  | { op: 'delete'; at: number; length: number }
  | { op: 'truncate'; at: number }
  /** Replace every element separator after the ISA with `to` (the ISA keeps the original). */
  | { op: 'element-separator'; to: number; includeIsa: boolean }
  /** Change ISA16, and optionally every component separator in the body too. */
  | { op: 'component-separator'; to: number; everywhere: boolean }
  /** Change the terminator after ISA16, and optionally every terminator in the file. */
  | { op: 'terminator'; to: number; everywhere: boolean }
  | { op: 'duplicate-segment'; index: number }
  | { op: 'drop-segment'; index: number }
  | { op: 'swap-segments'; a: number; b: number }
  | { op: 'garbage'; where: 'before' | 'after' | 'between'; bytes: number[] }
  | { op: 'bom' }
  | { op: 'crlf' }
  | { op: 'concat'; seed: number; glue: string }
  /** Replace element `element` of segment `index` (added when missing) with `value`. */
  | { op: 'element'; index: number; element: number; value: string };

export interface FuzzCase {
  seed: number;
  mutations: Mutation[];
}

/** Bytes a sender might plausibly use as a delimiter, plus some that are never allowed. */
const DELIMITER_CANDIDATES = [
  0x2a, 0x7c, 0x5e, 0x7e, 0x21, 0x3a, 0x3e, 0x5c, 0x2b, 0x1d, 0x1c, 0x1f, 0x1e, 0x0a, 0x0d, 0x20, 0x41, 0x30, 0x00, 0xff, 0x85,
];

const FRAGMENTS = [
  'ISA',
  'ISA*',
  'ISA*00*          *00*          *ZZ*X',
  'IEA*1*000000001~',
  'GS*BE*A*B*20260101*1200*1*X*005010X220A1~',
  'GE*1*1~',
  'ST*834*0001*005010X220A1~',
  'SE*2*0001~',
  'TA1*000000001*260101*1200*A*000~',
  '~',
  '*',
  '\r\n',
  '\n',
  '\u00ef\u00bb\u00bf',
  '\u0000\u0000',
].map((s) => Array.from(ascii(s)));

const position = fc.oneof(
  { weight: 2, arbitrary: fc.nat({ max: 130 }) }, // the ISA and the first segments
  { weight: 3, arbitrary: fc.nat({ max: 1 << 20 }) },
);

const smallBytes = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 24 }),
  fc.constantFrom(...FRAGMENTS),
);

const delimiter = fc.constantFrom(...DELIMITER_CANDIDATES);

/** Element values that probe lengths, types, code lists, dates, composites and repetitions. */
const ELEMENT_VALUES = [
  '', ' ', '0', '-1', '1.5', '.', '00000000000000000000', 'X'.repeat(100), 'ZZZ', 'A', 'a b', '20261301', '20260229', '20240229',
  '2500', '9999', '0000', 'D8', 'RD8', '20260101-20251231', '20260101-20261231', ':', '::::', '^', 'A^B^C', 'A:B:C:D:E:F:G:H:I:J',
  '18', '034', 'IL', 'Y', 'N', 'FT', '~', '*', '\u00e9', '\u0001',
];

export function mutationArb(seedCount: number): fc.Arbitrary<Mutation> {
  const index = fc.nat({ max: 1 << 16 });
  return fc.oneof(
    fc.record({ op: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ op: fc.constant('set' as const), at: position, byte: fc.oneof(fc.integer({ min: 0, max: 255 }), delimiter) }),
    fc.record({ op: fc.constant('insert' as const), at: position, bytes: smallBytes }),
    fc.record({ op: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ op: fc.constant('truncate' as const), at: fc.nat({ max: 1 << 20 }) }),
    fc.record({ op: fc.constant('element-separator' as const), to: delimiter, includeIsa: fc.boolean() }),
    fc.record({ op: fc.constant('component-separator' as const), to: delimiter, everywhere: fc.boolean() }),
    fc.record({ op: fc.constant('terminator' as const), to: delimiter, everywhere: fc.boolean() }),
    fc.record({ op: fc.constant('duplicate-segment' as const), index }),
    fc.record({ op: fc.constant('drop-segment' as const), index }),
    fc.record({ op: fc.constant('swap-segments' as const), a: index, b: index }),
    fc.record({ op: fc.constant('garbage' as const), where: fc.constantFrom('before' as const, 'after' as const, 'between' as const), bytes: smallBytes }),
    fc.constant({ op: 'bom' as const }),
    fc.constant({ op: 'crlf' as const }),
    fc.record({
      op: fc.constant('element' as const),
      index,
      element: fc.integer({ min: 1, max: 20 }),
      value: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ELEMENT_VALUES) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }),
    }),
    fc.record({ op: fc.constant('concat' as const), seed: fc.nat({ max: seedCount - 1 }), glue: fc.constantFrom('', '\n', '\r\n', '  ') }),
  );
}

export function fuzzCaseArb(): fc.Arbitrary<FuzzCase> {
  const seeds = loadSeeds();
  return fc.record({
    seed: fc.nat({ max: seeds.length - 1 }),
    mutations: fc.array(mutationArb(seeds.length), { minLength: 1, maxLength: 4 }),
  });
}

/** Segments of `buf` cut after each terminator (trailing white space stays with its segment). */
function splitSegments(buf: Uint8Array, terminator: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] !== terminator) continue;
    let end = i + 1;
    while (end < buf.length && (buf[end] === 0x0a || buf[end] === 0x0d)) end++;
    out.push(buf.subarray(start, end));
    start = end;
    i = end - 1;
  }
  if (start < buf.length) out.push(buf.subarray(start));
  return out;
}

/** End of the first ISA segment (offset after its terminator), or -1. */
function isaEnd(buf: Uint8Array, seed: Seed): number {
  const isa = indexOfAscii(buf, 'ISA', 0);
  if (isa < 0) return -1;
  const t = buf.indexOf(seed.terminator, isa);
  return t < 0 ? -1 : t + 1;
}

function replaceByte(buf: Uint8Array, from: number, to: number, start: number, end = buf.length): Uint8Array {
  const out = buf.slice();
  for (let i = Math.max(0, start); i < end; i++) if (out[i] === from) out[i] = to;
  return out;
}

export function applyMutation(buf: Uint8Array, m: Mutation, seed: Seed, seeds: readonly Seed[]): Uint8Array {
  const n = buf.length;
  switch (m.op) {
    case 'flip': {
      if (n === 0) return buf;
      const out = buf.slice();
      const i = m.at % n;
      out[i] = (out[i] as number) ^ (1 << m.bit);
      return out;
    }
    case 'set': {
      if (n === 0) return buf;
      const out = buf.slice();
      out[m.at % n] = m.byte;
      return out;
    }
    case 'insert': {
      const i = m.at % (n + 1);
      return concatBytes(buf.subarray(0, i), Uint8Array.from(m.bytes), buf.subarray(i));
    }
    case 'delete': {
      if (n === 0) return buf;
      const i = m.at % n;
      return concatBytes(buf.subarray(0, i), buf.subarray(Math.min(n, i + m.length)));
    }
    case 'truncate':
      return buf.slice(0, m.at % (n + 1));
    case 'element-separator': {
      const from = m.includeIsa ? 0 : isaEnd(buf, seed);
      if (from < 0) return buf;
      return replaceByte(buf, seed.element, m.to, from);
    }
    case 'component-separator': {
      const isa = indexOfAscii(buf, 'ISA', 0);
      if (isa < 0) return buf;
      const out = m.everywhere ? replaceByte(buf, seed.component, m.to, Math.max(0, isaEnd(buf, seed))) : buf.slice();
      if (isa + 104 < out.length) out[isa + 104] = m.to;
      return out;
    }
    case 'terminator': {
      const isa = indexOfAscii(buf, 'ISA', 0);
      if (isa < 0) return buf;
      if (m.everywhere) return replaceByte(buf, seed.terminator, m.to, 0);
      const out = buf.slice();
      if (isa + 105 < out.length) out[isa + 105] = m.to;
      return out;
    }
    case 'duplicate-segment': {
      const segs = splitSegments(buf, seed.terminator);
      if (segs.length === 0) return buf;
      const i = m.index % segs.length;
      segs.splice(i, 0, segs[i] as Uint8Array);
      return concatBytes(...segs);
    }
    case 'drop-segment': {
      const segs = splitSegments(buf, seed.terminator);
      if (segs.length === 0) return buf;
      segs.splice(m.index % segs.length, 1);
      return concatBytes(...segs);
    }
    case 'swap-segments': {
      const segs = splitSegments(buf, seed.terminator);
      if (segs.length < 2) return buf;
      const a = m.a % segs.length;
      const b = m.b % segs.length;
      const t = segs[a] as Uint8Array;
      segs[a] = segs[b] as Uint8Array;
      segs[b] = t;
      return concatBytes(...segs);
    }
    case 'garbage': {
      const g = Uint8Array.from(m.bytes);
      if (m.where === 'before') return concatBytes(g, buf);
      if (m.where === 'after') return concatBytes(buf, g);
      // Between interchanges: after every IEA segment but the last (or after the last if only one).
      const segs = splitSegments(buf, seed.terminator);
      const out: Uint8Array[] = [];
      const ieas = segs.map((s, i) => (indexOfAscii(s, 'IEA', 0) >= 0 && indexOfAscii(s, 'IEA', 0) <= 2 ? i : -1)).filter((i) => i >= 0);
      const after = new Set(ieas.length > 1 ? ieas.slice(0, -1) : ieas);
      segs.forEach((s, i) => {
        out.push(s);
        if (after.has(i)) out.push(g);
      });
      return concatBytes(...out);
    }
    case 'bom':
      return concatBytes(ascii('\u00ef\u00bb\u00bf'), buf);
    case 'crlf': {
      // Every LF becomes CR LF; a file written on one line gets CR LF after each terminator.
      const hasLf = buf.includes(0x0a);
      const parts: number[] = [];
      for (const b of buf) {
        if (hasLf && b === 0x0a) parts.push(0x0d, 0x0a);
        else if (!hasLf && b === seed.terminator) parts.push(b, 0x0d, 0x0a);
        else parts.push(b);
      }
      return Uint8Array.from(parts);
    }
    case 'element': {
      const segs = splitSegments(buf, seed.terminator);
      if (segs.length === 0) return buf;
      const i = m.index % segs.length;
      const seg = segs[i] as Uint8Array;
      // Keep the terminator and line break; rewrite the elements before it.
      let end = seg.length;
      while (end > 0 && (seg[end - 1] === 0x0a || seg[end - 1] === 0x0d)) end--;
      const hasTerminator = end > 0 && seg[end - 1] === seed.terminator;
      const body = seg.subarray(0, hasTerminator ? end - 1 : end);
      const parts: Uint8Array[] = [];
      let start = 0;
      for (let k = 0; k <= body.length; k++) {
        if (k === body.length || body[k] === seed.element) {
          parts.push(body.subarray(start, k));
          start = k + 1;
        }
      }
      // Never rewrite the ISA's fixed-width fields this way (byte mutations cover them).
      if (parts[0] && parts[0].length === 3 && parts[0][0] === 0x49 && parts[0][1] === 0x53 && parts[0][2] === 0x41) return buf;
      while (parts.length <= m.element) parts.push(new Uint8Array(0));
      // Written with the seed's delimiters: ":" "^" "*" "~" in the value become those of the file.
      const map: Record<string, number> = { ':': seed.component, '*': seed.element, '~': seed.terminator };
      parts[m.element] = Uint8Array.from([...m.value].map((ch) => map[ch] ?? ch.charCodeAt(0) & 0xff));
      const sep = Uint8Array.of(seed.element);
      const joined: Uint8Array[] = [];
      parts.forEach((p, k) => {
        if (k > 0) joined.push(sep);
        joined.push(p);
      });
      segs[i] = concatBytes(...joined, seg.subarray(hasTerminator ? end - 1 : end));
      return concatBytes(...segs);
    }
    case 'concat': {
      const other = seeds[m.seed % seeds.length] as Seed;
      return concatBytes(buf, ascii(m.glue), other.bytes);
    }
    default: {
      const never: never = m;
      throw new Error(`unknown mutation ${JSON.stringify(never)}`);
    }
  }
}

export function materialize(c: FuzzCase): Uint8Array {
  const seeds = loadSeeds();
  const seed = seeds[c.seed % seeds.length] as Seed;
  let buf = seed.bytes;
  for (const m of c.mutations) buf = applyMutation(buf, m, seed, seeds);
  return buf;
}

export function describeCase(c: FuzzCase): string {
  const seeds = loadSeeds();
  return `seed ${(seeds[c.seed % seeds.length] as Seed).name}, mutations ${JSON.stringify(c.mutations)}`;
}

/**
 * Transformations that must not change a file's verdict: a BOM, CR LF line ends, a line
 * break after each terminator, white space before the first ISA or after the last IEA.
 */
export type Benign = 'bom' | 'crlf' | 'newline-after-terminator' | 'leading-whitespace' | 'trailing-newline';
export const BENIGN: readonly Benign[] = ['bom', 'crlf', 'newline-after-terminator', 'leading-whitespace', 'trailing-newline'];

export function applyBenign(buf: Uint8Array, t: Benign, seed: Seed): Uint8Array {
  switch (t) {
    case 'bom':
      return concatBytes(ascii('\u00ef\u00bb\u00bf'), buf);
    case 'crlf': {
      const out: number[] = [];
      for (const b of buf) {
        if (b === 0x0a && out[out.length - 1] !== 0x0d) out.push(0x0d);
        out.push(b);
      }
      return Uint8Array.from(out);
    }
    case 'newline-after-terminator': {
      if (seed.terminator === 0x0a || seed.terminator === 0x0d) return buf;
      const out: number[] = [];
      for (let i = 0; i < buf.length; i++) {
        out.push(buf[i] as number);
        if (buf[i] === seed.terminator && buf[i + 1] !== 0x0a && buf[i + 1] !== 0x0d) out.push(0x0a);
      }
      return Uint8Array.from(out);
    }
    case 'leading-whitespace': {
      // After a BOM, if there is one: the BOM comes first in a file.
      const bom = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
      return concatBytes(buf.subarray(0, bom), ascii('\r\n  \n'), buf.subarray(bom));
    }
    case 'trailing-newline':
      return concatBytes(buf, ascii('\r\n\n'));
    default: {
      const never: never = t;
      throw new Error(`unknown transformation ${String(never)}`);
    }
  }
}
