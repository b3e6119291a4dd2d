/**
 * Where an inbound file's bytes come from. The ingest reads a file up to three times
 * (identify, validate, apply), each time from the start, so a source is something that
 * can be opened again: a local file, bytes in memory, or an object in the archive store.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { EdiBridgeError } from '../core/errors.js';

export interface FileSource {
  /** The name the partner gave the file (reports, acknowledgement folders). */
  readonly name: string;
  /** A local path holding the bytes, when there is one: large files are then validated in parallel. */
  readonly path?: string;
  /** The bytes from the start, as a stream of chunks of about `chunkBytes`; every call reads them anew. */
  open(chunkBytes?: number): AsyncIterable<Buffer>;
  /** The size in bytes, when known before reading (progress). */
  size(): Promise<number | undefined>;
}

const CHUNK = 1 << 20;

export function localFile(path: string, name: string = basename(path)): FileSource {
  return {
    name,
    path,
    open: (chunkBytes = CHUNK) => createReadStream(path, { highWaterMark: chunkBytes }) as AsyncIterable<Buffer>,
    size: async () => {
      try {
        const s = await stat(path);
        if (!s.isFile()) throw new Error('not a regular file');
        return s.size;
      } catch (err) {
        throw new EdiBridgeError('FILE_UNREADABLE', `cannot read ${name}`, { file: name }, { cause: err });
      }
    },
  };
}

export function bytesSource(name: string, bytes: Uint8Array): FileSource {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    name,
    open: async function* (chunkBytes = CHUNK) {
      for (let at = 0; at < buffer.length; at += chunkBytes) yield buffer.subarray(at, at + chunkBytes);
    },
    size: async () => buffer.length,
  };
}

/** An object read through a function that opens it anew (the archive store's get); it chooses its chunks. */
export function streamSource(name: string, open: () => AsyncIterable<Buffer>, size?: number): FileSource {
  return { name, open: () => open(), size: async () => size };
}

/** A path or a source, as the ingest's callers pass it. */
export function toSource(input: string | FileSource): FileSource {
  return typeof input === 'string' ? localFile(input) : input;
}
