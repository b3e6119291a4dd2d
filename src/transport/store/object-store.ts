/**
 * The object store: the raw-file archive where every pulled file's bytes are kept, exactly as
 * they arrived, before anything else happens to them (DESIGN §1: pull → archive → register →
 * validate …). One port, two adapters: `LocalFolderStore` (the embedded default, a folder under
 * the data dir) and `S3Store` (AWS S3 or an S3-compatible server).
 *
 * Glossary:
 * - key: the object's name within the store, `/`-separated segments (`inbound/ACME/2026-06-01/x.x12`);
 *   never absolute, never `.` or `..`, no empty segment, no backslash or control character, at
 *   most 1024 bytes of UTF-8. The same key is valid in every adapter.
 * - durable: the store answered that the bytes are kept (local: written, fsynced and renamed
 *   into place; S3: the PutObject or CompleteMultipartUpload succeeded).
 *
 * Errors are `StoreError`s with a stable code and context `{ key, store }` (plus the adapter's
 * `op`): NOT_FOUND (get of a key that is not there), STORE_UNAVAILABLE (cannot be reached or
 * written now: worth retrying), STORE_KEY_INVALID, STORE_LENGTH_MISMATCH, STORE_FAILED. Their
 * messages never carry file content. An error thrown by the body a `put` reads is rethrown
 * as it is (the source failed, not the store), after whatever was written has been removed.
 */
import { EdiBridgeError, type ErrorCode, type ErrorContext } from '../../core/errors.js';

export type ObjectStoreKind = 'local' | 's3';

export interface StoredObject {
  key: string;
  /** Bytes stored. */
  size: number;
  /** SHA-256 of the bytes stored, lower-case hex. */
  sha256: string;
}

export interface ObjectStore {
  readonly kind: ObjectStoreKind;
  /**
   * Stores the stream's bytes under `key`, hashing (SHA-256) and counting as they pass; resolves
   * once the bytes are durable. An existing object under the key is replaced whole (never
   * partly). The store may hold a chunk after asking for the next one: a producer must not
   * reuse a chunk's memory once it has yielded it. `contentLength`, when given, is checked:
   * any other count is STORE_LENGTH_MISMATCH and nothing is kept.
   */
  put(key: string, body: AsyncIterable<Uint8Array>, options?: { contentLength?: number }): Promise<StoredObject>;
  /** The bytes, streamed (64 KiB–1 MiB chunks). A missing key is a typed error (code NOT_FOUND). */
  get(key: string): AsyncIterable<Buffer>;
  head(key: string): Promise<{ size: number } | undefined>;
  /** Removes the object; a key that is not there is not an error. */
  delete(key: string): Promise<void>;
}

/** A store as the factory opens it: `close()` releases its connections (S3) or nothing (local). */
export interface OpenedObjectStore extends ObjectStore {
  close(): Promise<void>;
}

/** An object store's failure. `retryable` is true for STORE_UNAVAILABLE. */
export class StoreError extends EdiBridgeError {
  constructor(code: ErrorCode, message: string, context: ErrorContext & { store: ObjectStoreKind }, options?: { cause?: unknown }) {
    super(code, message, context, options);
  }

  get retryable(): boolean {
    return this.code === 'STORE_UNAVAILABLE';
  }
}

/** Most bytes of a key (S3's own limit). */
export const MAX_KEY_BYTES = 1024;

/**
 * Throws STORE_KEY_INVALID unless `key` is a key every adapter accepts (see the glossary).
 * The message says which rule, and shows the key only through JSON (control characters escaped).
 */
export function assertValidKey(key: string, store: ObjectStoreKind): void {
  const refuse = (rule: string): never => {
    throw new StoreError('STORE_KEY_INVALID', `object key ${JSON.stringify(key)} refused: ${rule}`, { key, store });
  };
  if (typeof key !== 'string' || key.length === 0) refuse('it is empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) refuse(`it is longer than ${MAX_KEY_BYTES} bytes`);
  if (key.startsWith('/')) refuse('it is absolute (starts with /)');
  if (key.includes('\\')) refuse('it contains a backslash');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) refuse('it contains a control character');
  for (const segment of key.split('/')) {
    if (segment === '') refuse('it has an empty segment (// or a trailing /)');
    if (segment === '.' || segment === '..') refuse('it has a . or .. segment');
  }
}
