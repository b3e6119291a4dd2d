/**
 * The raw segments around an exception's position, read from the archived file as a stream:
 * the set with the item's ST02, and a few segments either side of its segment position
 * (ST = 1). Segments are PHI (names, SSNs, addresses): they go to ops who may see PHI, each
 * view audited by the caller, and are never logged.
 */
import type { ObjectStore } from '../transport/store/index.js';

export interface SegmentLine {
  /** Position in the set (ST = 1). */
  position: number;
  text: string;
  /** The segment the item names. */
  flagged: boolean;
}

/** Segments `radius` either side of `position` in the set `setControl` of the object `key`. */
export async function segmentsAround(store: ObjectStore, key: string, setControl: string, position: number, radius = 4): Promise<SegmentLine[]> {
  let terminator: number | undefined;
  let element = '*';
  let carry: Buffer = Buffer.alloc(0);
  let inSet = false;
  let pos = 0;
  const out: SegmentLine[] = [];
  const take = (raw: Buffer): boolean => {
    const text = raw.toString('latin1').replace(/^[\r\n]+/, '');
    if (text === '') return false;
    const id = text.slice(0, text.indexOf(element) >>> 0);
    if (id === 'ST') {
      inSet = text.split(element)[2] === setControl;
      pos = 0;
    }
    if (!inSet) return false;
    pos++;
    if (pos >= position - radius && pos <= position + radius) out.push({ position: pos, text, flagged: pos === position });
    if (id === 'SE') inSet = false;
    return pos > position + radius || (id === 'SE' && out.length > 0);
  };
  for await (const chunk of store.get(key)) {
    let buf: Buffer = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    if (terminator === undefined) {
      if (buf.length < 106) {
        carry = buf;
        continue;
      }
      element = String.fromCharCode(buf[3]!);
      terminator = buf[105]!;
    }
    let start = 0;
    for (let i = buf.indexOf(terminator, start); i !== -1; i = buf.indexOf(terminator, start)) {
      if (take(buf.subarray(start, i))) return out;
      start = i + 1;
    }
    carry = Buffer.from(buf.subarray(start));
    buf = carry;
  }
  return out;
}
