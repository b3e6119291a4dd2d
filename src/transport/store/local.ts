/**
 * The embedded object store: a folder (default $EDIBRIDGE_DATA_DIR/archive), one file per key,
 * `/` in a key making sub-folders.
 *
 * A put writes to a temporary file in the key's own folder (`.partial-<random>`, opened
 * exclusively), fsyncs it, renames it onto the key's path and fsyncs the folder: a reader sees
 * the old object or the new one, never part of one, and a crash leaves at most a `.partial-`
 * file beside the key, never a half file under it. Files are created 0600 and folders 0700
 * (the archive holds PHI).
 *
 * A folder that cannot be created, written or read (missing mount, read-only file system, no
 * permission, disk full, a file where the folder should be) is STORE_UNAVAILABLE.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { StoreError, assertValidKey, type ObjectStoreKind, type OpenedObjectStore, type StoredObject } from './object-store.js';
import { BodyMeter, MAX_CHUNK, rechunk } from './streams.js';

/** Bytes collected before one write(2): fewer system calls for a body of small chunks. */
const WRITE_BUFFER = MAX_CHUNK;
/** Chunk size of get (within the port's 64 KiB–1 MiB). */
const READ_CHUNK = 256 * 1024;
/** Longest file-name segment most file systems take. */
const MAX_SEGMENT_BYTES = 255;

/** errno codes that mean "the store cannot be used now" rather than "this key is not there". */
const UNAVAILABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'EIO', 'ENOTDIR', 'ENOENT', 'EMFILE', 'ENFILE', 'ESTALE', 'ENOTCONN']);

type Op = 'put' | 'get' | 'head' | 'delete';

const errnoOf = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined;

export class LocalFolderStore implements OpenedObjectStore {
  readonly kind: ObjectStoreKind = 'local';

  /** @param root absolute folder of the archive; created on the first put. */
  constructor(readonly root: string) {}

  async put(key: string, body: AsyncIterable<Uint8Array>, options: { contentLength?: number } = {}): Promise<StoredObject> {
    const path = this.pathOf(key);
    const meter = new BodyMeter(body, { key, store: this.kind }, options.contentLength);
    const folder = dirname(path);
    await this.makeFolder(key, folder);
    const tmp = join(folder, `.partial-${randomBytes(8).toString('hex')}`);
    let fh: FileHandle | undefined;
    try {
      fh = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
      await writeAll(fh, meter.chunks());
      await fh.sync();
      await fh.close();
      fh = undefined;
      await rename(tmp, path);
    } catch (err) {
      await fh?.close().catch(() => {});
      await unlink(tmp).catch(() => {});
      if (meter.sourceError) throw meter.sourceError.error;
      if (err instanceof StoreError) throw err;
      if (errnoOf(err) === 'EISDIR' || errnoOf(err) === 'ENOTEMPTY') {
        throw new StoreError('STORE_KEY_INVALID', `${key} is a folder of other keys in the local store`, { key, store: this.kind, op: 'put' }, { cause: err });
      }
      throw this.fail('put', key, err);
    }
    await syncFolder(folder);
    return { key, size: meter.size, sha256: meter.digest() };
  }

