/**
 * The object-store contract on the embedded LocalFolderStore (always runs), and what only a
 * folder can show: atomic replacement, no half file after a failure, paths kept under the
 * root, file modes, and a folder that cannot be written.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalFolderStore, StoreError } from '../../src/transport/store/index.js';
import { useTempDirs } from '../support/tmp.js';
import { describeObjectStoreContract, pieces, readAll, rejection, sha256 } from './store-contract.js';

const tempDir = useTempDirs();

/** Every file under `dir`, relative, folders walked. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

let root: string | undefined;
const store = (): LocalFolderStore => new LocalFolderStore((root ??= join(tempDir('store-local'), 'archive')));

describeObjectStoreContract('local', {
  store,
  down: () => {
    // A folder that cannot be created: its parent is a file (root cannot be refused by modes).
    const blocker = join(tempDir('store-down'), 'not-a-folder');
    writeFileSync(blocker, 'x');
    return new LocalFolderStore(join(blocker, 'archive'));
  },
});

describe('local folder store', () => {
  it('maps keys to files under its folder, 0600 files in 0700 folders, and leaves no temporary file', async () => {
    const dir = join(tempDir('store-layout'), 'archive');
    const s = new LocalFolderStore(dir);
    await s.put('inbound/ACME/f.x12', pieces(Buffer.from('ISA*~')));
    expect(filesUnder(dir)).toEqual(['inbound/ACME/f.x12']);
    expect(statSync(join(dir, 'inbound/ACME/f.x12')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'inbound')).mode & 0o777).toBe(0o700);
  });

  it('leaves no half file under the key, nor a temporary one, when the body fails or is too short', async () => {
    const dir = join(tempDir('store-fail'), 'archive');
    const s = new LocalFolderStore(dir);
    await s.put('keep.x12', pieces(Buffer.from('kept')));
    const boom = new Error('source gone');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.alloc(3 * 1024 * 1024, 1);
      throw boom;
    }
    await expect(s.put('half.x12', failing())).rejects.toBe(boom);
    await expect(s.put('keep.x12', failing())).rejects.toBe(boom);
    expect((await rejection(s.put('short.x12', pieces(Buffer.alloc(10)), { contentLength: 11 }))).code).toBe('STORE_LENGTH_MISMATCH');
    expect(filesUnder(dir)).toEqual(['keep.x12']);
    expect((await readAll(s.get('keep.x12'))).bytes.toString()).toBe('kept');
  });

  it('shows a reader the old object whole while a new one is being written', async () => {
    const dir = join(tempDir('store-atomic'), 'archive');
    const s = new LocalFolderStore(dir);
    const old = Buffer.alloc(2 * 1024 * 1024, 0x61);
    await s.put('k.x12', pieces(old));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reachedGate!: () => void;
    const atGate = new Promise<void>((r) => (reachedGate = r));
    const next = Buffer.alloc(3 * 1024 * 1024, 0x62);
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield next.subarray(0, 2 * 1024 * 1024);
      reachedGate();
      await gate;
      yield next.subarray(2 * 1024 * 1024);
    }
    const writing = s.put('k.x12', slow());
    await atGate;
    const during = (await readAll(s.get('k.x12'))).bytes;
    expect(sha256(during)).toBe(sha256(old));
    expect(await s.head('k.x12')).toEqual({ size: old.length });
    release();
    expect(await writing).toMatchObject({ size: next.length, sha256: sha256(next) });
    expect(sha256((await readAll(s.get('k.x12'))).bytes)).toBe(sha256(next));
  });

  it('refuses a key whose folder is an object, and treats a folder of keys as no object', async () => {
    const dir = join(tempDir('store-clash'), 'archive');
    const s = new LocalFolderStore(dir);
    await s.put('a', pieces(Buffer.from('file a')));
    const err = await rejection(s.put('a/b', pieces(Buffer.from('under a'))));
    expect(err.code).toBe('STORE_KEY_INVALID');
    await s.put('c/d', pieces(Buffer.from('d')));
    expect(await s.head('c')).toBeUndefined();
    expect((await rejection(readAll(s.get('c')))).code).toBe('NOT_FOUND');
    expect((await rejection(s.put('c', pieces(Buffer.from('c'))))).code).toBe('STORE_KEY_INVALID');
    await expect(s.delete('c')).resolves.toBeUndefined();
    expect(await s.head('c/d')).toEqual({ size: 1 });
  });

  it('answers a store whose folder is not there yet as empty, and creates it on the first put', async () => {
    const dir = join(tempDir('store-new'), 'data', 'archive');
    mkdirSync(join(dir, '..'));
    const s = new LocalFolderStore(dir);
    expect(await s.head('x')).toBeUndefined();
    expect((await rejection(readAll(s.get('x')))).code).toBe('NOT_FOUND');
    await s.put('x', pieces(Buffer.from('x')));
    expect(await s.head('x')).toEqual({ size: 1 });
  });

  it('is unavailable, not failing, when the folder cannot be written', async () => {
    const blocker = join(tempDir('store-ro'), 'file');
    writeFileSync(blocker, '');
    const s = new LocalFolderStore(join(blocker, 'archive'));
    const err = await rejection(s.put('x', pieces(Buffer.from('x'))));
    expect(err).toBeInstanceOf(StoreError);
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(err.message).toContain('ENOTDIR');
    expect(err.message).not.toContain(blocker);
  });
});
