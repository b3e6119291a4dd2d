/**
 * The SFTP client contract against the in-process server (src/transport/sftp/memory-server.ts),
 * always run; then what only that server can do: its fault hooks and password login.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePartners } from '../../src/transport/partners.js';
import { connectSftp, generateEd25519KeyPair, InProcessSftpServer } from '../../src/transport/sftp/index.js';
import { describeSftpContract, failure, partnerFor, sha256, type SftpTarget } from './sftp-contract.js';

const clientKey = generateEd25519KeyPair('acme@test');
let server: InProcessSftpServer;
let target: SftpTarget;

beforeAll(async () => {
  server = await InProcessSftpServer.start({
    user: 'acme',
    publicKey: clientKey.publicKey,
    password: 'correct horse',
    folders: ['/inbound', '/outbound', '/archive', '/readonly'],
    faults: { denyWritesIn: ['/readonly'] },
  });
  await writeFile(server.localPath('/readonly/locked.x12'), 'ISA*00*locked~');
  target = {
    host: server.host,
    port: server.port,
    user: 'acme',
    privateKey: clientKey.privateKey,
    hostKey: server.hostKey.fingerprint,
    local: (p) => server.localPath(p),
    breakConnections: async () => server.dropConnections(),
  };
});
afterAll(async () => {
  await server?.close();
});

describeSftpContract('in-process server', () => target);

describe('in-process SFTP server: fault hooks and password login', () => {
  it('logs in with a password from the environment', async () => {
    const [p] = await parsePartners(
      { partners: [{ id: 'summit-tpa', sftp: { host: server.host, port: server.port, user: 'acme', auth: { passwordEnv: 'PW' }, hostKey: server.hostKey.fingerprint, inbound: '/inbound', outbound: '/outbound', pattern: '*', afterPull: 'delete', stable: { doneMarker: '.done' } }, schedule: '0 * * * *' }] },
      { env: { PW: 'correct horse' } },
    );
    const s = await connectSftp(p!);
    await s.list('/inbound');
    await s.close();
    const [bad] = await parsePartners(
      { partners: [{ id: 'summit-tpa', sftp: { host: server.host, port: server.port, user: 'acme', auth: { passwordEnv: 'PW' }, hostKey: server.hostKey.fingerprint, inbound: '/inbound', outbound: '/outbound', pattern: '*', afterPull: 'delete', stable: { doneMarker: '.done' } }, schedule: '0 * * * *' }] },
      { env: { PW: 'wrong' } },
    );
    expect((await failure(connectSftp(bad!))).code).toBe('SFTP_FAILED');
  });

  it('dropAfterBytesRead: the connection drops midway through a download (SFTP_UNAVAILABLE)', async () => {
    const name = `drop-${randomBytes(3).toString('hex')}.x12`;
    await writeFile(server.localPath(`/inbound/${name}`), randomBytes(3 * 1024 * 1024));
    const s = await connectSftp(await partnerFor(target));
    server.faults.dropAfterBytesRead = 512 * 1024;
    let read = 0;
    try {
      const err = await failure((async () => {
        for await (const chunk of s.download(`/inbound/${name}`)) read += chunk.length;
      })());
      expect(err.code).toBe('SFTP_UNAVAILABLE');
      expect(err.context).toMatchObject({ partner: 'acme', path: `/inbound/${name}` });
      expect(read).toBeLessThan(3 * 1024 * 1024);
    } finally {
      delete server.faults.dropAfterBytesRead;
      await s.close();
    }
  });

  it('denyRename: a move or the rename that ends an upload is SFTP_PERMISSION_DENIED; the .part is cleaned up', async () => {
    const name = `deny-${randomBytes(3).toString('hex')}.x12`;
    await writeFile(server.localPath(`/inbound/${name}`), 'x');
    const s = await connectSftp(await partnerFor(target));
    server.faults.denyRename = true;
    try {
      const moved = await failure(s.move(`/inbound/${name}`, '/archive'));
      expect(moved.code).toBe('SFTP_PERMISSION_DENIED');
      expect(moved.context).toMatchObject({ partner: 'acme', path: `/inbound/${name}`, status: 3 });
      const up = await failure(s.upload('/outbound', name, Buffer.from('ack')));
      expect(up.code).toBe('SFTP_PERMISSION_DENIED');
      expect(up.context).toMatchObject({ path: `/outbound/${name}.part` });
      expect((await readdir(server.localPath('/outbound'))).filter((f) => f.startsWith(name))).toEqual([]);
    } finally {
      delete server.faults.denyRename;
      await s.close();
    }
  });

  it('denyWritesIn: uploads into the folder are refused, other folders still work', async () => {
    server.faults.denyWritesIn = ['/readonly', '/outbound'];
    const s = await connectSftp(await partnerFor(target));
    try {
      expect((await failure(s.upload('/outbound', 'a.999.x12', Buffer.from('x')))).code).toBe('SFTP_PERMISSION_DENIED');
      await s.upload('/archive', 'a.999.x12', Buffer.from('x'));
      expect(await readFile(server.localPath('/archive/a.999.x12'), 'utf8')).toBe('x');
    } finally {
      server.faults.denyWritesIn = ['/readonly'];
      await s.close();
    }
  });

  it('impostorHostKey: a server presenting another key is refused, naming the key it saw', async () => {
    const impostor = generateEd25519KeyPair('impostor');
    server.faults.impostorHostKey = impostor;
    try {
      const err = await failure(partnerFor(target).then((p) => connectSftp(p)));
      expect(err.code).toBe('HOST_KEY_MISMATCH');
      expect(err.context).toMatchObject({ partner: 'acme', host: '127.0.0.1', fingerprint: impostor.fingerprint, pinned: server.hostKey.fingerprint });
    } finally {
      delete server.faults.impostorHostKey;
    }
  });

  it('a port nothing listens on is SFTP_UNAVAILABLE', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((r) => probe.close(() => r()));
    const err = await failure(partnerFor({ ...target, port }).then((p) => connectSftp(p)));
    expect(err.code).toBe('SFTP_UNAVAILABLE');
    expect(err.context).toMatchObject({ partner: 'acme', host: '127.0.0.1', port });
  });

  it('serves a given folder, and a path cannot climb out of it', async () => {
    const root = server.localPath('/archive/served');
    await mkdir(`${root}/inbound`, { recursive: true });
    const bytes = randomBytes(1000);
    await writeFile(`${root}/inbound/x.x12`, bytes);
    const other = await InProcessSftpServer.start({ root, user: 'acme', publicKey: clientKey.publicKey, hostKey: server.hostKey });
    try {
      const s = await connectSftp(await partnerFor({ ...target, port: other.port }));
      const chunks: Buffer[] = [];
      for await (const c of s.download('/../../inbound/x.x12')) chunks.push(c);
      expect(sha256(Buffer.concat(chunks))).toBe(sha256(bytes));
      expect((await s.list('/..')).map((f) => f.name)).toEqual([]);
      await s.close();
    } finally {
      await other.close();
    }
    expect(await readFile(`${root}/inbound/x.x12`)).toEqual(bytes);
  });
});
