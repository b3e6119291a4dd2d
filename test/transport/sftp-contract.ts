/**
 * The SFTP client contract, run against any server: the in-process one (sftp-memory.test.ts,
 * always) and a real OpenSSH sshd (sftp-openssh.test.ts, when TEST_SFTP_* is set).
 *
 * A target serves `/inbound`, `/outbound`, `/archive` (writable) and `/readonly` holding
 * `locked.x12` (not writable: renames out of it are refused), and lets the test reach the
 * served files on this machine (`local`) and break the connection (`breakConnections`).
 * Every test uses file names of its own (a run id), so targets can be shared.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { EdiBridgeError } from '../../src/core/errors.js';
import { parsePartners, type PartnerConnection } from '../../src/transport/partners.js';
import { connectSftp, DOWNLOAD_CHUNK_BYTES, type SftpSession } from '../../src/transport/sftp/index.js';

export interface SftpTarget {
  host: string;
  port: number;
  user: string;
  /** The client's private key (OpenSSH format). */
  privateKey: string;
  hostKey: string;
  /** The local path of a server path. */
  local(serverPath: string): string;
  /** Drops every open connection to the server abruptly. */
  breakConnections(): Promise<void>;
}

/** A partner for the target, through the real loader (key from an environment variable). */
export async function partnerFor(target: SftpTarget, over: { hostKey?: string; pattern?: string; privateKey?: string } = {}): Promise<PartnerConnection> {
  const [p] = await parsePartners(
    {
      partners: [
        {
          id: 'acme',
          sftp: {
            host: target.host,
            port: target.port,
            user: target.user,
            auth: { privateKeyEnv: 'TEST_PARTNER_KEY' },
            hostKey: over.hostKey ?? target.hostKey,
            inbound: '/inbound',
            outbound: '/outbound',
            pattern: over.pattern ?? '*.x12',
            afterPull: { move: '/archive' },
            stable: { looks: 2, seconds: 1 },
          },
          schedule: '*/5 * * * *',
        },
      ],
    },
    { env: { TEST_PARTNER_KEY: over.privateKey ?? target.privateKey } },
  );
  if (!p) throw new Error('no partner');
  return p;
}

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export async function failure(p: Promise<unknown>): Promise<EdiBridgeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof EdiBridgeError)) throw new Error(`expected an EdiBridgeError, got ${err === undefined ? 'success' : String(err)}`);
  return err;
}

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

