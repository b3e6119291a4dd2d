import { CR, LF, type Delimiters } from './delimiters.js';
import { Segment, latin1, packBytes, packString } from './segment.js';

const ID_CACHE = 1024;
/** How much of a new chunk is copied to finish a segment carried from the last one. */
const CARRY_HEAD = 1 << 16;
const KEY_IEA = packString('IEA');
const KEY_SE = packString('SE');
const KEY_ST = packString('ST');
const KEY_GE = packString('GE');
const KEY_GS = packString('GS');

/** Fixed offsets of the 16 element separators in a well-formed 106-byte ISA. */
const ISA_SEPARATOR_OFFSETS = [3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103];
const ISA_LENGTH = 106;
/** Where a sender trims ISA fields, we still find its 16 separators within this many bytes. */
const ISA_SCAN_LIMIT = 200;
/** No legitimate segment comes close; bounds the memory one unterminated segment can take. */
export const MAX_SEGMENT_BYTES = 1 << 20;

export type TokenProblem =
  /** Bytes outside any interchange that are not an ISA (junk, or a file that is not X12). */
  | { kind: 'stray-bytes'; fileOffset: number; length: number }
  /** An ISA whose delimiters cannot be read; the interchange cannot be parsed. */
  | { kind: 'unreadable-isa'; fileOffset: number; reason: IsaFault; header: Uint8Array }
  /** The file ended inside a segment (no terminator). */
  | { kind: 'unterminated-segment'; fileOffset: number; length: number }
  /** A segment longer than MAX_SEGMENT_BYTES; skipped. */
  | { kind: 'segment-too-long'; fileOffset: number }
  /**
   * An invisible character between segments, skipped like a line break (see INVISIBLE):
   * `name` is its Unicode name, `bytes` its UTF-8 bytes in hex ("E2 80 A8").
   */
  | { kind: 'invisible-separator'; fileOffset: number; name: string; bytes: string };

export type IsaFault =
  | 'truncated'
  | 'element-separator'
  | 'component-separator'
  | 'segment-terminator'
  | 'field-count';

export interface TokenSink {
  /** Called for every segment, ISA included; `seg` is reused after the call returns. */
  segment(seg: Segment): void;
  /** Called when a new ISA has set the delimiters the following segments use. */
  interchangeStart?(delimiters: Readonly<Delimiters>): void;
  problem(problem: TokenProblem): void;
  /**
   * While true, segments other than the envelope's (ISA, IEA, GS, GE, ST, SE) are only
   * found and named, not split into elements: a consumer that hands set content to
   * another thread needs no more (Segment.count is 0 for them).
   */
  readonly skimming?: boolean;
  /** While skimming: this many more segments (none of the envelope's) went by unseen. */
  skipped?(count: number): void;
}

export interface TokenizerOptions {
  /** Start inside an interchange with these delimiters (a worker reading one set's bytes). */
  delimiters?: Delimiters;
  /** File offset of the first byte pushed (when reading from the middle of a file). */
  fileOffset?: number;
}

