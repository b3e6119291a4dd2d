/**
 * The mailbox contract (mailbox-contract.ts) on a real OpenSSH sshd (TEST_SFTP_*, from
 * `bash infra/sftp/ensure-sshd.sh`) with the archive in S3 on s3rver (TEST_S3_ENDPOINT, from
 * `bash infra/s3/ensure-s3rver.sh`), under a key prefix of this file's own. Skipped with a
 * message when either is missing, unless EDIBRIDGE_REQUIRE_SFTP=1 or EDIBRIDGE_REQUIRE_S3=1
 * (CI), which fail instead.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { S3Store } from '../../src/transport/store/index.js';
import { describeMailboxContract } from './mailbox-contract.js';

const env = process.env;
const REQUIRE_SFTP = env['EDIBRIDGE_REQUIRE_SFTP'] === '1';
const REQUIRE_S3 = env['EDIBRIDGE_REQUIRE_S3'] === '1';
const SFTP_NAMES = ['TEST_SFTP_HOST', 'TEST_SFTP_PORT', 'TEST_SFTP_USER', 'TEST_SFTP_KEY', 'TEST_SFTP_HOST_KEY', 'TEST_SFTP_ROOT'] as const;
const sftpMissing = SFTP_NAMES.filter((n) => !env[n]);
const endpoint = env['TEST_S3_ENDPOINT'];
const BUCKET = env['TEST_S3_BUCKET'] || 'edibridge-test';
/** s3rver's own credentials. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Why an HTTP server does not answer at the endpoint (any status is an answer), or undefined. */
async function s3Problem(url: string | undefined): Promise<string | undefined> {
  if (!url) return 'TEST_S3_ENDPOINT not set (run TEST_S3_ENDPOINT=$(bash infra/s3/ensure-s3rver.sh) and export it)';
  try {
    await fetch(url, { signal: AbortSignal.timeout(3000) });
    return undefined;
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return `no S3 server answers at ${url} (${cause?.code ?? cause?.message ?? (err as Error).message})`;
  }
}

const sftpProblem = sftpMissing.length ? `${sftpMissing.join(', ')} not set (run eval "$(bash infra/sftp/ensure-sshd.sh)" and export them)` : undefined;
const s3 = await s3Problem(endpoint);
const why = [sftpProblem, s3].filter((p): p is string => p !== undefined).join('; ');

if (why) {
  /** CI asks for the servers it starts: a missing one fails instead of skipping. */
  const fail = (sftpProblem !== undefined && REQUIRE_SFTP) || (s3 !== undefined && REQUIRE_S3);
  console.warn(`The mailbox tests on OpenSSH and S3 are ${fail ? 'failed (EDIBRIDGE_REQUIRE_SFTP/EDIBRIDGE_REQUIRE_S3=1)' : 'skipped'}: ${why}.`);
  describe('mailbox pull, process and deliver: OpenSSH sshd, S3 archive', () => {
    if (fail) {
      it('has sshd and S3 to test against (EDIBRIDGE_REQUIRE_SFTP=1 / EDIBRIDGE_REQUIRE_S3=1)', () => {
        throw new Error(why);
      });
    } else {
      it.skip(`skipped: ${why}`, () => {});
    }
  });
} else {
  const url = endpoint as string;
  const store = new S3Store({
    kind: 's3',
    bucket: BUCKET,
    prefix: `mailbox-${process.pid}-${randomBytes(3).toString('hex')}/`,
    region: 'us-east-1',
    endpoint: url,
    forcePathStyle: true,
    maxAttempts: 3,
    credentials: CREDENTIALS,
  });
  beforeAll(async () => {
    const raw = new S3Client({ endpoint: url, region: 'us-east-1', forcePathStyle: true, credentials: CREDENTIALS, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    try {
      await raw.send(new CreateBucketCommand({ Bucket: BUCKET })).catch((err: { name?: string }) => {
        if (err.name !== 'BucketAlreadyOwnedByYou' && err.name !== 'BucketAlreadyExists') throw err;
      });
    } finally {
      raw.destroy();
    }
  });
  afterAll(() => store.close());
  const root = env['TEST_SFTP_ROOT'] as string;
  describeMailboxContract('OpenSSH sshd, S3 archive', async () => ({
    host: env['TEST_SFTP_HOST'] as string,
    port: Number(env['TEST_SFTP_PORT']),
    user: env['TEST_SFTP_USER'] as string,
    privateKey: readFileSync(env['TEST_SFTP_KEY'] as string, 'utf8'),
    hostKey: env['TEST_SFTP_HOST_KEY'] as string,
    local: (p) => join(root, p),
    store,
  }));
}
