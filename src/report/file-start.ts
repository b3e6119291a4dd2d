/**
 * What a file with no interchange (no ISA) looks like at its start, in words an operations
 * person can act on: empty, white space only, X12 segments without their envelope, or bytes
 * that are not X12 at all (named by a well-known signature or as hex of non-text bytes).
 *
 * Never prints text from the file: a segment ID is named only when it is a known X12 one,
 * and printable text is described, not shown (it may be a member's data).
 */
import { open } from 'node:fs/promises';
import { loadRegistry } from '../x12/schema/registry.js';

export type FileStartKind = 'empty' | 'white-space' | 'segment' | 'not-x12';

export interface FileStart {
  kind: FileStartKind;
  /** The X12 segment ID the file starts with (kind 'segment', a known ID only). */
  segmentId: string | null;
  /** One phrase, e.g. "the file starts with ST: an envelope (ISA) is missing". */
  description: string;
}

/** Bytes read from a file's start to describe it. */
export const FILE_START_BYTES = 64;

/** Reads the first bytes of a file (fewer when it is shorter). */
export async function readFileStart(path: string, bytes = FILE_START_BYTES): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buf = new Uint8Array(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const ENVELOPE_IDS = ['ISA', 'IEA', 'GS', 'GE', 'ST', 'SE', 'TA1'];
/** The guides whose segment IDs may be named (GS01, ST01, convention). */
const KNOWN_GUIDES: ReadonlyArray<[string, string, string]> = [
  ['BE', '834', '005010X220A1'],
  ['RA', '820', '005010X218'],
  ['FA', '999', '005010X231A1'],
];
let knownIds: Set<string> | undefined;

/** Segment IDs of the envelopes and of every guide we know. */
function knownSegmentIds(): Set<string> {
  if (!knownIds) {
    knownIds = new Set(ENVELOPE_IDS);
    try {
      const registry = loadRegistry();
      for (const [group, set, convention] of KNOWN_GUIDES) {
        for (const id of registry.find(group, set, convention)?.segmentIds ?? []) knownIds.add(id);
      }
    } catch {
      // Without the guides, the envelope IDs still name the common case (a missing ISA).
    }
  }
  return knownIds;
}

const SIGNATURES: ReadonlyArray<[bytes: number[], what: string]> = [
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive'],
  [[0x1f, 0x8b], 'gzip-compressed data'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x2d, 0x2d, 0x2d, 0x2d, 0x2d, 0x42, 0x45, 0x47, 0x49, 0x4e, 0x20, 0x50, 0x47, 0x50], 'a PGP-armoured (encrypted or signed) message'],
  [[0x85, 0x01], 'PGP binary data (possibly still encrypted)'],
  [[0x84, 0x8c], 'PGP binary data (possibly still encrypted)'],
  [[0xd0, 0xcf, 0x11, 0xe0], 'a Microsoft Office (OLE) document'],
  [[0x3c, 0x3f, 0x78, 0x6d, 0x6c], 'an XML document'],
  [[0xff, 0xfe], 'UTF-16 text (little-endian byte order mark)'],
  [[0xfe, 0xff], 'UTF-16 text (big-endian byte order mark)'],
];

const isSpace = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
const isPrintable = (b: number): boolean => b >= 0x20 && b < 0x7f;
const isUpperOrDigit = (b: number): boolean => (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39);
const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0').toUpperCase()}`;

/** Describes a file's first bytes (`head`) for a report; `size` is the whole file's. */
export function describeFileStart(head: Uint8Array, size: number = head.length): FileStart {
  if (size === 0) return { kind: 'empty', segmentId: null, description: 'the file is empty' };
  let p = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) p = 3; // UTF-8 BOM, as the tokenizer skips it
  for (const [sig, what] of SIGNATURES) {
    if (sig.every((b, i) => head[p + i] === b)) return notX12(`${what}, not X12`);
  }
  while (p < head.length && isSpace(head[p] as number)) p++;
  if (p === head.length && size <= head.length) return { kind: 'white-space', segmentId: null, description: 'the file holds only white space' };
  if (p === head.length) return notX12('white space where an interchange header (ISA) should be');
  // A segment ID: 2 or 3 capitals or digits, then a separator that is neither one nor a space.
  let q = p;
  while (q < head.length && q - p < 3 && isUpperOrDigit(head[q] as number)) q++;
  const sep = head[q];
  if (q - p >= 2 && sep !== undefined && isPrintable(sep) && !isUpperOrDigit(sep) && !(sep >= 0x61 && sep <= 0x7a) && sep !== 0x20) {
    const id = String.fromCharCode(...head.subarray(p, q));
    if (knownSegmentIds().has(id)) {
      const missing = id === 'GS' || id === 'ST' || id === 'TA1' ? 'an envelope (ISA) is missing' : 'the envelopes (ISA, GS, ST) are missing';
      return { kind: 'segment', segmentId: id, description: `the file starts with an ${id} segment: ${missing}` };
    }
    return notX12(`text shaped like an X12 segment with an ID no guide knows (${q - p} characters, not shown)`);
  }
  const first = head[p] as number;
  if (!isPrintable(first)) {
    const bytes = Array.from(head.subarray(p, p + 4), hex).join(' ');
    return notX12(`bytes that are not text (${bytes})`);
  }
  if (first === 0x7b || first === 0x5b) return notX12('text that looks like JSON, not X12 (not shown)');
  if (first === 0x3c) return notX12('text that looks like HTML or XML, not X12 (not shown)');
  return notX12('text that is not X12 (not shown)');
}

function notX12(what: string): FileStart {
  return { kind: 'not-x12', segmentId: null, description: `the file starts with ${what}` };
}
