/**
 * The process-file job on the engine (PGlite): a file archived in the object store is read
 * back from the store and ingested as its partner's; the same archived bytes sent again are a
 * resend and change nothing.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app/context.js';
import { jobHandlers } from '../../src/app/jobs.js';
import { loadConfig } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import { createMetrics } from '../../src/core/metrics.js';
import { createEngine } from '../../src/worker/engine.js';
import { unclosable } from '../db/harness.js';
import { SAMPLES, useSampleDb } from '../support/sample-db.js';
import { useTempDirs } from '../support/tmp.js';
import { waitFor } from './engine-contract.js';

const db = useSampleDb();
const tempDir = useTempDirs();
const log = createLogger({ level: 'silent' });

describe('process-file job', () => {
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
  });

  it('ingests the archived file once; the same bytes again are a resend', async () => {
    const root = tempDir('process-file');
    const env = { EDIBRIDGE_DATA_DIR: root, EDIBRIDGE_PHI_KEY: Buffer.alloc(32, 4).toString('hex'), EDIBRIDGE_ACK_DIR: join(root, 'acks') };
    const app = createAppContext(loadConfig(env), log, { openDb: async () => unclosable(db()), now: () => new Date('2026-11-23T10:00:00Z') });
    closers.push(() => app.close());
    const key = 'acme/2026-11-23/enrollment-834-open-enrollment.x12';
    const stored = await app.store().put(key, createReadStream(join(SAMPLES, 'enrollment-834-open-enrollment.x12')));
    expect(stored.size).toBeGreaterThan(0);

    const engine = createEngine({ db: db(), log, metrics: createMetrics(), config: { schema: 'jobs_process_file', migrate: true, pollSeconds: 0.5, shutdownSeconds: 5, maintenanceSeconds: 3600 } });
    closers.push(() => engine.stop({ graceful: false }));
    await engine.start();
    const handler = jobHandlers(app, engine)['process-file'];
    expect(handler).toBeDefined();
    await engine.work('process-file', handler!);

    const first = await engine.send('process-file', { partnerId: 'acme', fileId: key });
    await waitFor('the first job done', async () => (await engine.boss.getJobById('process-file', first as string))?.state === 'completed');
    const done = await engine.boss.getJobById<Record<string, unknown>>('process-file', first as string);
    expect(done?.output).toMatchObject({ status: 'processed' });
    const members = async (): Promise<number> => Number((await db().query<{ n: string }>('select count(*)::text as n from member')).rows[0]!.n);
    expect(await members()).toBe(3);
    const files = await db().query<{ file_name: string; status: string; sha256: string }>('select file_name, status, sha256 from inbound_file');
    expect(files.rows).toEqual([{ file_name: 'enrollment-834-open-enrollment.x12', status: 'processed', sha256: stored.sha256 }]);

    const again = await engine.send('process-file', { partnerId: 'acme', fileId: key });
    await waitFor('the second job done', async () => (await engine.boss.getJobById('process-file', again as string))?.state === 'completed');
    expect((await engine.boss.getJobById<Record<string, unknown>>('process-file', again as string))?.output).toMatchObject({ status: 'duplicate' });
    expect(await members()).toBe(3);
  });
});
