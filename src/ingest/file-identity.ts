/**
 * What intake knows of a file before parsing it: its size, its SHA-256 (the same bytes
 * are the same file), and the sender and control number of its first interchange (ISA05,
 * ISA06, ISA13: the same interchange sent again is a resend), read in one streaming pass.
 */
import { createHash } from 'node:crypto';
import { readIsa, type IsaFields } from '../x12/envelope/isa.js';
import { Tokenizer } from '../x12/tokenize/tokenizer.js';
import type { FileSource } from './source.js';

export interface FileIdentity {
  size: number;
  sha256: string;
  /** The first ISA, when the file starts with a readable one. */
  isa: IsaFields | undefined;
}

export async function identifyFile(source: FileSource): Promise<FileIdentity> {
  const hash = createHash('sha256');
  let size = 0;
  const head: Buffer[] = [];
  let headBytes = 0;
  for await (const chunk of source.open()) {
    hash.update(chunk);
    size += chunk.length;
    if (headBytes < HEAD_BYTES) {
      head.push(chunk.subarray(0, HEAD_BYTES - headBytes));
      headBytes += head[head.length - 1]!.length;
    }
  }
  return { size, sha256: hash.digest('hex'), isa: firstIsa(Buffer.concat(head)) };
}

/** Enough for an ISA (106 bytes) after a BOM and blank lines. */
export const HEAD_BYTES = 4096;

/** The ISA a file's first bytes (HEAD_BYTES of them) start with, if they start with a readable one. */
export function firstIsa(head: Buffer): IsaFields | undefined {
  let isa: IsaFields | undefined;
  let first = true;
  const tokenizer = new Tokenizer({
    segment: (seg) => {
      if (first && seg.id === 'ISA') isa = readIsa(seg);
      first = false;
    },
    problem: () => {},
  });
  tokenizer.push(head);
  tokenizer.end();
  return isa;
}
