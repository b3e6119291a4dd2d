/**
 * Pull → process → deliver on a real OpenSSH sshd (TEST_SFTP_*, from
 * `bash infra/sftp/ensure-sshd.sh`) with the archive in S3 on s3rver (TEST_S3_ENDPOINT, from
 * `bash infra/s3/ensure-s3rver.sh`). Skipped with a message when either is missing, unless
 * EDIBRIDGE_REQUIRE_SFTP=1 or EDIBRIDGE_REQUIRE_S3=1 (CI), which fail instead.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { S3Store } from '../../src/transport/store/index.js';
import { describePullDeliver } from './pull-deliver-contract.js';

const env = process.env;
const sftpMissing = ['TEST_SFTP_HOST', 'TEST_SFTP_PORT', 'TEST_SFTP_USER', 'TEST_SFTP_KEY', 'TEST_SFTP_HOST_KEY', 'TEST_SFTP_ROOT'].filter((n) => !env[n]);
const endpoint = env['TEST_S3_ENDPOINT'] || 'http://127.0.0.1:4569';
const s3Answers = await fetch(endpoint, { signal: AbortSignal.timeout(3000) }).then(() => true, () => false);
const required = env['EDIBRIDGE_REQUIRE_SFTP'] === '1' || env['EDIBRIDGE_REQUIRE_S3'] === '1';
const why = [...(sftpMissing.length ? [`${sftpMissing.join(', ')} not set (run eval "$(bash infra/sftp/ensure-sshd.sh)")`] : []), ...(s3Answers ? [] : [`no S3 server at ${endpoint} (run bash infra/s3/ensure-s3rver.sh)`])].join('; ');

if (why) {
  console.warn(`Pull and delivery on OpenSSH and S3 are ${required ? 'failed' : 'skipped'}: ${why}.`);
  describe('pull, process and deliver: OpenSSH sshd, S3 archive', () => {
    if (required) it('has sshd and S3 to test against', () => { throw new Error(why); });
    else it.skip(`skipped: ${why}`, () => {});
  });
} else {
  const store = new S3Store({
    kind: 's3',
    bucket: env['TEST_S3_BUCKET'] || 'edibridge-test',
    prefix: `pull-${process.pid}-${randomBytes(3).toString('hex')}/`,
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    maxAttempts: 3,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  afterAll(() => store.close());
  const root = env['TEST_SFTP_ROOT'] as string;
  describePullDeliver('OpenSSH sshd, S3 archive', async () => ({
    host: env['TEST_SFTP_HOST'] as string,
    port: Number(env['TEST_SFTP_PORT']),
    user: env['TEST_SFTP_USER'] as string,
    privateKey: readFileSync(env['TEST_SFTP_KEY'] as string, 'utf8'),
    hostKey: env['TEST_SFTP_HOST_KEY'] as string,
    local: (p) => join(root, p),
    store,
  }));
}
