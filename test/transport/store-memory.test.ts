/**
 * `put` streams: a 64 MB generated body goes to the local store while resident memory grows
 * by well under the file's size (at most 32 MB over the baseline), in a test file of its own
 * so that no other test's allocations blur the measure.
 *
 * The body is made of fresh buffers, as a network source's are. V8 collects such garbage
 * only once tens of MB of it have piled up, which alone can add 30–60 MB of RSS whatever
 * `put` does; so the test collects every 8 MB (the `gc` function is reached through V8's
 * flags), and what remains of the growth is what `put` holds on to.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { LocalFolderStore } from '../../src/transport/store/index.js';
import { useTempDirs } from '../support/tmp.js';

const tempDir = useTempDirs();
const MB = 1024 * 1024;

function collector(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('object store memory', () => {
  it('puts a 64 MB stream to the local store with RSS growth under 32 MB', async () => {
    const store = new LocalFolderStore(join(tempDir('store-memory'), 'archive'));
    const total = 64 * MB;
    const piece = 256 * 1024;
    const expected = createHash('sha256');
    const gc = collector();
    gc();
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    async function* generated(): AsyncGenerator<Uint8Array> {
      for (let offset = 0, n = 0; offset < total; offset += piece, n++) {
        const chunk = Buffer.allocUnsafe(piece); // a fresh buffer each time, as a network source gives
        chunk.fill(n & 0xff);
        chunk.writeUInt32BE(n, 0);
        expected.update(chunk);
        if (n % 32 === 31) gc();
        peak = Math.max(peak, process.memoryUsage.rss());
        yield chunk;
      }
    }
    const stored = await store.put('big/64mb.bin', generated());
    peak = Math.max(peak, process.memoryUsage.rss());
    expect(stored.size).toBe(total);
    expect(stored.sha256).toBe(expected.digest('hex'));
    expect(await store.head('big/64mb.bin')).toEqual({ size: total });
    const growth = (peak - baseline) / MB;
    console.log(`local put of 64 MB: RSS ${(baseline / MB).toFixed(0)} MB → peak ${(peak / MB).toFixed(0)} MB (+${growth.toFixed(1)} MB)`);
    expect(growth).toBeLessThan(32);
  });
});
