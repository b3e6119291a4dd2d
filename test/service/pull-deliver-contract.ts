/**
 * Pull → archive → process → deliver against a real target: an SFTP server serving
 * `/inbound`, `/outbound` and `/archive`, and an object store. Run on the in-process server
 * with the local store (always) and on OpenSSH sshd with S3 on s3rver (when CI starts them).
 * File names carry a run id, so a shared server's folders can hold other runs' files.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { enrollmentHandler } from '../../src/enrollment/handler.js';
import { handlerRegistry } from '../../src/ingest/handlers.js';
import { processArchivedFile } from '../../src/ingest/process-archived.js';
import { deliverAcknowledgements } from '../../src/mailbox/deliver.js';
import { pullPartner } from '../../src/mailbox/pull.js';
import { parsePartners, type PartnerConnection } from '../../src/transport/partners.js';
import type { ObjectStore } from '../../src/transport/store/object-store.js';
import { NOW, build834, phi, subscriber } from '../enrollment/build834.js';
import { sha256, type SftpTarget } from '../transport/sftp-contract.js';
import { SAMPLES, useSampleDb } from '../support/sample-db.js';

/** An SFTP target (test/transport/sftp-contract.ts) with an object store beside it. */
export interface MailboxTarget extends Omit<SftpTarget, 'breakConnections'> {
  store: ObjectStore;
}

export function describePullDeliver(name: string, target: () => Promise<MailboxTarget>): void {
  describe(`pull, process and deliver: ${name}`, () => {
    const db = useSampleDb();
    const run = randomBytes(4).toString('hex');
    const written: string[] = [];
    afterAll(() => {
      for (const p of written) rmSync(p, { force: true });
    });

    async function partner(t: MailboxTarget): Promise<PartnerConnection> {
      const [p] = await parsePartners(
        {
          partners: [{
            id: 'acme',
            sftp: {
              host: t.host, port: t.port, user: t.user, auth: { privateKeyEnv: 'PULL_TEST_KEY' }, hostKey: t.hostKey,
              inbound: '/inbound', outbound: '/outbound', pattern: `/^${run}-.*\\.x12$/`, afterPull: { move: '/archive' }, stable: { looks: 2, seconds: 1 },
            },
            schedule: '*/5 * * * *',
          }],
        },
        { env: { PULL_TEST_KEY: t.privateKey } },
      );
      return p!;
    }

    it('archives each complete file once, answers every one and delivers each acknowledgement once', async () => {
      const t = await target();
      const acme = await partner(t);
      const enrollment = build834([subscriber(`88${run.slice(0, 4).replace(/[a-f]/g, '1')}`, { first: 'PULLED', coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP' }] })]);
      const files = {
        enrollment: `${run}-enrollment.x12`,
        resend: `${run}-enrollment-again.x12`,
        unreadable: `${run}-scan.x12`,
      };
      const put = (file: string, body: string | Buffer): void => {
        const p = t.local(`/inbound/${file}`);
        writeFileSync(p, body);
        written.push(p, t.local(`/archive/${file}`));
      };
      put(files.enrollment, enrollment);
      put(files.resend, enrollment);
      put(files.unreadable, readFileSync(join(SAMPLES, 'reference-data.yaml')));

      const enqueued: string[] = [];
      const pulled = await pullPartner(
        { db: db(), store: t.store, log: silentLogger(), now: () => NOW, stableIntervalMs: 100, enqueueFile: async (_tx, f) => void enqueued.push(f.archiveKey) },
        acme,
      );
      const byName = new Map(pulled.pulled.map((p) => [p.remotePath.split('/').pop()!, p]));
      expect(byName.size).toBe(3);
      expect(byName.get(files.enrollment)?.outcome === 'new' || byName.get(files.resend)?.outcome === 'new').toBe(true);
      expect([...byName.values()].map((p) => p.outcome).sort()).toEqual(['duplicate-content', 'new', 'new']);
      expect(enqueued).toHaveLength(2);
      // The archive holds the bytes as sent; the remote files left the inbound folder for the archive folder.
      for (const [file, p] of byName) {
        const chunks: Buffer[] = [];
        for await (const c of t.store.get(p.archiveKey)) chunks.push(c);
        expect(sha256(Buffer.concat(chunks))).toBe(sha256(readFileSync(t.local(`/archive/${file}`))));
        expect(existsSync(t.local(`/inbound/${file}`))).toBe(false);
      }
      // A second pull finds nothing.
      expect((await pullPartner({ db: db(), store: t.store, log: silentLogger(), now: () => NOW, stableIntervalMs: 100, enqueueFile: async () => undefined }, acme)).found).toBe(0);

      const handlers = handlerRegistry(enrollmentHandler({ phi }));
      for (const key of enqueued) {
        await processArchivedFile({ db: db(), store: t.store, handlers, now: () => NOW, log: silentLogger(), delivery: { ta1: 'on-error', '999': true } }, { partnerId: 'acme', key });
      }
      const statuses = await db().query<{ file_name: string; status: string }>('select file_name, status from inbound_file where file_name like $1 order by file_name', [`${run}-%`]);
      expect(statuses.rows.map((r) => r.status).sort()).toEqual(['processed', 'rejected']);
      const unreadable = await db().query<{ category: string }>("select e.category from exception e join inbound_file f on f.id = e.file_id where f.file_name = $1", [files.unreadable]);
      expect(unreadable.rows).toEqual([{ category: 'unreadable-file' }]);

      const delivered = await deliverAcknowledgements({ db: db(), log: silentLogger() }, acme);
      const mine = delivered.delivered;
      // The 834: a 999 (its ISA14 asks for no TA1); the unreadable file: a TA1.
      expect(mine.map((d) => d.kind).sort()).toEqual(['999', 'TA1']);
      for (const d of mine) {
        const body = (await db().query<{ body: string }>('select body from outbound_acknowledgement where id = $1', [d.id])).rows[0]!.body;
        expect(readFileSync(t.local(d.remotePath), 'latin1')).toBe(body);
        written.push(t.local(d.remotePath));
      }
      expect(readdirSync(t.local('/outbound')).filter((n) => n.endsWith('.part'))).toEqual([]);
      expect((await deliverAcknowledgements({ db: db(), log: silentLogger() }, acme)).delivered).toEqual([]);
    });
  });
}