const isAlnum = (b: number): boolean =>
  (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
const isSpace = (b: number): boolean => b === 0x20 || b === 0x09 || b === CR || b === LF || b === 0x0c || b === 0x0b;
/**
 * Invisible characters tolerated after a segment terminator, as CR/LF are: Unicode's line
 * and paragraph separators and NEL (what a text tool may write for a line break) and the
 * zero-width no-break space U+FEFF (a byte-order mark left by concatenating files). Each
 * is skipped and reported as a note naming it; none can begin a segment, since a segment
 * ID is ASCII. Other bytes there are left to the segment, whose ID is then unrecognized.
 */
const INVISIBLE: ReadonlyArray<{ bytes: readonly number[]; name: string }> = [
  { bytes: [0xe2, 0x80, 0xa8], name: 'U+2028 LINE SEPARATOR' },
  { bytes: [0xe2, 0x80, 0xa9], name: 'U+2029 PARAGRAPH SEPARATOR' },
  { bytes: [0xc2, 0x85], name: 'U+0085 NEXT LINE (NEL)' },
  { bytes: [0xef, 0xbb, 0xbf], name: 'U+FEFF BYTE ORDER MARK' },
];

/** Bytes as hex pairs: "E2 80 A8". */
export function hexBytes(buf: Uint8Array, from: number, to: number): string {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push((buf[i] as number).toString(16).toUpperCase().padStart(2, '0'));
  return out.join(' ');
}

const isIsaAt = (b: Uint8Array, p: number): boolean =>
  b[p] === 0x49 && b[p + 1] === 0x53 && b[p + 2] === 0x41;

/**
 * Splits a byte stream into segments. Delimiters come from each ISA, so one file may
 * hold interchanges with different delimiters. It tolerates a UTF-8 BOM and CR/LF (or
 * other white space) between segments, and a newline used as the terminator.
 * Memory is bounded: only an unfinished segment is carried from one chunk to the next.
 */
export class Tokenizer {
  private readonly seg = new Segment();
  /** Interned segment IDs by packed key, each with a small number (Segment.idNo). */
  private readonly ids = new Map<number, { id: string; no: number }>();
  private readonly cacheKeys = new Int32Array(ID_CACHE).fill(-2);
  private readonly cacheIds: string[] = new Array<string>(ID_CACHE).fill('');
  private readonly cacheNos = new Int32Array(ID_CACHE);
  private pending: Uint8Array | null = null;
  /** File offset of the first byte not yet consumed (pending[0], or the next chunk's). */
  private base = 0;
  private inInterchange = false;
  private delims: Delimiters = { element: 0x2a, component: 0x3a, repetition: -1, segment: 0x7e };
  private strayStart = -1;
  private discarding = false;
  private strayLength = 0;
  private skippingLongSegment = false;
  private ordinal = 0;
  /** Per byte value: plain text, the element separator, or special (see Segment.special). */
  private classes: Uint8Array = new Uint8Array(256);

  constructor(private readonly sink: TokenSink, options: TokenizerOptions = {}) {
    if (options.delimiters) {
      const d = options.delimiters;
      this.delims = { ...d };
      this.classes = byteClasses(d.element, d.component, d.repetition, d.segment);
      this.inInterchange = true;
    }
    this.base = options.fileOffset ?? 0;
  }

  get segmentsRead(): number {
    return this.ordinal;
  }

  push(chunk: Uint8Array): void {
    // One array type in the hot loop keeps V8's element loads monomorphic (a Buffer is a subclass).
    const buf = chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    const pend = this.pending;
    if (!pend) return this.keepTail(buf, this.scan(buf, 0, false));
    this.pending = null;
    // Finish the carried segment on a copy of it and the chunk's head only; the rest of
    // the chunk is read where it lies, so a chunk is not copied whole.
    const head = Math.min(buf.length, CARRY_HEAD);
    const joined = new Uint8Array(pend.length + head);
    joined.set(pend, 0);
    joined.set(buf.subarray(0, head), pend.length);
    const used = this.scan(joined, 0, false);
    if (used >= pend.length && head < buf.length) {
      this.base += pend.length;
      return this.keepTail(buf, this.scan(buf, used - pend.length, false));
    }
    if (head === buf.length) return this.keepTail(joined, used);
    // The carried segment runs past the head (a very long one): join the rest as before.
    const rest = new Uint8Array(joined.length - used + buf.length - head);
    rest.set(joined.subarray(used), 0);
    rest.set(buf.subarray(head), joined.length - used);
    this.base += used;
    this.keepTail(rest, this.scan(rest, 0, false));
  }

  /** Keeps buf[used..] for the next chunk; `base` moves to the first byte kept. */
  private keepTail(buf: Uint8Array, used: number): void {
    if (used < buf.length) this.pending = buf.slice(used);
    this.base += used;
  }

  end(): void {
    const buf = this.pending ?? new Uint8Array(0);
    this.pending = null;
    const used = this.scan(buf, 0, true);
    let p = used;
    while (p < buf.length && isSpace(buf[p] as number)) p++;
    if (p < buf.length) {
      if (this.inInterchange) {
        this.sink.problem({ kind: 'unterminated-segment', fileOffset: this.base + p, length: buf.length - p });
      } else this.noteStray(buf, p, buf.length);
    }
    this.base += buf.length;
    this.flushStray();
  }

  /** Consumes whole segments from buf; returns how many bytes were used. */
  private scan(buf: Uint8Array, start: number, atEnd: boolean): number {
    const n = buf.length;
    let p = start;
    for (;;) {
      if (this.skippingLongSegment) {
        const t = buf.indexOf(this.delims.segment, p);
        if (t < 0) return n;
        this.skippingLongSegment = false;
        p = t + 1;
      }
      // White space between segments is not part of either; nor is a byte-order mark
      // before an interchange (files are often concatenated, each with its own), nor an
      // invisible separator (INVISIBLE), which is noted.
      for (;;) {
        while (p < n && isSpace(buf[p] as number)) p++;
        // One comparison on the hot path: every segment ID starts with an ASCII byte.
        if (p >= n || (buf[p] as number) < 0x80) break;
        if (!this.inInterchange && buf[p] === 0xef) {
          if (p + 2 >= n && !atEnd) return p;
          if (buf[p + 1] !== 0xbb || buf[p + 2] !== 0xbf) break;
          p += 3;
          continue;
        }
        const q = this.invisibleAt(buf, p, atEnd);
        if (q === -1) return p; // need more bytes
        if (q === p) break;
        p = q;
      }
      if (p >= n) return n;
      if (n - p < 4 && !atEnd) return p;

      if (isIsaAt(buf, p) && (n - p < 4 || !isAlnum(buf[p + 3] as number))) {
        const r = this.readIsa(buf, p, atEnd);
        if (r === -1) return p; // need more bytes
        p = r;
        continue;
      }
      if (!this.inInterchange) {
        // Not X12 where an interchange should begin: skip to the next ISA.
        let q = p + 1;
        for (;;) {
          q = buf.indexOf(0x49, q);
          if (q < 0 || q + 2 >= n || isIsaAt(buf, q)) break;
          q++;
        }
        if (q < 0 || (q + 2 >= n && !isIsaAt(buf, q))) {
          // Keep what may begin an ISA or a byte-order mark for the next chunk.
          let keep = atEnd ? n : Math.max(p, n - 3);
          if (!atEnd && keep > p && buf[keep - 1] === 0xef) keep--;
          else if (!atEnd && keep - 1 > p && buf[keep - 2] === 0xef && buf[keep - 1] === 0xbb) keep -= 2;
          this.noteStray(buf, p, keep);
          return keep;
        }
        this.noteStray(buf, p, q);
        p = q;
        continue;
      }
      if (this.sink.skimming === true) {
        // Past a run of plain segments, start over: what stopped it may be an ISA.
        const q = this.skimRun(buf, p, n);
        if (q !== p) {
          p = q;
          continue;
        }
      }
      const next = this.sink.skimming === true ? this.skimSegment(buf, p) : this.readSegment(buf, p);
      if (next === -1) {
        // Unfinished and already too long: skip to its terminator without keeping it.
        if (n - p > MAX_SEGMENT_BYTES) {
          this.sink.problem({ kind: 'segment-too-long', fileOffset: this.base + p });
          this.skippingLongSegment = true;
          return n;
        }
        return p;
      }
      p = next;
    }
  }

  /**
   * At p (a byte >= 0x80 between segments, inside an interchange): the offset past a
   * tolerated invisible character, after noting it; p when there is none; -1 when the
   * bytes end before it can be told.
   */
  private invisibleAt(buf: Uint8Array, p: number, atEnd: boolean): number {
    const n = buf.length;
    for (const c of INVISIBLE) {
      const b = c.bytes;
      let k = 0;
      while (k < b.length && p + k < n && buf[p + k] === b[k]) k++;
      if (k === b.length) {
        this.sink.problem({ kind: 'invisible-separator', fileOffset: this.base + p, name: c.name, bytes: hexBytes(buf, p, p + k) });
        return p + k;
      }
      if (p + k >= n && !atEnd) return -1;
    }
    return p;
  }

  /** Reads one segment at p with the current delimiters; returns the offset after it, or -1. */
  private readSegment(buf: Uint8Array, p: number): number {
    // One table look-up per byte finds separators, the terminator and special bytes alike.
    const classes = this.classes;
    const seg = this.seg;
    let starts = seg.starts;
    let count = 0;
    let special = false;
    starts[0] = p;
    const n = buf.length;
    let i = p;
    for (; i < n; i++) {
      const c = classes[buf[i] as number] as number;
      if (c === 0) continue;
      if (c === BYTE_ELEMENT) {
        count++;
        if (count + 1 >= starts.length) starts = this.growStarts();
        starts[count] = i + 1;
      } else if (c === BYTE_TERMINATOR) break;
      else special = true;
    }
    if (i >= n) return -1;
    const t = i;
    if (t - p > MAX_SEGMENT_BYTES) {
      this.sink.problem({ kind: 'segment-too-long', fileOffset: this.base + p });
      return t + 1;
    }
    // With a newline as the terminator, a CR before it belongs to neither element.
    let end = t;
    if (this.delims.segment === LF && end > p && buf[end - 1] === CR) {
      end--;
      special = this.hasSpecial(buf, p, end);
    }
    seg.special = special;
    this.emit(buf, p, end, count);
    return t + 1;
  }

  /**
   * In a skimmed set, counts plain segments up to the next envelope segment without
   * emitting them (TokenSink.skipped); returns where it stopped, at a segment start.
   */
  private skimRun(buf: Uint8Array, p: number, n: number): number {
    const term = this.delims.segment;
    const es = this.delims.element;
    let count = 0;
    while (n - p >= 4) {
      const b0 = buf[p] as number;
      // S(E|T), G(E|S), I(EA|SA): the envelope's segments end a skim.
      if ((b0 === 0x53 || b0 === 0x47 || b0 === 0x49) && isEnvelopeAt(buf, p, es, term)) break;
      const t = buf.indexOf(term, p);
      if (t < 0 || t - p > MAX_SEGMENT_BYTES) break;
      count++;
      p = t + 1;
      while (p < n && isSpace(buf[p] as number)) p++;
      // An invisible separator (or other non-ASCII byte) is for scan() to judge.
      if (p < n && (buf[p] as number) >= 0x80) break;
    }
    if (count > 0) {
      this.ordinal += count;
      this.sink.skipped?.(count);
    }
    return p;
  }

  /**
   * Finds the segment's end by a native search and names it; an envelope segment is read
   * in full, since the envelope checks need its elements.
   */
  private skimSegment(buf: Uint8Array, p: number): number {
    const t = buf.indexOf(this.delims.segment, p);
    if (t < 0) return -1;
    if (t - p > MAX_SEGMENT_BYTES) {
      this.sink.problem({ kind: 'segment-too-long', fileOffset: this.base + p });
      return t + 1;
    }
    const es = this.delims.element;
    // As readSegment: with a newline terminator, a CR before it belongs to no element.
    const end = this.delims.segment === LF && t > p && buf[t - 1] === CR ? t - 1 : t;
    let q = p;
    while (q < end && q - p < 4 && buf[q] !== es) q++;
    const key = packBytes(buf, p, q);
    if (key === KEY_SE || key === KEY_ST || key === KEY_GE || key === KEY_GS || key === KEY_IEA) return this.readSegment(buf, p);
    const seg = this.seg;
    seg.starts[0] = p;
    seg.special = false;
    // A skimmed segment is its ID alone (count 0, end at the ID's end).
    this.emit(buf, p, q, 0);
    return t + 1;
  }

  private hasSpecial(buf: Uint8Array, from: number, to: number): boolean {
    for (let i = from; i < to; i++) if (this.classes[buf[i] as number] === BYTE_SPECIAL) return true;
    return false;
  }

  private growStarts(): Int32Array {
    const grown = new Int32Array(this.seg.starts.length * 2);
    grown.set(this.seg.starts);
    this.seg.starts = grown;
    return grown;
  }

  /** Reads the ISA at p and adopts its delimiters. Returns the offset after it, or -1 for more bytes. */
  private readIsa(buf: Uint8Array, p: number, atEnd: boolean): number {
    const n = buf.length;
    const avail = n - p;
    // A short ISA is only final at the end of the file; otherwise wait for more.
    if (avail < ISA_LENGTH && !atEnd) return -1;
    const es = buf[p + 3];
    if (es === undefined) return this.unreadableIsa(buf, p, 'truncated');
    if (isAlnum(es) || es === 0x20) return this.unreadableIsa(buf, p, 'element-separator');
    let fixed = avail >= ISA_LENGTH;
    for (let k = 0; fixed && k < ISA_SEPARATOR_OFFSETS.length; k++) {
      if (buf[p + (ISA_SEPARATOR_OFFSETS[k] as number)] !== es) fixed = false;
    }
    let compAt: number;
    if (fixed) compAt = p + 104;
    else {
      // Trimmed or padded fields: find the 16th separator instead of trusting offsets.
      let seen = 0;
      let q = p + 3;
      const limit = Math.min(n, p + ISA_SCAN_LIMIT);
      for (; q < limit && seen < 16; q++) if (buf[q] === es) seen++;
      if (seen < 16) {
        // Short of the scan limit only because the bytes ran out: wait, or it was cut off.
        if (q < p + ISA_SCAN_LIMIT) {
          if (!atEnd) return -1;
          return this.unreadableIsa(buf, p, 'truncated');
        }
        return this.unreadableIsa(buf, p, 'field-count');
      }
      compAt = q;
    }
    if (compAt + 1 >= n) {
      if (!atEnd) return -1;
      return this.unreadableIsa(buf, p, 'truncated');
    }
    const comp = buf[compAt] as number;
    const term = buf[compAt + 1] as number;
    if (isAlnum(comp) || comp === es || comp === 0x20) return this.unreadableIsa(buf, p, 'component-separator');
    if (isAlnum(term) || term === es || term === comp || term === 0x20) return this.unreadableIsa(buf, p, 'segment-terminator');
    this.delims = { element: es, component: comp, repetition: -1, segment: term };
    this.discarding = false;
    this.classes = byteClasses(es, comp, -1, term);
    this.flushStray();
    // Count the ISA's own elements with the separator it just declared.
    const seg = this.seg;
    let count = 0;
    seg.starts[0] = p;
    for (let i = p + 3; i < compAt; i++) if (buf[i] === es) seg.starts[++count] = i + 1;
    // ISA11 is the repetition separator from 00402 on; in 00401 it is the letter U.
    const rep = count >= 11 ? buf[seg.starts[11] as number] ?? 0 : 0;
    const repLen = count >= 12 ? (seg.starts[12] as number) - (seg.starts[11] as number) - 1 : 0;
    if (repLen === 1 && !isAlnum(rep) && rep !== es && rep !== comp && rep !== term && rep !== 0x20) {
      this.delims.repetition = rep;
      this.classes = byteClasses(es, comp, rep, term);
    }
    this.inInterchange = true;
    this.sink.interchangeStart?.(this.delims);
    let end = compAt + 1;
    seg.special = true;
    this.emit(buf, p, end, count);
    end++;
    return end;
  }

  private unreadableIsa(buf: Uint8Array, p: number, reason: IsaFault): number {
    this.flushStray();
    // Its fields still stand at their fixed offsets: the TA1 can name the interchange.
    const header = buf.slice(p, Math.min(buf.length, p + ISA_LENGTH));
    this.sink.problem({ kind: 'unreadable-isa', fileOffset: this.base + p, reason, header });
    // Nothing after it can be read with confidence until the next ISA: discard up to there.
    this.inInterchange = false;
    this.discarding = true;
    return p + 3;
  }

  private emit(buf: Uint8Array, start: number, end: number, count: number): void {
    const seg = this.seg;
    seg.buf = buf;
    seg.start = start;
    seg.end = end;
    seg.count = count;
    seg.starts[count + 1] = end + 1;
    seg.fileOffset = this.base + start;
    seg.ordinal = ++this.ordinal;
    seg.delimiters = this.delims;
    const idEnd = count > 0 ? (seg.starts[1] as number) - 1 : end;
    const key = packBytes(buf, start, idEnd);
    seg.key = key;
    // A direct-mapped cache in front of the intern table: one array probe per segment.
    const h = key & (ID_CACHE - 1);
    if (key >= 0 && this.cacheKeys[h] === key) {
      seg.id = this.cacheIds[h] as string;
      seg.idNo = this.cacheNos[h] as number;
    } else this.intern(seg, key, buf, start, idEnd, h);
    if (key === KEY_IEA) this.inInterchange = false;
    this.sink.segment(seg);
  }

  private intern(seg: Segment, key: number, buf: Uint8Array, start: number, end: number, h: number): void {
    // Only a well-formed segment ID is interned (at most 36 × 36 × 27 of them). Anything
    // else is "?": the bytes of a mangled line may be a name or an SSN, never to be shown.
    if (key < 0 || !isSegmentId(buf, start, end)) {
      seg.id = '?';
      seg.idNo = -1;
      return;
    }
    let entry = this.ids.get(key);
    if (entry === undefined) {
      entry = { id: latin1(buf, start, end), no: this.ids.size };
      this.ids.set(key, entry);
    }
    this.cacheKeys[h] = key;
    this.cacheIds[h] = entry.id;
    this.cacheNos[h] = entry.no;
    seg.id = entry.id;
    seg.idNo = entry.no;
  }

  /**
   * Records buf[from, to) as bytes outside any interchange. Trailing white space is left
   * out, so the extent reported does not depend on where chunks happen to end. The rest
   * of an interchange whose ISA could not be read is discarded, not reported again.
   */
  private noteStray(buf: Uint8Array, from: number, to: number): void {
    if (this.discarding) return;
    let end = to;
    for (;;) {
      while (end > from && isSpace(buf[end - 1] as number)) end--;
      // A byte-order mark right before an ISA is skipped, not stray, however chunked.
      if (end - from >= 3 && buf[end - 3] === 0xef && buf[end - 2] === 0xbb && buf[end - 1] === 0xbf) end -= 3;
      else break;
    }

    if (end <= from) return;
    if (this.strayStart < 0) this.strayStart = this.base + from;
    this.strayLength = this.base + end - this.strayStart;
  }

  private flushStray(): void {
    if (this.strayStart >= 0) {
      this.sink.problem({ kind: 'stray-bytes', fileOffset: this.strayStart, length: this.strayLength });
      this.strayStart = -1;
      this.strayLength = 0;
    }
  }
}

/** A segment ID: an upper-case letter, then one or two upper-case letters or digits. */
function isSegmentId(buf: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (n < 2 || n > 3) return false;
  const b0 = buf[start] as number;
  if (b0 < 0x41 || b0 > 0x5a) return false;
  for (let i = start + 1; i < end; i++) {
    const b = buf[i] as number;
    if (!((b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39))) return false;
  }
  return true;
}

/** Whether an envelope segment (SE, ST, GE, GS, IEA, ISA) starts at p. */
function isEnvelopeAt(buf: Uint8Array, p: number, es: number, term: number): boolean {
  const b0 = buf[p];
  const b1 = buf[p + 1];
  const b2 = buf[p + 2] as number;
  if (b0 === 0x49) return (b1 === 0x45 || b1 === 0x53) && b2 === 0x41; // IEA, ISA
  if (b2 !== es && b2 !== term && b2 !== CR && b2 !== LF) return false;
  if (b0 === 0x53) return b1 === 0x45 || b1 === 0x54; // SE, ST
  return b1 === 0x45 || b1 === 0x53; // GE, GS
}

const BYTE_ELEMENT = 1;
const BYTE_SPECIAL = 2;
const BYTE_TERMINATOR = 3;

/** Bytes outside printable ASCII, and the component and repetition separators, are special. */
function byteClasses(element: number, component: number, repetition: number, terminator: number): Uint8Array {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) if (b < 0x20 || b > 0x7e) t[b] = BYTE_SPECIAL;
  t[component] = BYTE_SPECIAL;
  if (repetition >= 0) t[repetition] = BYTE_SPECIAL;
  t[element] = BYTE_ELEMENT;
  t[terminator] = BYTE_TERMINATOR;
  return t;
}