export function describeSftpContract(name: string, getTarget: () => SftpTarget): void {
  describe(`SFTP client contract: ${name}`, () => {
    const run = `t${process.pid}${randomBytes(3).toString('hex')}`;
    let n = 0;
    /** A fresh file-name prefix for one test. */
    const prefix = (): string => `${run}-${++n}-`;
    const past = new Date(Date.now() - 3600_000);
    afterAll(async () => {
      for (const folder of ['/inbound', '/outbound', '/archive']) {
        const names = await readdir(getTarget().local(folder)).catch(() => [] as string[]);
        for (const name of names) if (name.startsWith(run)) await rm(getTarget().local(`${folder}/${name}`), { force: true });
      }
    });

    async function seed(serverPath: string, bytes: Buffer | string, mtime = past): Promise<void> {
      const path = getTarget().local(serverPath);
      await writeFile(path, bytes);
      await utimes(path, mtime, mtime);
    }

    async function withSession<T>(fn: (s: SftpSession) => Promise<T>, over: Parameters<typeof partnerFor>[1] = {}): Promise<T> {
      const session = await connectSftp(await partnerFor(getTarget(), over), { readyTimeout: 10_000 });
      try {
        return await fn(session);
      } finally {
        await session.close();
      }
    }

    it('lists the files of a folder that match the pattern, with size and mtime', async () => {
      const p = prefix();
      await seed(`/inbound/${p}b.x12`, 'bb');
      await seed(`/inbound/${p}a.x12`, 'a');
      await seed(`/inbound/${p}c.txt`, 'c');
      await seed(`/inbound/${p}d.x12.part`, 'd');
      const files = await withSession((s) => s.list('/inbound', new RegExp(`^${p}.*\\.x12$`)));
      expect(files.map((f) => [f.name, f.size])).toEqual([[`${p}a.x12`, 1], [`${p}b.x12`, 2]]);
      expect(Math.abs((files[0]?.mtime.getTime() ?? 0) - past.getTime())).toBeLessThan(1000);
      const all = await withSession((s) => s.list('/inbound'));
      expect(all.map((f) => f.name)).toEqual(expect.arrayContaining([`${p}a.x12`, `${p}c.txt`]));
      expect(all.some((f) => f.name === '.' || f.name === '..')).toBe(false);
    });

    it('stable files: a file still growing between looks, or new since the first, is skipped', async () => {
      const p = prefix();
      const pattern = new RegExp(`^${p}.*\\.x12$`);
      await seed(`/inbound/${p}done.x12`, 'ISA*complete~');
      await seed(`/inbound/${p}growing.x12`, 'ISA*part1~');
      const stable = await withSession(async (s) => {
        const looks = s.stableFiles('/inbound', pattern, { kind: 'looks', looks: 3, seconds: 5 }, { intervalMs: 700 });
        setTimeout(() => {
          void appendFile(getTarget().local(`/inbound/${p}growing.x12`), 'more~');
          void seed(`/inbound/${p}new.x12`, 'new', new Date());
        }, 300);
        return looks;
      });
      expect(stable.map((f) => f.name)).toEqual([`${p}done.x12`]);
      // Next pull, nothing moved: all three are complete now.
      const again = await withSession((s) => s.stableFiles('/inbound', pattern, { kind: 'looks', looks: 2, seconds: 5 }, { intervalMs: 300 }));
      expect(again.map((f) => f.name)).toEqual([`${p}done.x12`, `${p}growing.x12`, `${p}new.x12`]);
    });

    it('stable files by done marker: only files whose marker is there, marker named', async () => {
      const p = prefix();
      await seed(`/inbound/${p}a.x12`, 'a');
      await seed(`/inbound/${p}a.x12.done`, '');
      await seed(`/inbound/${p}b.x12`, 'b');
      const stable = await withSession((s) => s.stableFiles('/inbound', new RegExp(`^${p}`), { kind: 'doneMarker', suffix: '.done' }));
      expect(stable.map((f) => [f.name, f.marker])).toEqual([[`${p}a.x12`, `${p}a.x12.done`]]);
    });

    it('downloads a multi-MB file byte for byte, in chunks of at most 256 KiB', async () => {
      const p = prefix();
      const bytes = randomBytes(5 * 1024 * 1024 + 123);
      await seed(`/inbound/${p}big.x12`, bytes);
      const { hash, total, biggest } = await withSession(async (s) => {
        const h = createHash('sha256');
        let total = 0;
        let biggest = 0;
        for await (const chunk of s.download(`/inbound/${p}big.x12`)) {
          h.update(chunk);
          total += chunk.length;
          biggest = Math.max(biggest, chunk.length);
        }
        return { hash: h.digest('hex'), total, biggest };
      });
      expect(total).toBe(bytes.length);
      expect(hash).toBe(sha256(bytes));
      expect(biggest).toBeLessThanOrEqual(DOWNLOAD_CHUNK_BYTES);
    });

    it('download of a missing file fails as SFTP_NOT_FOUND with partner and path', async () => {
      const err = await withSession((s) =>
        failure((async () => {
          for await (const _ of s.download('/inbound/no-such-file.x12')) void _;
        })()),
      );
      expect(err.code).toBe('SFTP_NOT_FOUND');
      expect(err.context).toMatchObject({ partner: 'acme', path: '/inbound/no-such-file.x12' });
      expect(err.cause).toBeDefined();
    });

    it('uploads through name.part and a rename that replaces an existing file', async () => {
      const p = prefix();
      const name = `${p}ack.999.x12`;
      await withSession(async (s) => {
        await s.upload('/outbound', name, Buffer.from('first'));
        await s.upload('/outbound', name, Buffer.from('second, replacing the first'));
        const listed = await s.list('/outbound', new RegExp(`^${p}`));
        expect(listed.map((f) => f.name)).toEqual([name]);
      });
      expect(await readFile(getTarget().local(`/outbound/${name}`), 'utf8')).toBe('second, replacing the first');
      expect(await exists(getTarget().local(`/outbound/${name}.part`))).toBe(false);
    });

    it('upload into a folder it may not write fails as SFTP_PERMISSION_DENIED', async () => {
      const p = prefix();
      const err = await withSession((s) => failure(s.upload('/readonly', `${p}x.x12`, Buffer.from('x'))));
      expect(err.code).toBe('SFTP_PERMISSION_DENIED');
      expect(err.context).toMatchObject({ partner: 'acme', path: `/readonly/${p}x.x12.part` });
      expect(await exists(getTarget().local(`/readonly/${p}x.x12`))).toBe(false);
    });

    it('after pull: moves a file to the archive folder, deletes another', async () => {
      const p = prefix();
      await seed(`/inbound/${p}keep.x12`, 'k');
      await seed(`/inbound/${p}drop.x12`, 'd');
      await withSession(async (s) => {
        expect(await s.move(`/inbound/${p}keep.x12`, '/archive')).toBe(`/archive/${p}keep.x12`);
        await s.remove(`/inbound/${p}drop.x12`);
        const err = await failure(s.remove(`/inbound/${p}drop.x12`));
        expect(err.code).toBe('SFTP_NOT_FOUND');
      });
      expect(await readFile(getTarget().local(`/archive/${p}keep.x12`), 'utf8')).toBe('k');
      expect(await exists(getTarget().local(`/inbound/${p}keep.x12`))).toBe(false);
      expect(await exists(getTarget().local(`/inbound/${p}drop.x12`))).toBe(false);
    });

    it('a rename the server refuses is SFTP_PERMISSION_DENIED with partner and path', async () => {
      const err = await withSession((s) => failure(s.move('/readonly/locked.x12', '/archive')));
      expect(err.code).toBe('SFTP_PERMISSION_DENIED');
      expect(err.context).toMatchObject({ partner: 'acme', path: '/readonly/locked.x12', status: 3 });
      expect(await exists(getTarget().local('/readonly/locked.x12'))).toBe(true);
    });

    it('pins the host key: a different fingerprint is refused with HOST_KEY_MISMATCH', async () => {
      const wrong = `SHA256:${createHash('sha256').update('another key').digest('base64').replace(/=+$/, '')}`;
      const err = await failure(partnerFor(getTarget(), { hostKey: wrong }).then((p) => connectSftp(p)));
      expect(err.code).toBe('HOST_KEY_MISMATCH');
      expect(err.context).toMatchObject({ partner: 'acme', host: getTarget().host, fingerprint: getTarget().hostKey, pinned: wrong });
      // The right one connects, and the session reports the key it saw.
      expect(await withSession(async (s) => s.hostKey)).toBe(getTarget().hostKey);
    });

    it('a key the server does not accept is refused (SFTP_FAILED, authentication refused)', async () => {
      const { generateEd25519KeyPair } = await import('../../src/transport/sftp/index.js');
      const err = await failure(partnerFor(getTarget(), { privateKey: generateEd25519KeyPair().privateKey }).then((p) => connectSftp(p)));
      expect(err.code).toBe('SFTP_FAILED');
      expect(err.message).toMatch(/authentication refused/);
    });

    it('a connection dropped mid-download fails the download as SFTP_UNAVAILABLE', async () => {
      const p = prefix();
      await seed(`/inbound/${p}big.x12`, randomBytes(8 * 1024 * 1024));
      const session = await connectSftp(await partnerFor(getTarget()));
      let read = 0;
      let broken = false;
      const err = await failure((async () => {
        for await (const chunk of session.download(`/inbound/${p}big.x12`)) {
          read += chunk.length;
          if (!broken && read >= 1024 * 1024) {
            broken = true;
            await getTarget().breakConnections();
          }
        }
      })());
      expect(err.code).toBe('SFTP_UNAVAILABLE');
      expect(err.context).toMatchObject({ partner: 'acme', path: `/inbound/${p}big.x12` });
      expect(read).toBeLessThan(8 * 1024 * 1024);
      // The session knows it is gone: later calls fail at once, close() does not throw.
      expect((await failure(session.list('/inbound'))).code).toBe('SFTP_UNAVAILABLE');
      await session.close();
    });
  });
}