  get(key: string): AsyncIterable<Buffer> {
    return this.read(key);
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    const path = this.pathOf(key);
    try {
      const s = await stat(path);
      return s.isFile() ? { size: s.size } : undefined;
    } catch (err) {
      if (await this.missing(err)) return undefined;
      throw this.fail('head', key, err);
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await unlink(path);
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'EISDIR' || (code === 'EPERM' && (await isFolder(path)))) return; // a folder of other keys: no object here
      if (await this.missing(err)) return;
      throw this.fail('delete', key, err);
    }
  }

  async close(): Promise<void> {}

  private async *read(key: string): AsyncGenerator<Buffer, void, undefined> {
    const path = this.pathOf(key);
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
      if (!(await fh.stat()).isFile()) {
        await fh.close();
        throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
      }
    } catch (err) {
      if (errnoOf(err) === 'EISDIR' || (await this.missing(err))) {
        throw new StoreError('NOT_FOUND', `no object ${key} in the local store`, { key, store: this.kind, op: 'get' });
      }
      throw this.fail('get', key, err);
    }
    const stream = fh.createReadStream({ highWaterMark: READ_CHUNK });
    try {
      yield* rechunk(stream as AsyncIterable<Buffer>);
    } catch (err) {
      throw this.fail('get', key, err);
    } finally {
      stream.destroy();
      await fh.close().catch(() => {});
    }
  }

  /** The key's absolute path under the root; throws STORE_KEY_INVALID for a key that could leave it. */
  private pathOf(key: string): string {
    assertValidKey(key, this.kind);
    const segments = key.split('/');
    for (const s of segments) {
      if (Buffer.byteLength(s, 'utf8') > MAX_SEGMENT_BYTES) {
        throw new StoreError('STORE_KEY_INVALID', `object key ${JSON.stringify(key)} refused: a segment is longer than ${MAX_SEGMENT_BYTES} bytes`, { key, store: this.kind });
      }
    }
    // assertValidKey refused absolute keys, `..`, backslashes and empty segments, so the join
    // stays under the root; checked once more, cheaply.
    const path = join(this.root, ...segments);
    if (!path.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep)) {
      throw new StoreError('STORE_KEY_INVALID', `object key ${JSON.stringify(key)} refused: it leaves the store's folder`, { key, store: this.kind });
    }
    return path;
  }

  /** Creates the root (STORE_UNAVAILABLE when it cannot be) and then the key's folder. */
  private async makeFolder(key: string, folder: string): Promise<void> {
    try {
      await mkdir(this.root, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw this.fail('put', key, err, true);
    }
    if (folder === this.root) return;
    try {
      await mkdir(folder, { recursive: true, mode: 0o700 });
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'ENOTDIR' || code === 'EEXIST') {
        throw new StoreError('STORE_KEY_INVALID', `${key}: a folder it needs is an object of the local store`, { key, store: this.kind, op: 'put' }, { cause: err });
      }
      throw this.fail('put', key, err);
    }
  }

  /**
   * Whether `err` (from a key's path) means "no such object": ENOENT/ENOTDIR while the root is a
   * folder we can use, or while the root does not exist yet (nothing was ever stored). A root
   * that is something else, or cannot be looked at, makes the store unavailable instead.
   */
  private async missing(err: unknown): Promise<boolean> {
    const code = errnoOf(err);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return false;
    try {
      return (await stat(this.root)).isDirectory();
    } catch (rootErr) {
      return errnoOf(rootErr) === 'ENOENT' && (await isFolder(dirname(this.root)));
    }
  }

  private fail(op: Op, key: string, err: unknown, atRoot = false): StoreError {
    const code = errnoOf(err);
    const unavailable = atRoot || (code !== undefined && UNAVAILABLE.has(code));
    const what = err instanceof Error ? err.message.replace(this.root, '<store>') : String(err);
    return new StoreError(
      unavailable ? 'STORE_UNAVAILABLE' : 'STORE_FAILED',
      `local store ${unavailable ? 'unavailable' : 'failed'} (${op} ${key}): ${code ?? what}`,
      { key, store: this.kind, op, dir: this.root, ...(code === undefined ? {} : { errno: code }) },
      { cause: err },
    );
  }
}

/** Writes the chunks through a buffer of WRITE_BUFFER bytes (copied: the producer's memory is never held). */
async function writeAll(fh: FileHandle, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  const buffer = Buffer.allocUnsafe(WRITE_BUFFER);
  let used = 0;
  const flush = async (data: Uint8Array): Promise<void> => {
    let offset = 0;
    while (offset < data.byteLength) {
      const { bytesWritten } = await fh.write(data, offset, data.byteLength - offset);
      offset += bytesWritten;
    }
  };
  for await (const chunk of chunks) {
    if (used === 0 && chunk.byteLength >= WRITE_BUFFER) {
      await flush(chunk);
      continue;
    }
    let offset = 0;
    while (offset < chunk.byteLength) {
      const n = Math.min(WRITE_BUFFER - used, chunk.byteLength - offset);
      buffer.set(chunk.subarray(offset, offset + n), used);
      used += n;
      offset += n;
      if (used === WRITE_BUFFER) {
        await flush(buffer);
        used = 0;
      }
    }
  }
  if (used > 0) await flush(buffer.subarray(0, used));
}

/** fsyncs a folder so a rename in it survives a crash (best effort where folders cannot be opened). */
async function syncFolder(folder: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(folder, 'r');
    await fh.sync();
  } catch {
    // Some platforms and file systems refuse fsync on a folder; the file itself was fsynced.
  } finally {
    await fh?.close().catch(() => {});
  }
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
