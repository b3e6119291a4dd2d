/**
 * The object-store contract on S3Store against a real S3-compatible server: s3rver on
 * loopback (TEST_S3_ENDPOINT, default http://127.0.0.1:4569; `bash infra/s3/ensure-s3rver.sh`
 * starts one), bucket TEST_S3_BUCKET (default edibridge-test), under a key prefix of this
 * file's own, removed afterwards unless a test failed. Skipped with a message when nothing
 * answers, unless EDIBRIDGE_REQUIRE_S3=1 (CI), which fails instead.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3Store, type S3StoreConfig } from '../../src/transport/store/index.js';
import { describeObjectStoreContract, pieces, rejection, sha256 } from './store-contract.js';

const ENDPOINT = process.env['TEST_S3_ENDPOINT'] || 'http://127.0.0.1:4569';
const BUCKET = process.env['TEST_S3_BUCKET'] || 'edibridge-test';
/** Set in CI: an unreachable S3 server fails the S3 tests instead of skipping them. */
const REQUIRE_S3 = process.env['EDIBRIDGE_REQUIRE_S3'] === '1';
/** s3rver's own credentials. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Whether an HTTP server answers at the endpoint (any status), and why not. */
async function probeS3(endpoint: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(3000) });
    return { ok: true };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, reason: cause?.code ?? cause?.message ?? (err as Error).message };
  }
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const probe = await probeS3(ENDPOINT);
if (!probe.ok) {
  console.warn(`No S3 server answers at ${ENDPOINT} (${probe.reason}): the S3 store tests are ${REQUIRE_S3 ? 'failed (EDIBRIDGE_REQUIRE_S3=1)' : 'skipped'}. Run bash infra/s3/ensure-s3rver.sh, or set TEST_S3_ENDPOINT.`);
  describe('S3 store', () => {
    if (REQUIRE_S3) {
      it('has an S3 server to test against (EDIBRIDGE_REQUIRE_S3=1)', () => {
        throw new Error(`No S3 server answers at ${ENDPOINT}: ${probe.reason}`);
      });
    } else {
      it.skip(`skipped: no S3 server at ${ENDPOINT}`, () => {});
    }
  });
}

describe.skipIf(!probe.ok)('S3 store', () => {
  const prefix = `test-${process.pid}-${randomBytes(3).toString('hex')}/`;
  const config = (over: Partial<S3StoreConfig> = {}): S3StoreConfig => ({
    kind: 's3',
    bucket: BUCKET,
    prefix,
    region: 'us-east-1',
    endpoint: ENDPOINT,
    forcePathStyle: true,
    maxAttempts: 3,
    credentials: CREDENTIALS,
    ...over,
  });
  const raw = new S3Client({
    endpoint: ENDPOINT,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  let store: S3Store | undefined;
  let down: S3Store | undefined;
  let failed = false;

  beforeAll(async () => {
    await raw.send(new CreateBucketCommand({ Bucket: BUCKET })).catch((err: { name?: string }) => {
      if (err.name !== 'BucketAlreadyOwnedByYou' && err.name !== 'BucketAlreadyExists') throw err;
    });
    store = new S3Store(config());
    down = new S3Store(config({ endpoint: `http://127.0.0.1:${await closedPort()}` }));
  });
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      failed = true;
    });
  });
  afterAll(async () => {
    await store?.close();
    await down?.close();
    if (failed) {
      console.warn(`a test failed: its objects are kept in s3://${BUCKET}/${prefix} at ${ENDPOINT}`);
    } else {
      for (;;) {
        const page = await raw.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
        for (const o of page.Contents ?? []) await raw.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: o.Key! }));
        if (!page.IsTruncated) break;
      }
    }
    raw.destroy();
  });

  describeObjectStoreContract('s3', {
    store: () => store!,
    down: () => down!,
  });

  it('stores exactly the bytes under the configured prefix (no chunk framing in the object)', async () => {
    const bytes = randomBytes(1_000_000);
    await store!.put('prefixed/a.bin', pieces(bytes, 65_537));
    const answer = await raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${prefix}prefixed/a.bin` }));
    const back = Buffer.from(await answer.Body!.transformToByteArray());
    expect(back.length).toBe(bytes.length);
    expect(sha256(back)).toBe(sha256(bytes));
  });

  it('fails fast with one attempt and names the store, never the credentials', async () => {
    const one = new S3Store(config({ endpoint: `http://127.0.0.1:${await closedPort()}`, maxAttempts: 1 }));
    try {
      const started = performance.now();
      const err = await rejection(one.put('x.x12', pieces(Buffer.from('x'))));
      expect(err.code).toBe('STORE_UNAVAILABLE');
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(err.message).toMatch(/ECONNREFUSED/);
      expect(err.message).toContain(BUCKET);
      expect(JSON.stringify(err.toJSON())).not.toContain('S3RVER');
    } finally {
      await one.close();
    }
  });

  it('refuses a bucket that does not exist as STORE_FAILED, not unavailable', async () => {
    const nowhere = new S3Store(config({ bucket: `edibridge-missing-${randomBytes(3).toString('hex')}` }));
    try {
      const err = await rejection(nowhere.put('x.x12', pieces(Buffer.from('x'))));
      expect(err.code).toBe('STORE_FAILED');
      expect(err.context['sdkError']).toBe('NoSuchBucket');
    } finally {
      await nowhere.close();
    }
  });
});
