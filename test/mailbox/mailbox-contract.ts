/**
 * The mailbox services against a real target: pullPartner (src/mailbox/pull.ts) taking a
 * partner's files into the raw-file archive, processArchivedFile answering them, and
 * deliverAcknowledgements (src/mailbox/deliver.ts) leaving the answers in the partner's folder.
 * Run on the in-process SFTP server with the local archive folder (mailbox-memory.test.ts,
 * always) and on OpenSSH sshd with the archive in S3 on s3rver (mailbox-openssh.test.ts).
 *
 * A target serves `/inbound`, `/outbound` and `/archive` (writable by the partner's user) and
 * lets the test reach the served files on this machine (`local`). Targets are shared: every
 * file a test leaves carries this run's id and a test number, each partner's pattern only
 * sees the test's own files, every 834 has an ISA13 of its own (so the acknowledgements'
 * names, made of control numbers, are new too), and what the tests leave on the server is
 * removed afterwards. The database (PGlite with the sample reference data: acme =
 * ZZ/ACMEEMPLOYER) is the test file's own.
 */
import { randomBytes, createHash } from 'node:crypto';
import { appendFile, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EdiBridgeError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Db } from '../../src/db/db.js';
import { enrollmentHandler } from '../../src/enrollment/handler.js';
import { handlerRegistry } from '../../src/ingest/handlers.js';
import type { IngestResult } from '../../src/ingest/ingest.js';
import { processArchivedFile } from '../../src/ingest/process-archived.js';
import { deliverAcknowledgements, remoteAckName } from '../../src/mailbox/deliver.js';
import { ackRouting } from '../../src/mailbox/files.js';
import { pullPartner, type PullDeps, type PulledFile } from '../../src/mailbox/pull.js';
import { parsePartners, type PartnerConnection } from '../../src/transport/partners.js';
import { connectSftp } from '../../src/transport/sftp/index.js';
import type { ObjectStore } from '../../src/transport/store/object-store.js';
import { NOW, SUMMIT, build834, nextControl, phi, subscriber } from '../enrollment/build834.js';
import { SAMPLES, useSampleDb } from '../support/sample-db.js';
import { sha256, type SftpTarget } from '../transport/sftp-contract.js';

/** An SFTP target (test/transport/sftp-contract.ts) with the object store the archive goes to. */
export interface MailboxTarget extends Omit<SftpTarget, 'breakConnections'> {
  store: ObjectStore;
}

/** What the pull handed to `enqueueFile`, and the file's status as the same transaction saw it. */
interface Enqueued {
  partnerId: string;
  archiveKey: string;
  statusInTx: string | undefined;
}

interface PartnerOptions {
  pattern: string;
  afterPull?: 'delete' | { move: string };
  stable?: { looks: number; seconds: number } | { doneMarker: string };
  hostKey?: string;
  acks?: { ta1?: 'on-error' | 'always' | 'never'; '999'?: boolean };
}

/** The elements of each segment of an X12 text, delimiters read from its ISA. */
function segments(text: string): string[][] {
  expect(text.startsWith('ISA')).toBe(true);
  const element = text[3]!;
  const terminator = text[105]!;
  return text
    .split(terminator)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => s.split(element));
}

function segment(text: string, id: string): string[] {
  const found = segments(text).find((s) => s[0] === id);
  if (!found) throw new Error(`no ${id} segment in ${JSON.stringify(text.slice(0, 200))}`);
  return found;
}

