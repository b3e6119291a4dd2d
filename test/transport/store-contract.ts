/**
 * The behaviour every ObjectStore adapter must show, run once per adapter against the real
 * thing (store-local.test.ts: a folder; store-s3.test.ts: s3rver on loopback): no mocks.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StoreError, type ObjectStore, type ObjectStoreKind } from '../../src/transport/store/index.js';

export interface ContractTarget {
  /** The store under test (a fresh folder or key prefix per test file). */
  store(): ObjectStore;
  /** The same kind of store, pointed at something that cannot be used (a closed port, a folder under a file). */
  down(): ObjectStore;
}

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A body of unknown length: the bytes in pieces of `piece` bytes (copies: nothing shared). */
export async function* pieces(bytes: Uint8Array, piece = 100_003): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += piece) {
    await Promise.resolve();
    yield Uint8Array.prototype.slice.call(bytes, i, i + piece);
  }
}

/** A body that yields `bytes` and then fails as a dropped SFTP download would. */
export async function* failingAfter(bytes: Uint8Array, error: Error): AsyncGenerator<Uint8Array> {
  yield* pieces(bytes);
  throw error;
}

export async function readAll(stream: AsyncIterable<Buffer>): Promise<{ bytes: Buffer; chunkSizes: number[] }> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return { bytes: Buffer.concat(chunks), chunkSizes: chunks.map((c) => c.length) };
}

export async function rejection(p: Promise<unknown>): Promise<StoreError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StoreError) return err;
    throw err;
  }
  throw new Error('expected the promise to reject');
}

const text = (s: string): AsyncGenerator<Uint8Array> => pieces(Buffer.from(s), 7);

