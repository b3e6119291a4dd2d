/**
 * One edibridge pull of the bench file in a process of its own (its peak RSS is the pull's):
 * the partner's session opened with the pinned host key, the download streamed into a local
 * archive folder (SHA-256 and size as the bytes pass), as src/mailbox/pull.ts does. Prints
 * one JSON line.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parsePartners } from '../src/transport/partners.js';
import { connectSftp } from '../src/transport/sftp/index.js';
import { LocalFolderStore } from '../src/transport/store/index.js';

export interface SftpPullChildResult {
  seconds: number;
  bytes: number;
  sha256: string;
  maxRssMb: number;
}

interface Args {
  host: string;
  port: number;
  user: string;
  keyPath: string;
  hostKey: string;
  remote: string;
  archive: string;
  bytes: number;
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2] ?? '{}') as Args;
  const [partner] = await parsePartners(
    {
      partners: [{
        id: 'bench',
        sftp: { host: a.host, port: a.port, user: a.user, auth: { privateKeyEnv: 'BENCH_KEY' }, hostKey: a.hostKey, inbound: '/inbound', outbound: '/inbound', pattern: '*.bin', afterPull: 'delete', stable: { looks: 2, seconds: 1 } },
        schedule: '* * * * *',
      }],
    },
    { env: { BENCH_KEY: readFileSync(a.keyPath, 'utf8') } },
  );
  const store = new LocalFolderStore(a.archive);
  const t0 = performance.now();
  const session = await connectSftp(partner!);
  try {
    const stored = await store.put('bench/pulled.bin', session.download(a.remote), { contentLength: a.bytes });
    const seconds = (performance.now() - t0) / 1000;
    const result: SftpPullChildResult = { seconds, bytes: stored.size, sha256: stored.sha256, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await session.close();
    await store.delete('bench/pulled.bin');
  }
}

main().catch((err: unknown) => {
  process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`);
  process.exitCode = 1;
});