export function describeMailboxContract(name: string, target: () => Promise<MailboxTarget>): void {
  describe(`mailbox pull, process and deliver: ${name}`, () => {
    const db = useSampleDb();
    const log = silentLogger();
    const run = `mb${randomBytes(4).toString('hex')}`;
    let n = 0;
    /** A fresh file-name prefix for one test. */
    const prefix = (): string => `${run}-${++n}-`;
    const past = new Date(Date.now() - 3600_000);
    let served: MailboxTarget | undefined;
    const archived: string[] = [];
    /** Acknowledgements left in the outbound folder (named by kind and control numbers, not by the test). */
    const delivered: string[] = [];

    afterAll(async () => {
      if (!served) return;
      for (const folder of ['/inbound', '/outbound', '/archive']) {
        const names = await readdir(served.local(folder)).catch(() => [] as string[]);
        for (const file of names) if (file.includes(run)) await rm(served.local(`${folder}/${file}`), { force: true });
      }
      for (const path of delivered) await rm(served.local(path), { force: true });
      for (const key of archived) await served.store.delete(key).catch(() => undefined);
    });

    async function open(): Promise<MailboxTarget> {
      served = await target();
      return served;
    }

    async function partnerOf(t: MailboxTarget, o: PartnerOptions): Promise<PartnerConnection> {
      const [p] = await parsePartners(
        {
          partners: [
            {
              id: 'acme',
              sftp: {
                host: t.host,
                port: t.port,
                user: t.user,
                auth: { privateKeyEnv: 'MAILBOX_TEST_KEY' },
                hostKey: o.hostKey ?? t.hostKey,
                inbound: '/inbound',
                outbound: '/outbound',
                pattern: o.pattern,
                afterPull: o.afterPull ?? { move: '/archive' },
                stable: o.stable ?? { looks: 2, seconds: 1 },
              },
              schedule: '*/5 * * * *',
              ...(o.acks ? { acks: o.acks } : {}),
            },
          ],
        },
        { env: { MAILBOX_TEST_KEY: t.privateKey } },
      );
      if (!p) throw new Error('no partner');
      return p;
    }

    /** The test's own files: `<prefix>….x12`. */
    const only = (p: string): string => `/^${p}.*\\.x12$/`;

    /** Leaves a file in a server folder as a partner's client would, its mtime an hour ago. */
    async function seed(t: MailboxTarget, serverPath: string, bytes: Buffer | string): Promise<Buffer> {
      const path = t.local(serverPath);
      const body = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'latin1');
      await writeFile(path, body);
      await utimes(path, past, past);
      return body;
    }

    const exists = (t: MailboxTarget, serverPath: string): Promise<boolean> => stat(t.local(serverPath)).then(() => true, () => false);

    function deps(t: MailboxTarget, enqueued: Enqueued[], over: Partial<PullDeps> = {}): PullDeps {
      return {
        db: db(),
        store: t.store,
        log,
        now: () => NOW,
        stableIntervalMs: 200,
        enqueueFile: async (tx: Db, file) => {
          // In the transaction that registers the file: it sees the row before it is committed.
          const { rows } = await tx.query<{ status: string }>('select status from inbound_file where archive_key = $1', [file.archiveKey]);
          enqueued.push({ ...file, statusInTx: rows[0]?.status });
        },
        ...over,
      };
    }

    async function pull(t: MailboxTarget, partner: PartnerConnection, enqueued: Enqueued[], over: Partial<PullDeps> = {}) {
      const result = await pullPartner(deps(t, enqueued, over), partner);
      archived.push(...result.pulled.map((f) => f.archiveKey));
      return result;
    }

    async function deliver(partner: PartnerConnection) {
      const result = await deliverAcknowledgements({ db: db(), log }, partner);
      delivered.push(...result.delivered.map((d) => d.remotePath));
      return result;
    }

    async function archiveBytes(t: MailboxTarget, key: string): Promise<Buffer> {
      const chunks: Buffer[] = [];
      for await (const c of t.store.get(key)) chunks.push(c);
      return Buffer.concat(chunks);
    }

    const byFile = (pulled: PulledFile[]): Map<string, PulledFile> => new Map(pulled.map((f) => [f.remotePath.split('/').pop()!, f]));

    async function processed(t: MailboxTarget, partner: PartnerConnection, key: string): Promise<IngestResult> {
      return processArchivedFile(
        { db: db(), store: t.store, handlers: handlerRegistry(enrollmentHandler({ phi })), now: () => NOW, log, ...ackRouting(partner, '/nonexistent') },
        { partnerId: 'acme', key },
      );
    }

    interface AckRow {
      id: string;
      kind: 'TA1' | '999';
      name: string;
      isa_control: string;
      body: string;
      delivery: string;
      remote_path: string | null;
      delivered: boolean;
      last_error: string | null;
    }
    async function acksOf(fileId: string): Promise<AckRow[]> {
      const { rows } = await db().query<AckRow>(
        `select id::text as id, kind, name, isa_control::text as isa_control, body, delivery, remote_path,
                delivered_at is not null as delivered, last_error
           from outbound_acknowledgement where file_id = $1 order by kind`,
        [fileId],
      );
      return rows;
    }

    async function exceptionsOf(fileId: string): Promise<string[]> {
      const { rows } = await db().query<{ category: string }>('select category from exception where file_id = $1 order by id', [fileId]);
      return rows.map((r) => r.category);
    }

    async function fileRow(fileId: string): Promise<{ file_name: string; status: string; archive_key: string | null; sha256: string }> {
      const { rows } = await db().query<{ file_name: string; status: string; archive_key: string | null; sha256: string }>(
        'select file_name, status, archive_key, sha256 from inbound_file where id = $1',
        [fileId],
      );
      expect(rows).toHaveLength(1);
      return rows[0]!;
    }

    it('pulls each stable file into the archive, registers it, sends its job in the same transaction, then moves it to the archive folder; a file still growing is left', async () => {
      const t = await open();
      const p = prefix();
      const acme = await partnerOf(t, { pattern: only(p) });
      const names = { a: `${p}a.x12`, b: `${p}b.x12`, growing: `${p}growing.x12` };
      const bodies = {
        a: await seed(t, `/inbound/${names.a}`, build834([subscriber(String(nextControl()), { first: 'PULLA' })])),
        b: await seed(t, `/inbound/${names.b}`, build834([subscriber(String(nextControl()), { first: 'PULLB' })])),
      };
      const partial = await seed(t, `/inbound/${names.growing}`, build834([subscriber(String(nextControl()))]).slice(0, 120));

      // The partner's client is still writing the third file: it grows right after the first look.
      let looks = 0;
      const enqueued: Enqueued[] = [];
      const result = await pull(t, acme, enqueued, {
        connect: async (partner) => {
          const session = await connectSftp(partner);
          const list = session.list.bind(session);
          session.list = async (folder, pattern) => {
            const listed = await list(folder, pattern);
            if (++looks === 1) await appendFile(t.local(`/inbound/${names.growing}`), 'ST*834*0001*005010X220A1~\n');
            return listed;
          };
          return session;
        },
      });

      expect(looks).toBe(2);
      expect(result.found).toBe(2);
      const pulled = byFile(result.pulled);
      expect([...pulled.keys()].sort()).toEqual([names.a, names.b]);
      for (const [file, body] of [[names.a, bodies.a], [names.b, bodies.b]] as const) {
        const f = pulled.get(file)!;
        expect(f).toMatchObject({ remotePath: `/inbound/${file}`, outcome: 'new', bytes: body.length, resumed: false, remote: 'moved' });
        // The archive holds the bytes as sent.
        expect(sha256(await archiveBytes(t, f.archiveKey))).toBe(sha256(body));
        expect(await t.store.head(f.archiveKey)).toEqual({ size: body.length });
        expect(await fileRow(f.fileId)).toEqual({ file_name: file, status: 'received', archive_key: f.archiveKey, sha256: sha256(body) });
        // The remote copy left the inbound folder for the archive folder, unchanged.
        expect(await exists(t, `/inbound/${file}`)).toBe(false);
        expect(sha256(await readFile(t.local(`/archive/${file}`)))).toBe(sha256(body));
      }
      const transfers = await db().query<{ remote_path: string; outcome: string; file_id: string; archive_key: string; sha256: string; size_bytes: string; remote_disposition: string; done: boolean }>(
        `select remote_path, outcome, file_id::text as file_id, archive_key, sha256, size_bytes::text as size_bytes, remote_disposition,
                remote_done_at is not null as done
           from inbound_transfer where remote_path like $1 order by remote_path`,
        [`/inbound/${p}%`],
      );
      expect(transfers.rows).toEqual(
        [names.a, names.b].map((file) => {
          const f = pulled.get(file)!;
          const body = file === names.a ? bodies.a : bodies.b;
          return { remote_path: `/inbound/${file}`, outcome: 'new', file_id: f.fileId, archive_key: f.archiveKey, sha256: sha256(body), size_bytes: String(body.length), remote_disposition: 'moved', done: true };
        }),
      );
      // One process-file job per new file, sent in the transaction that registered it.
      expect(enqueued.sort((x, y) => x.archiveKey.localeCompare(y.archiveKey))).toEqual(
        [pulled.get(names.a)!, pulled.get(names.b)!]
          .map((f) => ({ partnerId: 'acme', archiveKey: f.archiveKey, statusInTx: 'received' }))
          .sort((x, y) => x.archiveKey.localeCompare(y.archiveKey)),
      );
      // The growing file is left where it is, unrecorded, for the next pull.
      expect(await readFile(t.local(`/inbound/${names.growing}`), 'latin1')).toBe(`${partial.toString('latin1')}ST*834*0001*005010X220A1~\n`);
      expect(await exists(t, `/archive/${names.growing}`)).toBe(false);
      expect((await db().query('select 1 from inbound_file where file_name = $1', [names.growing])).rowCount).toBe(0);
      expect((await db().query('select 1 from inbound_transfer where remote_path = $1', [`/inbound/${names.growing}`])).rowCount).toBe(0);
    });

    it('afterPull delete with a done marker: only the file with its marker is pulled, then the file and its marker are deleted', async () => {
      const t = await open();
      const p = prefix();
      const acme = await partnerOf(t, { pattern: only(p), afterPull: 'delete', stable: { doneMarker: '.done' } });
      const ready = `${p}ready.x12`;
      const unmarked = `${p}unmarked.x12`;
      const body = await seed(t, `/inbound/${ready}`, build834([subscriber(String(nextControl()))]));
      await seed(t, `/inbound/${ready}.done`, '');
      const other = await seed(t, `/inbound/${unmarked}`, build834([subscriber(String(nextControl()))]));

      const enqueued: Enqueued[] = [];
      const result = await pull(t, acme, enqueued);
      expect(result.found).toBe(1);
      expect(result.pulled).toHaveLength(1);
      const f = result.pulled[0]!;
      expect(f).toMatchObject({ remotePath: `/inbound/${ready}`, outcome: 'new', remote: 'deleted', bytes: body.length });
      expect(sha256(await archiveBytes(t, f.archiveKey))).toBe(sha256(body));
      expect(await fileRow(f.fileId)).toMatchObject({ file_name: ready, status: 'received', archive_key: f.archiveKey });
      expect(enqueued).toEqual([{ partnerId: 'acme', archiveKey: f.archiveKey, statusInTx: 'received' }]);
      const transfer = await db().query<{ outcome: string; remote_disposition: string }>('select outcome, remote_disposition from inbound_transfer where remote_path = $1', [`/inbound/${ready}`]);
      expect(transfer.rows).toEqual([{ outcome: 'new', remote_disposition: 'deleted' }]);
      // Deleted with its marker, not moved; the file without a marker waits.
      expect(await exists(t, `/inbound/${ready}`)).toBe(false);
      expect(await exists(t, `/inbound/${ready}.done`)).toBe(false);
      expect(await exists(t, `/archive/${ready}`)).toBe(false);
      expect(await readFile(t.local(`/inbound/${unmarked}`))).toEqual(other);
      expect((await db().query('select 1 from inbound_file where file_name = $1', [unmarked])).rowCount).toBe(0);
    });

    it('the same bytes under another name are a duplicate-content resend; the same sender and ISA13 with other bytes a duplicate-interchange exception; neither is sent for processing', async () => {
      const t = await open();
      const p = prefix();
      const acme = await partnerOf(t, { pattern: only(p) });
      const control = nextControl();
      const first = `${p}first.x12`;
      const body = await seed(t, `/inbound/${first}`, build834([subscriber(String(nextControl()), { first: 'ORIGINAL' })], { control }));
      const enqueued: Enqueued[] = [];
      const one = await pull(t, acme, enqueued);
      expect(one.pulled.map((f) => f.outcome)).toEqual(['new']);
      const original = one.pulled[0]!;
      expect(enqueued).toHaveLength(1);

      const again = `${p}first-again.x12`;
      const reused = `${p}reused-isa13.x12`;
      await seed(t, `/inbound/${again}`, body);
      const otherBody = await seed(t, `/inbound/${reused}`, build834([subscriber(String(nextControl()), { first: 'IMPOSTOR' })], { control }));
      expect(sha256(otherBody)).not.toBe(sha256(body));
      const two = await pull(t, acme, enqueued);
      const pulled = byFile(two.pulled);
      expect(pulled.get(again)).toMatchObject({ outcome: 'duplicate-content', fileId: original.fileId, remote: 'moved', bytes: body.length });
      expect(pulled.get(reused)).toMatchObject({ outcome: 'duplicate-interchange', fileId: original.fileId, remote: 'moved', bytes: otherBody.length });
      // Nothing more sent for processing, no second inbound file registered.
      expect(enqueued).toHaveLength(1);
      const files = await db().query<{ id: string }>('select id::text as id from inbound_file where file_name like $1', [`${p}%`]);
      expect(files.rows).toEqual([{ id: original.fileId }]);
      const transfers = await db().query<{ remote_path: string; outcome: string; file_id: string; sha256: string }>(
        'select remote_path, outcome, file_id::text as file_id, sha256 from inbound_transfer where remote_path like $1 order by remote_path',
        [`/inbound/${p}%`],
      );
      expect(transfers.rows).toEqual([
        { remote_path: `/inbound/${again}`, outcome: 'duplicate-content', file_id: original.fileId, sha256: sha256(body) },
        { remote_path: `/inbound/${first}`, outcome: 'new', file_id: original.fileId, sha256: sha256(body) },
        { remote_path: `/inbound/${reused}`, outcome: 'duplicate-interchange', file_id: original.fileId, sha256: sha256(otherBody) },
      ]);
      // Each resend is archived as it arrived, and moved off the inbound folder.
      expect(sha256(await archiveBytes(t, pulled.get(reused)!.archiveKey))).toBe(sha256(otherBody));
      expect(sha256(await archiveBytes(t, pulled.get(again)!.archiveKey))).toBe(sha256(body));
      for (const file of [again, reused]) {
        expect(await exists(t, `/inbound/${file}`)).toBe(false);
        expect(await exists(t, `/archive/${file}`)).toBe(true);
      }
      // Only the reused ISA13 with other bytes is an exception, on the original file.
      expect(await exceptionsOf(original.fileId)).toEqual(['duplicate-interchange']);
    });

    it('a file with no readable ISA from acme’s folder is archived, rejected and answered with a TA1 (R) addressed to acme, kept for delivery', async () => {
      const t = await open();
      const p = prefix();
      const acme = await partnerOf(t, { pattern: only(p) });
      const scan = `${p}scan.x12`;
      const body = await seed(t, `/inbound/${scan}`, Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'), Buffer.from('1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n'.repeat(8))]));
      const enqueued: Enqueued[] = [];
      const pulled = (await pull(t, acme, enqueued)).pulled;
      expect(pulled.map((f) => f.outcome)).toEqual(['new']);
      const f = pulled[0]!;
      expect(enqueued.map((e) => e.archiveKey)).toEqual([f.archiveKey]);
      expect(sha256(await archiveBytes(t, f.archiveKey))).toBe(sha256(body));

      const result = await processed(t, acme, f.archiveKey);
      expect(result).toMatchObject({ fileId: f.fileId, partner: 'acme', status: 'rejected', exceptions: { 'unreadable-file': 1 } });
      expect(await fileRow(f.fileId)).toMatchObject({ file_name: scan, status: 'rejected', archive_key: f.archiveKey, sha256: sha256(body) });
      expect(await exceptionsOf(f.fileId)).toEqual(['unreadable-file']);
      const acks = await acksOf(f.fileId);
      expect(acks.map((a) => [a.kind, a.delivery])).toEqual([['TA1', 'pending']]);
      const ta1 = acks[0]!.body;
      const isa = segment(ta1, 'ISA');
      expect(isa[5]).toBe('ZZ');
      expect(isa[6]!.trim()).toBe('EDIBRIDGEPLAN');
      expect(isa[7]).toBe('ZZ');
      expect(isa[8]!.trim()).toBe('ACMEEMPLOYER');
      expect(segment(ta1, 'TA1')[4]).toBe('R');
    });

    it('a valid 834 sent as summit-tpa but found in acme’s folder is answered with TA1 R/006 and applies no member', async () => {
      const t = await open();
      const p = prefix();
      const acme = await partnerOf(t, { pattern: only(p) });
      const sub = String(nextControl());
      const name = `${p}summit.x12`;
      await seed(t, `/inbound/${name}`, build834([subscriber(sub, { first: 'WRONGBOX' })], { sender: SUMMIT }));
      const pulled = (await pull(t, acme, [])).pulled;
      expect(pulled.map((f) => f.outcome)).toEqual(['new']);
      const f = pulled[0]!;

      const result = await processed(t, acme, f.archiveKey);
      expect(result).toMatchObject({ fileId: f.fileId, partner: 'acme', status: 'rejected' });
      expect(result.exceptions['sender-mismatch']).toBe(1);
      expect(await fileRow(f.fileId)).toMatchObject({ status: 'rejected' });
      expect((await exceptionsOf(f.fileId)).filter((c) => c === 'sender-mismatch')).toHaveLength(1);
      expect((await db().query('select 1 from member where subscriber_number = $1', [sub])).rowCount).toBe(0);
      const ta1s = (await acksOf(f.fileId)).filter((a) => a.kind === 'TA1');
      expect(ta1s.map((a) => a.delivery)).toEqual(['pending']);
      const ta1 = segment(ta1s[0]!.body, 'TA1');
      expect(ta1[4]).toBe('R');
      expect(ta1[5]).toBe('006');
      // From us (the receiver the file named).
      expect(segment(ta1s[0]!.body, 'ISA')[6]!.trim()).toBe('EDIBRIDGEPLAN');
    });

    it('a valid 834 is applied, and its TA1 and 999 are delivered once to the outbound folder', async () => {
      const t = await open();
      const p = prefix();
      const acme = await partnerOf(t, { pattern: only(p) });
      const isa13 = String(nextControl()).padStart(9, '0');
      const sample = (await readFile(join(SAMPLES, 'enrollment-834-open-enrollment.x12'), 'latin1')).replace('*000004701*', `*${isa13}*`).replace('IEA*1*000004701', `IEA*1*${isa13}`);
      expect(sample).toContain(`IEA*1*${isa13}`);
      const name = `${p}open-enrollment.x12`;
      await seed(t, `/inbound/${name}`, sample);
      const pulled = (await pull(t, acme, [])).pulled;
      const f = pulled[0]!;
      expect(pulled.map((x) => x.outcome)).toEqual(['new']);

      const result = await processed(t, acme, f.archiveKey);
      expect(result.status).toBe('processed');
      const members = await db().query<{ first_name: string; subscriber_number: string }>(
        "select first_name, subscriber_number from member where subscriber_number in ('900000002', '900000003') order by first_name",
      );
      expect(members.rows).toEqual([
        { first_name: 'CASEY', subscriber_number: '900000003' },
        { first_name: 'DREW', subscriber_number: '900000003' },
        { first_name: 'MORGAN', subscriber_number: '900000002' },
      ]);
      expect(await fileRow(f.fileId)).toMatchObject({ status: 'processed' });
      const pending = await acksOf(f.fileId);
      expect(pending.map((a) => [a.kind, a.delivery])).toEqual([['999', 'pending'], ['TA1', 'pending']]);
      expect(segment(pending.find((a) => a.kind === 'TA1')!.body, 'TA1')[4]).toBe('A');

      const mine = (await deliver(acme)).delivered.filter((d) => pending.some((a) => a.id === d.id));
      expect(mine.map((d) => [d.kind, d.found]).sort()).toEqual([['999', false], ['TA1', false]]);
      const after = await acksOf(f.fileId);
      for (const a of after) {
        const remotePath = `/outbound/${remoteAckName(a)}`;
        expect(a).toMatchObject({ delivery: 'delivered', remote_path: remotePath, delivered: true, last_error: null });
        expect(mine.find((d) => d.id === a.id)?.remotePath).toBe(remotePath);
        // The bytes in the partner's folder are the acknowledgement's, exactly.
        const there = await readFile(t.local(remotePath));
        expect(there.equals(Buffer.from(a.body, 'latin1'))).toBe(true);
      }
      // Renamed into place: no temporary upload left beside them.
      const outbound = await readdir(t.local('/outbound'));
      for (const a of after) {
        expect(outbound).toContain(remoteAckName(a));
        expect(outbound).not.toContain(`${remoteAckName(a)}.part`);
      }
      const before = await Promise.all(after.map((a) => stat(t.local(a.remote_path!))));

      // Delivered is done: a second run has nothing to upload.
      expect((await deliver(acme)).delivered).toEqual([]);
      const again = await Promise.all(after.map((a) => stat(t.local(a.remote_path!))));
      expect(again.map((s) => [s.ino, s.mtimeMs])).toEqual(before.map((s) => [s.ino, s.mtimeMs]));
    });

    it('an acknowledgement already in the folder (renamed, not yet recorded) is recorded delivered without a second upload', async () => {
      const t = await open();
      const p = prefix();
      const acme = await partnerOf(t, { pattern: only(p) });
      const name = `${p}crashed.x12`;
      await seed(t, `/inbound/${name}`, build834([subscriber(String(nextControl()), { first: 'CRASHED' })]));
      const f = (await pull(t, acme, [])).pulled[0]!;
      expect((await processed(t, acme, f.archiveKey)).status).toBe('processed');
      const [ack] = await acksOf(f.fileId);
      expect(ack).toMatchObject({ kind: '999', delivery: 'pending' });
      // An earlier delivery renamed it into place and died before recording it.
      const remotePath = `/outbound/${remoteAckName(ack!)}`;
      delivered.push(remotePath);
      await seed(t, remotePath, Buffer.from(ack!.body, 'latin1'));
      const before = await stat(t.local(remotePath));

      const result = await deliver(acme);
      expect(result.delivered.filter((d) => d.id === ack!.id)).toEqual([{ id: ack!.id, kind: '999', remotePath, found: true }]);
      expect((await acksOf(f.fileId))[0]).toMatchObject({ delivery: 'delivered', remote_path: remotePath, delivered: true });
      // The same file, untouched: no upload replaced it.
      const after = await stat(t.local(remotePath));
      expect([after.ino, after.mtimeMs, after.size]).toEqual([before.ino, before.mtimeMs, before.size]);
      expect((await readFile(t.local(remotePath))).equals(Buffer.from(ack!.body, 'latin1'))).toBe(true);
      expect(await exists(t, `${remotePath}.part`)).toBe(false);
    });

    it("a partner with acks '999': false has its 999 kept as withheld and never uploaded", async () => {
      const t = await open();
      const p = prefix();
      const acme = await partnerOf(t, { pattern: only(p), acks: { '999': false } });
      expect(acme.acks).toMatchObject({ ta1: 'on-error', '999': false });
      const sub = String(nextControl());
      await seed(t, `/inbound/${p}no999.x12`, build834([subscriber(sub, { first: 'WITHHELD' })]));
      const f = (await pull(t, acme, [])).pulled[0]!;
      expect((await processed(t, acme, f.archiveKey)).status).toBe('processed');
      expect((await db().query('select 1 from member where subscriber_number = $1', [sub])).rowCount).toBe(1);
      const acks = await acksOf(f.fileId);
      expect(acks.map((a) => [a.kind, a.delivery])).toEqual([['999', 'withheld']]);
      expect(acks[0]!.body.startsWith('ISA')).toBe(true);

      const result = await deliver(acme);
      expect(result.delivered.filter((d) => d.id === acks[0]!.id)).toEqual([]);
      expect(await acksOf(f.fileId)).toMatchObject([{ delivery: 'withheld', remote_path: null, delivered: false }]);
      expect(await exists(t, `/outbound/${remoteAckName(acks[0]!)}`)).toBe(false);
    });

    it('a server presenting another host key than the pinned one: nothing pulled, one host-key-changed exception however often it is met', async () => {
      const t = await open();
      const p = prefix();
      const wrong = `SHA256:${createHash('sha256').update(`not the key ${run}`).digest('base64').replace(/=+$/, '')}`;
      const acme = await partnerOf(t, { pattern: only(p), hostKey: wrong });
      const name = `${p}waiting.x12`;
      const body = await seed(t, `/inbound/${name}`, build834([subscriber(String(nextControl()))]));
      const enqueued: Enqueued[] = [];
      const attempt = async (): Promise<EdiBridgeError> => {
        const err = await pull(t, acme, enqueued).then(() => undefined, (e: unknown) => e);
        if (!(err instanceof EdiBridgeError)) throw new Error(`expected HOST_KEY_MISMATCH, got ${String(err)}`);
        return err;
      };
      const seen = async () =>
        (await db().query<{ file_id: string | null; subject: string; partner: string; state: string }>(
          "select file_id::text as file_id, subject, partner, state from exception where category = 'host-key-changed' order by id",
        )).rows;

      const err = await attempt();
      expect(err.code).toBe('HOST_KEY_MISMATCH');
      expect(err.context).toMatchObject({ partner: 'acme', fingerprint: t.hostKey, pinned: wrong });
      expect(await seen()).toEqual([{ file_id: null, subject: t.hostKey, partner: 'acme', state: 'open' }]);
      // Nothing pulled: the file is still there, unrecorded, not sent for processing.
      expect(enqueued).toEqual([]);
      expect(await readFile(t.local(`/inbound/${name}`))).toEqual(body);
      expect((await db().query('select 1 from inbound_transfer where remote_path like $1', [`/inbound/${p}%`])).rowCount).toBe(0);

      // The next pull meets the same key: refused again, no second exception.
      expect((await attempt()).code).toBe('HOST_KEY_MISMATCH');
      expect(await seen()).toEqual([{ file_id: null, subject: t.hostKey, partner: 'acme', state: 'open' }]);
      expect(await exists(t, `/inbound/${name}`)).toBe(true);
    });
  });
}
