/**
 * An ingest stopped by its signal (a job that expired, a service stopping) ends before its
 * next transaction set: the sets committed stay, the one begun is whole, the file is left
 * failed to resume, and running it again applies the rest once.
 */
import { describe, expect, it } from 'vitest';
import { enrollmentHandler } from '../../src/enrollment/handler.js';
import { handlerRegistry } from '../../src/ingest/handlers.js';
import { ingestFile } from '../../src/ingest/ingest.js';
import { NOW, ackDir, count, interchange, phi, subscriber, useEnrollmentDb, writeTemp } from '../enrollment/build834.js';

describe('an aborted ingest', () => {
  const db = useEnrollmentDb();

  it('stops between sets and resumes without doubling', async () => {
    const sets = [1, 2, 3].map((n) => ({ members: [subscriber(`77${n}0`, { first: `ABORT${n}`, coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP' }] })] }));
    const path = writeTemp(interchange({ sets }));
    const stop = new AbortController();
    // Aborted as the first set commits: the second is never begun.
    const handlers = handlerRegistry(enrollmentHandler({ phi, onSetCommitted: () => stop.abort(new Error('job expired')) }));
    await expect(ingestFile(path, { db: db(), handlers, now: () => NOW, ackDir: ackDir(), signal: stop.signal })).rejects.toThrow('job expired');
    expect(await count(db(), 'member')).toBe(1);
    expect((await db().query<{ status: string }>('select status from inbound_file')).rows).toEqual([{ status: 'failed' }]);

    const resumed = await ingestFile(path, { db: db(), handlers: handlerRegistry(enrollmentHandler({ phi })), now: () => NOW, ackDir: ackDir() });
    expect(resumed).toMatchObject({ status: 'processed', resumed: true });
    expect(await count(db(), 'member')).toBe(3);
    expect(await count(db(), 'inbound_set')).toBe(3);
  });
});
