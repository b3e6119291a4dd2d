/**
 * The SFTP pull bench: one large file pulled over loopback SFTP the way the pull job does it
 * (src/mailbox/pull.ts: the download streamed into the object store, SHA-256 and size taken
 * as the bytes pass, the object durable in a local archive folder), beside OpenSSH's own
 * `sftp` client fetching the same file to disk in the same run. Goal: at least 0.5× of it.
 *
 * The server is a real OpenSSH sshd when TEST_SFTP_* are set (`bash infra/sftp/ensure-sshd.sh`
 * prints them; it serves /inbound under TEST_SFTP_ROOT); when they are not, the bench runs
 * that script itself if it is root, and otherwise (or when the script fails) uses edibridge's
 * in-process server (ssh2), which OpenSSH's client also talks to; the output says which. Each side runs BENCH_RUNS times; best time,
 * highest RSS (edibridge's pull runs in a child process, so its RSS is its own).
 *
 * Environment: BENCH_SFTP_MB (file size, default 300).
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { generateEd25519KeyPair, InProcessSftpServer } from '../src/transport/sftp/index.js';
import { intEnv } from './env.js';
import { fmt, table, type TargetCheck } from './report.js';
import { runJsonChild } from './run-child.js';
import type { SftpPullChildResult } from './sftp-pull-child.js';

export interface SftpPullReport {
  server: string;
  bytes: number;
  edibridge?: { seconds: number; mbPerSec: number; maxRssMb: number };
  openssh?: { seconds: number; mbPerSec: number };
  skipped?: string;
  targets: TargetCheck[];
}

const CHILD = fileURLToPath(new URL('./sftp-pull-child.js', import.meta.url));
const FLOOR_RATIO = 0.5;
/** dist-bench/bench/ → the repository's infra/sftp/ensure-sshd.sh. */
const ENSURE_SSHD = fileURLToPath(new URL('../../infra/sftp/ensure-sshd.sh', import.meta.url));
const SFTP_ENV = ['TEST_SFTP_HOST', 'TEST_SFTP_PORT', 'TEST_SFTP_USER', 'TEST_SFTP_KEY', 'TEST_SFTP_HOST_KEY', 'TEST_SFTP_ROOT'] as const;
type SftpEnv = Record<(typeof SFTP_ENV)[number], string>;

/**
 * A real sshd's TEST_SFTP_* settings: from the environment, else from ensure-sshd.sh when root
 * (it starts or reuses the daemon). `why` says why there is none.
 */
function opensshEnv(): { env: SftpEnv; how: string } | { why: string } {
  const pick = (from: Record<string, string | undefined>): SftpEnv | undefined =>
    SFTP_ENV.every((k) => from[k]) ? (Object.fromEntries(SFTP_ENV.map((k) => [k, from[k]])) as SftpEnv) : undefined;
  const given = pick(process.env);
  if (given) return { env: given, how: 'TEST_SFTP_* from the environment' };
  if (process.getuid?.() !== 0) return { why: 'TEST_SFTP_* not set and not root to run infra/sftp/ensure-sshd.sh' };
  try {
    const out = execFileSync('bash', [ENSURE_SSHD], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5 * 60_000 });
    const vars = Object.fromEntries(out.split('\n').flatMap((l) => (/^TEST_SFTP_\w+=/.test(l) ? [[l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]] : [])));
    const env = pick(vars);
    return env ? { env, how: 'started or reused by infra/sftp/ensure-sshd.sh' } : { why: 'infra/sftp/ensure-sshd.sh printed no TEST_SFTP_* settings' };
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim().split('\n').pop();
    return { why: `infra/sftp/ensure-sshd.sh failed: ${stderr || (err as Error).message}` };
  }
}

interface Target {
  name: string;
  host: string;
  port: number;
  user: string;
  keyPath: string;
  hostKey: string;
  /** The file's local path on this machine, and its path on the server. */
  local: string;
  remote: string;
  close(): Promise<void>;
}

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  const block = randomBytes(1 << 20);
  for (let written = 0; written < bytes; written += block.length) {
    if (!out.write(block.subarray(0, Math.min(block.length, bytes - written)))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  // On disk before the clock starts: else the first side measured pays the write-back of it.
  const fh = await open(path, 'r');
  await fh.sync();
  await fh.close();
}

async function target(bytes: number, work: string): Promise<Target> {
  const name = `bench-${process.pid}.bin`;
  const sshd = opensshEnv();
  if ('env' in sshd) {
    const env = sshd.env;
    const local = join(env['TEST_SFTP_ROOT'], 'inbound', name);
    await writeRandomFile(local, bytes);
    // The chroot's user reads it; the folder is theirs.
    const inbound = statSync(join(env['TEST_SFTP_ROOT'], 'inbound'));
    chownSync(local, inbound.uid, inbound.gid);
    return {
      name: `OpenSSH sshd (${sshd.how})`,
      host: env['TEST_SFTP_HOST'],
      port: Number(env['TEST_SFTP_PORT']),
      user: env['TEST_SFTP_USER'],
      keyPath: env['TEST_SFTP_KEY'],
      hostKey: env['TEST_SFTP_HOST_KEY'],
      local,
      remote: `/inbound/${name}`,
      close: async () => rmSync(local, { force: true }),
    };
  }
  const key = generateEd25519KeyPair('bench');
  const keyPath = join(work, 'client_ed25519');
  writeFileSync(keyPath, key.privateKey, { mode: 0o600 });
  const server = await InProcessSftpServer.start({ user: 'bench', publicKey: key.publicKey, folders: ['/inbound'] });
  const local = server.localPath(`/inbound/${name}`);
  await writeRandomFile(local, bytes);
  return {
    name: `in-process server (ssh2), not OpenSSH sshd: ${sshd.why}`,
    host: server.host,
    port: server.port,
    user: 'bench',
    keyPath,
    hostKey: server.hostKey.fingerprint,
    local,
    remote: `/inbound/${name}`,
    close: () => server.close(),
  };
}

/** OpenSSH's sftp client fetching the file to disk: seconds. */
function opensshGet(t: Target, to: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = execFile(
      'sftp',
      ['-q', '-b', '-', '-P', String(t.port), '-i', t.keyPath, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', `${t.user}@${t.host}`],
      { timeout: 15 * 60_000 },
      (err) => (err ? reject(err) : resolve((performance.now() - t0) / 1000)),
    );
    child.stdin?.end(`get ${t.remote} ${to}\n`);
  });
}