export function describeObjectStoreContract(kind: ObjectStoreKind, target: ContractTarget): void {
  const store = (): ObjectStore => target.store();
  let n = 0;
  const fresh = (name: string): string => `contract/${++n}/${name}`;

  describe(`${kind} store contract`, () => {
    it(`is the ${kind} store`, () => {
      expect(store().kind).toBe(kind);
    });

    it('puts a multi-MB stream of unknown length and gets back exactly its bytes, hash and size', async () => {
      const bytes = randomBytes(12 * 1024 * 1024 + 12_345); // over one S3 part (8 MiB): multipart
      const key = fresh('big.bin');
      const stored = await store().put(key, pieces(bytes));
      expect(stored).toEqual({ key, size: bytes.length, sha256: sha256(bytes) });
      const { bytes: back, chunkSizes } = await readAll(store().get(key));
      expect(back.length).toBe(bytes.length);
      expect(sha256(back)).toBe(sha256(bytes));
      expect(back.equals(bytes)).toBe(true);
      // Chunks of 64 KiB–1 MiB, the last one excepted.
      for (const size of chunkSizes.slice(0, -1)) {
        expect(size).toBeGreaterThanOrEqual(64 * 1024);
        expect(size).toBeLessThanOrEqual(1024 * 1024);
      }
      expect(await store().head(key)).toEqual({ size: bytes.length });
    });

    it('puts a small body, an empty body, and a body with a stated content length', async () => {
      const small = Buffer.from('ISA*00*          *00*          *ZZ*SENDER~\n'.repeat(40));
      expect(await store().put(fresh('small.x12'), pieces(small, 13))).toMatchObject({ size: small.length, sha256: sha256(small) });
      const emptyKey = fresh('empty');
      expect(await store().put(emptyKey, pieces(Buffer.alloc(0)))).toEqual({ key: emptyKey, size: 0, sha256: sha256(Buffer.alloc(0)) });
      expect(await store().head(emptyKey)).toEqual({ size: 0 });
      expect((await readAll(store().get(emptyKey))).bytes.length).toBe(0);
      const known = fresh('known.x12');
      expect(await store().put(known, pieces(small), { contentLength: small.length })).toMatchObject({ size: small.length });
      expect((await readAll(store().get(known))).bytes.equals(small)).toBe(true);
    });

    it('refuses a body whose length differs from the stated content length, keeping nothing', async () => {
      const bytes = randomBytes(300_000);
      for (const contentLength of [bytes.length - 1, bytes.length + 1]) {
        const key = fresh(`mismatch-${contentLength}`);
        const err = await rejection(store().put(key, pieces(bytes), { contentLength }));
        expect(err.code).toBe('STORE_LENGTH_MISMATCH');
        expect(err.context).toMatchObject({ key, store: kind });
        expect(await store().head(key)).toBeUndefined();
      }
    });

    it('heads an object by its size, and a missing key as undefined', async () => {
      const key = fresh('head.x12');
      await store().put(key, text('twelve bytes'));
      expect(await store().head(key)).toEqual({ size: 12 });
      expect(await store().head(fresh('never-stored'))).toBeUndefined();
    });

    it('answers get of a missing key with StoreError NOT_FOUND naming the key and store', async () => {
      const key = fresh('missing.x12');
      const err = await rejection(readAll(store().get(key)));
      expect(err).toBeInstanceOf(StoreError);
      expect(err.code).toBe('NOT_FOUND');
      expect(err.context).toMatchObject({ key, store: kind });
      expect(err.retryable).toBe(false);
    });

    it('accepts the same bytes again under a key, and replaces an object whole with other bytes', async () => {
      const key = fresh('again.x12');
      const first = Buffer.from('ISA*first~'.repeat(1000));
      const a = await store().put(key, pieces(first, 333));
      const b = await store().put(key, pieces(first, 4096));
      expect(b).toEqual(a);
      expect((await readAll(store().get(key))).bytes.equals(first)).toBe(true);
      const second = Buffer.from('ISA*second~');
      expect(await store().put(key, pieces(second))).toMatchObject({ size: second.length, sha256: sha256(second) });
      expect((await readAll(store().get(key))).bytes.equals(second)).toBe(true);
      expect(await store().head(key)).toEqual({ size: second.length });
    });

    it('keeps keys with slashes apart, siblings and all', async () => {
      const base = fresh('inbound');
      const keys = [`${base}/ACME/2026-06-01/enrollment 834.x12`, `${base}/ACME/2026-06-01/premium-820.x12`, `${base}/ACME/2026-06-02/ñandú é.x12`, `${base}/BETA/a.b.c`];
      for (const [i, key] of keys.entries()) await store().put(key, text(`file ${i} of ${key}`));
      for (const [i, key] of keys.entries()) expect((await readAll(store().get(key))).bytes.toString()).toBe(`file ${i} of ${key}`);
      await store().delete(keys[0]!);
      expect(await store().head(keys[0]!)).toBeUndefined();
      expect(await store().head(keys[1]!)).toEqual({ size: Buffer.byteLength(`file 1 of ${keys[1]!}`) });
    });

    it('deletes an object, and deleting a key that is not there is no error', async () => {
      const key = fresh('gone.x12');
      await store().put(key, text('soon gone'));
      await store().delete(key);
      expect(await store().head(key)).toBeUndefined();
      await expect(store().delete(key)).resolves.toBeUndefined();
      expect((await rejection(readAll(store().get(key)))).code).toBe('NOT_FOUND');
    });

    it('refuses keys that are absolute, climb out, or have empty, dot or control-character segments', async () => {
      const bad = ['', '/abs/key', '../up', 'a/../../b', 'a/./b', 'a//b', 'a/', '.', 'a\\b', 'a\u0000b', 'line\nbreak', 'x'.repeat(1025)];
      for (const key of bad) {
        for (const call of [() => store().put(key, text('x')), () => readAll(store().get(key)), () => store().head(key), () => store().delete(key)]) {
          const err = await rejection(call());
          expect(err.code, JSON.stringify(key)).toBe('STORE_KEY_INVALID');
          expect(err.context['store']).toBe(kind);
        }
      }
    });

    it('rethrows the error of a body that fails midway, keeping nothing and leaving the previous object whole', async () => {
      const key = fresh('dropped.x12');
      const before = Buffer.from('the object before');
      await store().put(key, pieces(before));
      const dropped = new Error('the SFTP session dropped');
      await expect(store().put(key, failingAfter(randomBytes(9 * 1024 * 1024), dropped))).rejects.toBe(dropped);
      expect((await readAll(store().get(key))).bytes.equals(before)).toBe(true);
      const fresh2 = fresh('dropped-new.x12');
      await expect(store().put(fresh2, failingAfter(randomBytes(100_000), dropped))).rejects.toBe(dropped);
      expect(await store().head(fresh2)).toBeUndefined();
    });

    it('keeps file content out of error messages and context', async () => {
      const secret = 'SSN-123-45-6789-MARKER';
      const err = await rejection(store().put(fresh('secret.x12'), pieces(Buffer.from(secret)), { contentLength: 3 }));
      expect(JSON.stringify(err.toJSON())).not.toContain('MARKER');
      expect(err.message).not.toContain('MARKER');
    });

    it('answers put, get and head with STORE_UNAVAILABLE within seconds when the store is down', async () => {
      const down = target.down();
      for (const [op, call] of [
        ['put', () => down.put('down/a.x12', pieces(randomBytes(200_000)))],
        ['get', () => readAll(down.get('down/a.x12'))],
        ['head', () => down.head('down/a.x12')],
      ] as const) {
        const started = performance.now();
        const err = await rejection(call());
        const ms = performance.now() - started;
        expect(err.code, `${op}: ${err.message}`).toBe('STORE_UNAVAILABLE');
        expect(err.retryable).toBe(true);
        expect(err.context).toMatchObject({ key: 'down/a.x12', store: kind });
        expect(ms, op).toBeLessThan(5_000);
      }
    });
  });
}
