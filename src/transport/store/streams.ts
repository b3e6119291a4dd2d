/**
 * Stream helpers shared by the adapters: a meter that hashes and counts a put's body as it
 * passes (and tells the body's own failures from the store's), and a re-chunker that gives
 * readers chunks between 64 KiB and 1 MiB whatever size the source delivers.
 */
import { createHash, type Hash } from 'node:crypto';
import { StoreError, type ObjectStoreKind } from './object-store.js';

export const MIN_CHUNK = 64 * 1024;
export const MAX_CHUNK = 1024 * 1024;

/** Hashes and counts the body of one put; remembers an error the body itself threw. */
export class BodyMeter {
  private readonly hash: Hash = createHash('sha256');
  size = 0;
  /** Set when the body (the source), not the store, failed: rethrown to the caller as is. */
  sourceError: { error: unknown } | undefined;

  constructor(
    private readonly body: AsyncIterable<Uint8Array>,
    private readonly where: { key: string; store: ObjectStoreKind },
    private readonly contentLength: number | undefined,
  ) {
    if (contentLength !== undefined && (!Number.isSafeInteger(contentLength) || contentLength < 0)) {
      throw new StoreError('STORE_LENGTH_MISMATCH', `content length for ${where.key} must be a whole number of bytes`, { ...where });
    }
  }

  /** The body's chunks, hashed and counted; throws STORE_LENGTH_MISMATCH as soon as the count is wrong. */
  async *chunks(): AsyncGenerator<Uint8Array, void, undefined> {
    const iterator = this.body[Symbol.asyncIterator]();
    try {
      for (;;) {
        let step: IteratorResult<Uint8Array>;
        try {
          step = await iterator.next();
        } catch (error) {
          this.sourceError = { error };
          throw error;
        }
        if (step.done) break;
        const chunk = step.value;
        if (chunk.byteLength === 0) continue;
        this.size += chunk.byteLength;
        if (this.contentLength !== undefined && this.size > this.contentLength) throw this.mismatch();
        this.hash.update(chunk);
        yield chunk;
      }
      if (this.contentLength !== undefined && this.size !== this.contentLength) throw this.mismatch();
    } finally {
      // Stopped early (a store failure, or a mismatch): let the source release what it holds.
      if (!this.sourceError) await iterator.return?.().catch(() => {});
    }
  }

  digest(): string {
    return this.hash.digest('hex');
  }

  private mismatch(): StoreError {
    return new StoreError(
      'STORE_LENGTH_MISMATCH',
      `${this.where.key}: ${this.size > (this.contentLength ?? 0) ? 'at least ' : ''}${this.size} bytes arrived where ${this.contentLength} were announced; nothing was kept`,
      { ...this.where, size: this.size, ...(this.contentLength === undefined ? {} : { contentLength: this.contentLength }) },
    );
  }
}

/**
 * Re-chunks a byte stream into chunks of MIN_CHUNK–MAX_CHUNK bytes (the last may be smaller).
 * A source chunk already in range passes through without a copy.
 */
export async function* rechunk(source: AsyncIterable<Uint8Array>, min = MIN_CHUNK, max = MAX_CHUNK): AsyncGenerator<Buffer, void, undefined> {
  let staged: Buffer[] = [];
  let stagedBytes = 0;
  for await (const raw of source) {
    let chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    if (chunk.length === 0) continue;
    if (stagedBytes === 0 && chunk.length >= min && chunk.length <= max) {
      yield chunk;
      continue;
    }
    while (chunk.length > 0) {
      const take = Math.min(chunk.length, max - stagedBytes);
      staged.push(chunk.subarray(0, take));
      stagedBytes += take;
      chunk = chunk.subarray(take);
      if (stagedBytes >= min) {
        yield staged.length === 1 ? staged[0]! : Buffer.concat(staged, stagedBytes);
        staged = [];
        stagedBytes = 0;
      }
    }
  }
  if (stagedBytes > 0) yield staged.length === 1 ? staged[0]! : Buffer.concat(staged, stagedBytes);
}
