import type { Delimiters } from './delimiters.js';

/**
 * A view of one segment over the bytes it was read from. The tokenizer hands the same
 * object to its sink for every segment (no allocation per segment), so a sink that
 * wants to keep anything must copy it out before returning.
 */
export class Segment {
  buf: Uint8Array = new Uint8Array(0);
  /** Segment ID, interned ("ISA", "NM1"); "?" when the bytes are no segment ID. */
  id = '';
  /** The ID packed by packBytes, for lookups without strings (-1 for IDs over three bytes). */
  key = -1;
  /**
   * A small number for the ID, the same for every segment with that ID in one tokenizer
   * (-1 for IDs over three bytes): lets a consumer index arrays instead of hashing.
   */
  idNo = -1;
  /** Start of the ID within buf. */
  start = 0;
  /** Offset of the terminator within buf (exclusive end of the segment's data). */
  end = 0;
  /** Number of elements after the ID (trailing empty ones included). */
  count = 0;
  /** starts[i] = offset in buf of element i's first byte (0 is the ID); starts[count+1] = end + 1. */
  starts: Int32Array = new Int32Array(64);
  /**
   * False when no element holds a component or repetition separator or a byte outside
   * printable ASCII: then a simple element's characters need no further check.
   */
  special = true;
  /** Byte offset of the segment's first byte within the whole file. */
  fileOffset = 0;
  /** 1-based count of segments in the file. */
  ordinal = 0;
  delimiters: Delimiters = { element: 0x2a, component: 0x3a, repetition: 0x5e, segment: 0x7e };

  /** Byte range [from, to) of element i (1-based); an absent element is empty. */
  rangeStart(i: number): number {
    return i <= this.count ? (this.starts[i] as number) : this.end;
  }

  rangeEnd(i: number): number {
    return i <= this.count ? (this.starts[i + 1] as number) - 1 : this.end;
  }

  length(i: number): number {
    return this.rangeEnd(i) - this.rangeStart(i);
  }

  has(i: number): boolean {
    return this.length(i) > 0;
  }

  /** Element i as text (latin1: one char per byte, so lengths agree with bytes). */
  element(i: number): string {
    const s = this.rangeStart(i);
    const e = this.rangeEnd(i);
    if (e <= s) return '';
    return e - s <= 3 ? shortText(this.buf, s, e) : latin1(this.buf, s, e);
  }

}

const decoder = new TextDecoder('latin1');

/**
 * SHORTTEXT: elements of up to three bytes (qualifiers, codes, states, levels) as one shared
 * string per value, found by their packed bytes. A file repeats a few hundred such values in
 * every member; shared, they are not allocated again, and an event waiting for its batch
 * holds strings the young-generation collector need not copy. Bounded: a file of arbitrary
 * short values only costs a cleared map now and then.
 */
const shortTexts = new Map<number, string>();
const SHORT_TEXTS_MAX = 4096;

function shortText(buf: Uint8Array, start: number, end: number): string {
  const key = packBytes(buf, start, end);
  let text = shortTexts.get(key);
  if (text === undefined) {
    if (shortTexts.size >= SHORT_TEXTS_MAX) shortTexts.clear();
    text = latin1(buf, start, end);
    shortTexts.set(key, text);
  }
  return text;
}

export function latin1(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= 16) {
    let s = '';
    for (let k = start; k < end; k++) s += String.fromCharCode(buf[k] as number);
    return s;
  }
  return decoder.decode(buf.subarray(start, end));
}

/**
 * Packs up to three bytes, with the length, into one small integer (a V8 Smi), so
 * segment IDs and short codes are looked up without making a string or a heap number.
 * Returns -1 when longer than three.
 */
export function packBytes(buf: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n > 3) return -1;
  let v = n;
  for (let k = start; k < end; k++) v = (v << 8) | (buf[k] as number);
  return v;
}

export function packString(s: string): number {
  if (s.length > 3) return -1;
  const bytes = new Uint8Array(s.length);
  for (let k = 0; k < s.length; k++) bytes[k] = s.charCodeAt(k) & 0xff;
  return packBytes(bytes, 0, bytes.length);
}
