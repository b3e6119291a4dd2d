/**
 * Seed files for the fuzz tests: the repository's own X12 inputs (samples/*.x12 and
 * test/golden/cases/*.x12) and, when EDIBRIDGE_CORPUS_DIR names the conformance corpus, every
 * sample under its <owner__repo>/ folders too (see test/support/corpus.ts); read at test time
 * (never copied or edited), plus small helpers to print inputs reproducibly.
 */
import { readFileSync } from 'node:fs';
import { corpusFiles, fixtureFiles } from '../support/corpus.js';

export interface Seed {
  /** "samples/file", "golden/file" or, from the corpus, "owner__repo/file" */
  name: string;
  bytes: Uint8Array;
  /** Offset of the first ISA, or -1. */
  isa: number;
  /** Element separator, component separator and segment terminator read from the ISA. */
  element: number;
  component: number;
  terminator: number;
}

let cached: Seed[] | null = null;

export function loadSeeds(): Seed[] {
  if (cached) return cached;
  const seeds = [...fixtureFiles(), ...corpusFiles()].map((f) => describeSeed(f.name, new Uint8Array(readFileSync(f.path))));
  if (seeds.length === 0) throw new Error('no seed files');
  cached = seeds;
  return seeds;
}

/** Offsets of the 16 element separators of a fixed-width ISA (ISA16 at 104, the terminator at 105). */
const ISA_SEPARATORS = [3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103];

/**
 * Whether the seed starts with a well-formed fixed-width ISA, so that the delimiters read from
 * it are the file's own. Golden cases that break the ISA on purpose (TA105 codes) do not, and
 * "benign" changes made with the delimiters read from them are not benign.
 */
export function hasFixedWidthIsa(seed: Seed): boolean {
  const { bytes, isa, element, component, terminator } = seed;
  if (isa < 0 || isa + 105 >= bytes.length) return false;
  for (let i = 4; i < 104; i++) {
    if ((bytes[isa + i] === element) !== ISA_SEPARATORS.includes(i)) return false;
  }
  return new Set([element, component, terminator]).size === 3;
}

function describeSeed(name: string, bytes: Uint8Array): Seed {
  const isa = indexOfAscii(bytes, 'ISA', 0);
  // Defaults for the (unexpected) case of a seed without a fixed-width ISA.
  let element = 0x2a;
  let component = 0x3a;
  let terminator = 0x7e;
  if (isa >= 0 && isa + 105 < bytes.length) {
    element = bytes[isa + 3] as number;
    component = bytes[isa + 104] as number;
    terminator = bytes[isa + 105] as number;
  }
  return { name, bytes, isa, element, component, terminator };
}

export function ascii(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}

export function indexOfAscii(buf: Uint8Array, needle: string, from: number): number {
  const first = needle.charCodeAt(0);
  for (let i = buf.indexOf(first, from); i >= 0 && i + needle.length <= buf.length; i = buf.indexOf(first, i + 1)) {
    let ok = true;
    for (let k = 1; k < needle.length && ok; k++) ok = buf[i + k] === needle.charCodeAt(k);
    if (ok) return i;
  }
  return -1;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The bytes as a JS string literal (one char per byte), to paste into a regression test. */
export function toLiteral(bytes: Uint8Array, max = 20_000): string {
  let s = '';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) s += String.fromCharCode(bytes[i] as number);
  const lit = JSON.stringify(s).replace(/[\u007f-\u00ff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return n < bytes.length ? `${lit} /* … ${bytes.length - n} more bytes */` : lit;
}

/** Inverse of toLiteral's string: one byte per char. */
export function fromLatin1(s: string): Uint8Array {
  return ascii(s);
}