export async function runSftpPullBench(): Promise<SftpPullReport> {
  const mb = intEnv('BENCH_SFTP_MB', 300, 1);
  const runs = intEnv('BENCH_RUNS', 1, 1);
  const bytes = mb * 1_000_000;
  const work = mkdtempSync(join(tmpdir(), 'edibridge-bench-sftp-'));
  const t = await target(bytes, work);
  const report: SftpPullReport = { server: t.name, bytes, targets: [] };
  try {
    console.log(`sftp pull bench: ${mb} MB over loopback, ${t.name}`);
    let best: { seconds: number; maxRssMb: number } | undefined;
    let rss = 0;
    for (let i = 0; i < runs; i++) {
      const run = await runJsonChild<SftpPullChildResult & { error?: string }>(
        [CHILD, JSON.stringify({ host: t.host, port: t.port, user: t.user, keyPath: t.keyPath, hostKey: t.hostKey, remote: t.remote, archive: join(work, 'archive'), bytes })],
        15 * 60_000,
      );
      const r = run.parsed;
      if (!r || r.error !== undefined || r.bytes !== bytes) throw new Error(`edibridge pull failed: ${r?.error ?? run.stderr.slice(-400)}`);
      rss = Math.max(rss, r.maxRssMb);
      if (!best || r.seconds < best.seconds) best = r;
    }
    report.edibridge = { seconds: best!.seconds, mbPerSec: Math.round((mb / best!.seconds) * 10) / 10, maxRssMb: rss };
    let ssh: number | undefined;
    for (let i = 0; i < runs; i++) {
      const to = join(work, 'openssh.bin');
      try {
        const s = await opensshGet(t, to);
        if (statSync(to).size !== bytes) throw new Error('short file');
        ssh = ssh === undefined ? s : Math.min(ssh, s);
      } catch (err) {
        report.skipped = `OpenSSH sftp client: ${(err as Error).message}`;
      } finally {
        rmSync(to, { force: true });
      }
    }
    if (ssh !== undefined) report.openssh = { seconds: ssh, mbPerSec: Math.round((mb / ssh) * 10) / 10 };
    const ratio = report.openssh ? report.edibridge.mbPerSec / report.openssh.mbPerSec : undefined;
    report.targets.push({
      name: `SFTP pull ${mb} MB (stream + SHA-256 + archive) ≥ ${FLOOR_RATIO}× OpenSSH sftp`,
      value: ratio === undefined ? `${fmt(report.edibridge.mbPerSec, 1)} MB/s (no OpenSSH peer)` : `${ratio.toFixed(2)}× (${fmt(report.edibridge.mbPerSec, 1)} vs ${fmt(report.openssh!.mbPerSec, 1)} MB/s)`,
      verdict: ratio === undefined ? 'n/a' : ratio >= FLOOR_RATIO ? 'PASS' : 'MISS',
    });
    return report;
  } finally {
    await t.close();
    rmSync(work, { recursive: true, force: true });
  }
}

export function sftpPullTable(r: SftpPullReport): string {
  const rows = [['subject', 'seconds', 'MB/s', 'vs OpenSSH', 'peak RSS MB']];
  if (r.edibridge) {
    const ratio = r.openssh ? `${(r.edibridge.mbPerSec / r.openssh.mbPerSec).toFixed(2)}×` : '-';
    rows.push(['edibridge pull (download → SHA-256 → archive)', fmt(r.edibridge.seconds, 2), fmt(r.edibridge.mbPerSec, 1), ratio, fmt(r.edibridge.maxRssMb)]);
  }
  if (r.openssh) rows.push(['OpenSSH sftp get (to disk)', fmt(r.openssh.seconds, 2), fmt(r.openssh.mbPerSec, 1), '1.00×', '-']);
  return `SFTP pull, ${fmt(r.bytes / 1e6)} MB over loopback, ${r.server}\n${table(rows)}${r.skipped ? `\n(${r.skipped})` : ''}`;
}

