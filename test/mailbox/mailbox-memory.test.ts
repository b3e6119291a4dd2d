/**
 * The mailbox contract (mailbox-contract.ts) on the in-process SFTP server with the local
 * archive folder, always run; then the schedules (src/mailbox/schedule.ts), which need no
 * server: a slot claimed by one replica only, and two schedulers on one database firing each
 * slot once between them.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { claimScheduledRun, startSchedules, type Schedules } from '../../src/mailbox/schedule.js';
import { parsePartners, type PartnerConnection } from '../../src/transport/partners.js';
import { InProcessSftpServer, generateEd25519KeyPair } from '../../src/transport/sftp/index.js';
import { LocalFolderStore } from '../../src/transport/store/index.js';
import { useSampleDb } from '../support/sample-db.js';
import { useTempDirs } from '../support/tmp.js';
import { describeMailboxContract, type MailboxTarget } from './mailbox-contract.js';

const key = generateEd25519KeyPair('mailbox@test');
const tempDir = useTempDirs();
let server: InProcessSftpServer;
let store: LocalFolderStore;

beforeAll(async () => {
  server = await InProcessSftpServer.start({ user: 'acme', publicKey: key.publicKey, folders: ['/inbound', '/outbound', '/archive'] });
  store = new LocalFolderStore(tempDir('mailbox-archive'));
});
afterAll(async () => {
  await server?.close();
});

describeMailboxContract('in-process SFTP server, local archive', async (): Promise<MailboxTarget> => ({
  host: server.host,
  port: server.port,
  user: 'acme',
  privateKey: key.privateKey,
  hostKey: server.hostKey.fingerprint,
  local: (p) => server.localPath(p),
  store,
}));

describe('scheduled pulls across replicas', () => {
  const db = useSampleDb();
  const log = silentLogger();
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('a (task, slot) claimed by two replicas at once is won by exactly one, and recorded as its run', async () => {
    const task = `pull-claim-${randomBytes(3).toString('hex')}`;
    const slot = new Date('2026-11-23T10:05:00Z');
    const won = await Promise.all(['replica-a', 'replica-b'].map(async (replica) => ({ replica, won: await claimScheduledRun(db(), task, slot, replica) })));
    const winners = won.filter((w) => w.won);
    expect(winners).toHaveLength(1);
    // A replica waking late for the same slot does not run it again; the next slot is free.
    expect(await claimScheduledRun(db(), task, slot, 'replica-c')).toBe(false);
    expect(await claimScheduledRun(db(), task, new Date('2026-11-23T10:10:00Z'), 'replica-b')).toBe(true);
    const runs = await db().query<{ slot: string; run_by: string }>(
      `select to_char(slot at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') as slot, run_by from schedule_run where task = $1 order by slot`,
      [task],
    );
    expect(runs.rows).toEqual([
      { slot: '2026-11-23T10:05:00', run_by: winners[0]!.replica },
      { slot: '2026-11-23T10:10:00', run_by: 'replica-b' },
    ]);
  });

  it('two schedulers on one database fire a partner’s every-second pull once per slot between them', async () => {
    const [partner] = await parsePartners(
      {
        partners: [{
          id: 'acme',
          sftp: {
            host: '127.0.0.1', port: 22, user: 'acme', auth: { passwordEnv: 'PW' }, hostKey: key.fingerprint,
            inbound: '/inbound', outbound: '/outbound', pattern: '*.x12', afterPull: 'delete', stable: { doneMarker: '.done' },
          },
          schedule: '*/1 * * * * *',
        }],
      },
      { env: { PW: 'unused' } },
    );
    const fired: Array<{ replica: string; partner: string; slot: Date }> = [];
    const started: Schedules[] = [];
    try {
      for (const replica of ['replica-a', 'replica-b']) {
        started.push(startSchedules({ db: db(), log, replica }, [partner!], async (p: PartnerConnection, slot) => void fired.push({ replica, partner: p.id, slot })));
      }
      await sleep(3200);
    } finally {
      for (const s of started) await s.stop();
    }
    await sleep(300); // a claim answered just before stop() fires right after it
    const slots = fired.map((f) => f.slot.toISOString());
    expect(slots.length).toBeGreaterThanOrEqual(2);
    expect(slots.length).toBeLessThanOrEqual(4);
    expect(new Set(slots).size).toBe(slots.length);
    expect(fired.every((f) => f.partner === 'acme' && f.slot.getUTCMilliseconds() === 0)).toBe(true);
    // What each replica fired is what it won in schedule_run, slot for slot.
    const runs = await db().query<{ slot: Date; run_by: string }>("select slot, run_by from schedule_run where task = 'pull-acme' order by slot");
    expect(runs.rows.map((r) => [new Date(r.slot).toISOString(), r.run_by])).toEqual(
      [...fired].sort((x, y) => x.slot.getTime() - y.slot.getTime()).map((f) => [f.slot.toISOString(), f.replica]),
    );
  });
});
