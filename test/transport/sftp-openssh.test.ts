/**
 * The SFTP client contract against a real OpenSSH sshd, started by
 * `bash infra/sftp/ensure-sshd.sh` (its KEY=VALUE output exported: TEST_SFTP_HOST,
 * TEST_SFTP_PORT, TEST_SFTP_USER, TEST_SFTP_KEY, TEST_SFTP_HOST_KEY, TEST_SFTP_ROOT,
 * TEST_SFTP_SSHD_PID). Skipped with a message when they are not set, unless
 * EDIBRIDGE_REQUIRE_SFTP=1 (CI), which fails instead. A dropped connection is the session
 * processes of the daemon killed with SIGKILL (the listener stays up).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { describeSftpContract, type SftpTarget } from './sftp-contract.js';

const env = process.env;
const REQUIRE_SFTP = env['EDIBRIDGE_REQUIRE_SFTP'] === '1';
const NAMES = ['TEST_SFTP_HOST', 'TEST_SFTP_PORT', 'TEST_SFTP_USER', 'TEST_SFTP_KEY', 'TEST_SFTP_HOST_KEY', 'TEST_SFTP_ROOT', 'TEST_SFTP_SSHD_PID'] as const;
const missing = NAMES.filter((n) => !env[n]);

/** The processes below the listener: one privileged monitor + one internal-sftp per session. */
function sessionPids(listener: string): string[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=', '--ppid', listener], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there are none
  }
  return out.split(/\s+/).filter(Boolean).flatMap((pid) => [pid, ...sessionPids(pid)]);
}

if (missing.length > 0) {
  const why = `${missing.join(', ')} not set; run eval "$(bash infra/sftp/ensure-sshd.sh)" and export them`;
  console.warn(`The OpenSSH SFTP contract tests are ${REQUIRE_SFTP ? 'failed (EDIBRIDGE_REQUIRE_SFTP=1)' : 'skipped'}: ${why}.`);
  describe('SFTP client contract: OpenSSH sshd', () => {
    if (REQUIRE_SFTP) {
      it('has an sshd to test against (EDIBRIDGE_REQUIRE_SFTP=1)', () => {
        throw new Error(why);
      });
    } else {
      it.skip(`skipped: ${why}`, () => {});
    }
  });
} else {
  const root = env['TEST_SFTP_ROOT'] as string;
  const listener = env['TEST_SFTP_SSHD_PID'] as string;
  const target: SftpTarget = {
    host: env['TEST_SFTP_HOST'] as string,
    port: Number(env['TEST_SFTP_PORT']),
    user: env['TEST_SFTP_USER'] as string,
    privateKey: readFileSync(env['TEST_SFTP_KEY'] as string, 'utf8'),
    hostKey: env['TEST_SFTP_HOST_KEY'] as string,
    local: (p) => join(root, p),
    breakConnections: async () => {
      const pids = sessionPids(listener);
      if (pids.length > 0) execFileSync('kill', ['-9', ...pids]);
    },
  };
  describeSftpContract('OpenSSH sshd', () => target);
}
