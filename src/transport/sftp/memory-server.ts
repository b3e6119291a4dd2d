/**
 * An in-process SFTP server (the `ssh2` package's Server) for the demo, for tests without
 * OpenSSH, and for fault injection. It serves one folder on disk as `/` (a fresh temporary
 * folder unless `root` is given), to one user authenticated by password or public key, with
 * an ed25519 host key of its own (generated unless given).
 *
 * SFTP operations: OPEN/READ/WRITE/CLOSE, OPENDIR/READDIR, STAT/LSTAT/FSTAT, SETSTAT/FSETSTAT
 * (accepted, ignored), RENAME (fails when the target exists, as OpenSSH's does), the
 * posix-rename@openssh.com extension (replaces the target; advertised in VERSION), REMOVE,
 * MKDIR, RMDIR, REALPATH. Paths cannot leave the served folder.
 *
 * Faults (`server.faults`, changeable at any time):
 * - `dropAfterBytesRead`: the connection's socket is destroyed once it has been sent that
 *   many bytes of file data;
 * - `denyRename`: RENAME and posix-rename answer permission denied (all, or those the
 *   predicate picks);
 * - `denyWritesIn`: folders where OPEN for writing, REMOVE, MKDIR and renames into or out
 *   of answer permission denied;
 * - `impostorHostKey`: new connections are answered with this host key instead.
 */
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, rename, rm, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import ssh2 from 'ssh2';
import type { AuthContext, Connection, ParsedKey, SFTPWrapper } from 'ssh2';
import { generateEd25519KeyPair, type OpenSshKeyPair } from './host-key.js';

const { Server: SshServer, utils } = ssh2;
const STATUS = utils.sftp.STATUS_CODE;

export interface SftpServerFaults {
  dropAfterBytesRead?: number;
  denyRename?: boolean | ((from: string, to: string) => boolean);
  /** Server paths of folders (`/outbound`): writes in them, or below, are refused. */
  denyWritesIn?: string[];
  impostorHostKey?: OpenSshKeyPair;
}

export interface InProcessSftpServerOptions {
  /** Folder served as `/` (default: a new temporary folder, removed by close()). */
  root?: string;
  /** Folders created under the root at start (e.g. `['/inbound', '/outbound', '/archive']`). */
  folders?: string[];
  user: string;
  /** Accepts this password. */
  password?: string;
  /** Accepts this public key (an authorized_keys line, `ssh-ed25519 AAAA… comment`). */
  publicKey?: string;
  /** The host key (default: a new ed25519 key). */
  hostKey?: OpenSshKeyPair;
  /** Listen port on 127.0.0.1 (default 0: a free one). */
  port?: number;
  faults?: SftpServerFaults;
}

/** posix-rename@openssh.com version "1", the one extension the client here needs. */
function versionPacket(): Buffer {
  const ext = (s: string): Buffer => {
    const b = Buffer.from(s, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const body = Buffer.concat([Buffer.from([2, 0, 0, 0, 3]), ext('posix-rename@openssh.com'), ext('1')]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}
const VERSION_PLAIN = Buffer.from([0, 0, 0, 5, 2, 0, 0, 0, 3]);
const VERSION_WITH_EXTENSIONS = versionPacket();

type Handle =
  | { kind: 'file'; fh: FileHandle; path: string }
  | { kind: 'dir'; path: string; entries: { filename: string; longname: string; attrs: ReturnType<typeof attrsOf> }[] | undefined; sent: boolean };

function attrsOf(s: Stats) {
  return { mode: s.mode, uid: s.uid, gid: s.gid, size: s.size, atime: Math.floor(s.atimeMs / 1000), mtime: Math.floor(s.mtimeMs / 1000) };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function longname(name: string, s: Stats): string {
  const type = s.isDirectory() ? 'd' : s.isSymbolicLink() ? 'l' : s.isFile() ? '-' : '?';
  const bits = 'rwxrwxrwx'.split('').map((c, i) => (s.mode & (1 << (8 - i)) ? c : '-')).join('');
  const d = s.mtime;
  const when = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  return `${type}${bits}    1 ${String(s.uid).padEnd(8)} ${String(s.gid).padEnd(8)} ${String(s.size).padStart(8)} ${when} ${name}`;
}

function errnoStatus(err: unknown): number {
  switch ((err as { code?: unknown }).code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return STATUS.NO_SUCH_FILE;
    case 'EACCES':
    case 'EPERM':
      return STATUS.PERMISSION_DENIED;
    default:
      return STATUS.FAILURE;
  }
}

export class InProcessSftpServer {
  readonly host = '127.0.0.1';
  /** Changeable at any time; read at each request (the host key: at each new connection). */
  faults: SftpServerFaults;
  /** Bytes of file data sent, since start. */
  bytesRead = 0;
  #port = 0;
  #root: string;
  #ownsRoot: boolean;
  #net: NetServer;
  #ssh: InstanceType<typeof SshServer>;
  #impostors = new Map<OpenSshKeyPair, InstanceType<typeof SshServer>>();
  #sockets = new Set<Socket>();
  #allowedKey: ParsedKey | undefined;

  private constructor(
    root: string,
    ownsRoot: boolean,
    readonly hostKey: OpenSshKeyPair,
    private readonly options: InProcessSftpServerOptions,
  ) {
    this.#root = root;
    this.#ownsRoot = ownsRoot;
    this.faults = { ...(options.faults ?? {}) };
    if (options.publicKey !== undefined) {
      const parsed = utils.parseKey(options.publicKey);
      if (parsed instanceof Error) throw parsed;
      this.#allowedKey = Array.isArray(parsed) ? parsed[0] : parsed;
    }
    this.#ssh = this.#makeSsh(hostKey);
    this.#net = createServer((socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      const impostor = this.faults.impostorHostKey;
      let ssh = this.#ssh;
      if (impostor) {
        ssh = this.#impostors.get(impostor) ?? this.#makeSsh(impostor);
        this.#impostors.set(impostor, ssh);
      }
      ssh.injectSocket(socket);
    });
  }

  /** Starts listening on 127.0.0.1. */
  static async start(options: InProcessSftpServerOptions): Promise<InProcessSftpServer> {
    const ownsRoot = options.root === undefined;
    const root = options.root ?? (await mkdtemp(join(tmpdir(), 'edibridge-sftp-')));
    for (const f of options.folders ?? []) await mkdir(join(root, posix.resolve('/', f)), { recursive: true });
    const server = new InProcessSftpServer(root, ownsRoot, options.hostKey ?? generateEd25519KeyPair('edibridge-test-sftp'), options);
    await new Promise<void>((resolve, reject) => {
      server.#net.once('error', reject);
      server.#net.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    server.#port = (server.#net.address() as { port: number }).port;
    return server;
  }

  get port(): number {
    return this.#port;
  }

  /** The folder on disk served as `/`. */
  get root(): string {
    return this.#root;
  }

  /** The local path of a server path (for seeding and checking files in tests). */
  localPath(serverPath: string): string {
    return join(this.#root, posix.resolve('/', serverPath));
  }

  /** Destroys every open connection at once (a crash, as the client sees it). */
  dropConnections(): void {
    for (const s of this.#sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.#net.close(() => resolve()));
    if (this.#ownsRoot) await rm(this.#root, { recursive: true, force: true });
  }

  #makeSsh(key: OpenSshKeyPair): InstanceType<typeof SshServer> {
    const ssh = new SshServer({ hostKeys: [key.privateKey], ident: 'edibridge-test-sftp' }, (conn) => this.#onConnection(conn));
    ssh.on('error', () => undefined);
    return ssh;
  }

  #authenticate(ctx: AuthContext): void {
    const { user, password } = this.options;
    if (ctx.username !== user) {
      ctx.reject();
      return;
    }
    const methods: ('password' | 'publickey')[] = [];
    if (password !== undefined) methods.push('password');
    if (this.#allowedKey) methods.push('publickey');
    if (ctx.method === 'password' && password !== undefined && ctx.password === password) {
      ctx.accept();
      return;
    }
    const key = this.#allowedKey;
    if (ctx.method === 'publickey' && key && ctx.key.algo === key.type && ctx.key.data.equals(key.getPublicSSH())) {
      if (!ctx.signature || !ctx.blob) {
        ctx.accept(); // the client asks whether the key would do; it signs next
        return;
      }
      if (key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) {
        ctx.accept();
        return;
      }
    }
    ctx.reject(methods);
  }

  #onConnection(conn: Connection): void {
    conn.on('error', () => undefined);
    conn.on('authentication', (ctx) => this.#authenticate(ctx));
    conn.on('ready', () => {
      conn.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          this.#advertiseExtensions(sftp);
          this.#serve(sftp, conn);
        });
      });
    });
  }

  /** ssh2's server sends a fixed VERSION without extensions; this one adds posix-rename. */
  #advertiseExtensions(sftp: SFTPWrapper): void {
    const protocol = (sftp as unknown as { _protocol: { channelData: (id: number, data: Buffer) => void } })._protocol;
    const original = protocol.channelData;
    let done = false;
    protocol.channelData = function (this: unknown, id: number, data: Buffer) {
      if (!done && Buffer.isBuffer(data) && data.equals(VERSION_PLAIN)) {
        done = true;
        return original.call(this, id, VERSION_WITH_EXTENSIONS);
      }
      return original.call(this, id, data);
    };
  }

  #serve(sftp: SFTPWrapper, conn: Connection): void {
    const handles = new Map<string, Handle>();
    let sent = 0;
    const local = (p: string): string => this.localPath(p);
    const virtual = (p: string): string => posix.resolve('/', p);
    /** The open handle a request names, of the kind it needs; otherwise FAILURE is answered and undefined returned. */
    const handleFor = <K extends Handle['kind'] | undefined>(reqid: number, handle: Buffer, kind: K): (K extends Handle['kind'] ? Extract<Handle, { kind: K }> : Handle) | undefined => {
      const h = handles.get(handle.toString('hex'));
      if (!h || (kind !== undefined && h.kind !== kind)) {
        sftp.status(reqid, STATUS.FAILURE);
        return undefined;
      }
      return h as K extends Handle['kind'] ? Extract<Handle, { kind: K }> : Handle;
    };
    const newHandle = (h: Handle): Buffer => {
      const id = randomBytes(8);
      handles.set(id.toString('hex'), h);
      return id;
    };
    const writeDenied = (serverPath: string): boolean =>
      (this.faults.denyWritesIn ?? []).some((f) => {
        const folder = posix.resolve('/', f);
        const p = virtual(serverPath);
        return p === folder || p.startsWith(folder.endsWith('/') ? folder : `${folder}/`);
      });
    const renameDenied = (from: string, to: string): boolean => {
      const d = this.faults.denyRename;
      return (typeof d === 'function' ? d(virtual(from), virtual(to)) : d === true) || writeDenied(from) || writeDenied(to);
    };
    const fail = (reqid: number, err: unknown): void => {
      sftp.status(reqid, errnoStatus(err));
    };
    const statReply = async (reqid: number, path: string): Promise<void> => {
      try {
        sftp.attrs(reqid, attrsOf(await stat(local(path))));
      } catch (err) {
        fail(reqid, err);
      }
    };
    const doRename = async (reqid: number, from: string, to: string, replace: boolean): Promise<void> => {
      if (renameDenied(from, to)) {
        sftp.status(reqid, STATUS.PERMISSION_DENIED);
        return;
      }
      try {
        if (!replace) {
          const exists = await stat(local(to)).then(() => true, () => false);
          if (exists) {
            sftp.status(reqid, STATUS.FAILURE);
            return;
          }
        }
        await rename(local(from), local(to));
        sftp.status(reqid, STATUS.OK);
      } catch (err) {
        fail(reqid, err);
      }
    };

    sftp.on('OPEN', (reqid, filename, flags) => {
      void (async () => {
        const mode = utils.sftp.flagsToString(flags);
        if (mode === null) {
          sftp.status(reqid, STATUS.OP_UNSUPPORTED);
          return;
        }
        const writing = mode !== 'r';
        if (writing && writeDenied(filename)) {
          sftp.status(reqid, STATUS.PERMISSION_DENIED);
          return;
        }
        try {
          const fh = await open(local(filename), mode, 0o644);
          sftp.handle(reqid, newHandle({ kind: 'file', fh, path: virtual(filename) }));
        } catch (err) {
          fail(reqid, err);
        }
      })();
    });
    sftp.on('READ', (reqid, handle, offset, length) => {
      void (async () => {
        const h = handleFor(reqid, handle, 'file');
        if (!h) return;
        try {
          const buf = Buffer.alloc(Math.min(length, 32 * 1024));
          const { bytesRead } = await h.fh.read(buf, 0, buf.length, offset);
          if (bytesRead === 0) {
            sftp.status(reqid, STATUS.EOF);
            return;
          }
          sftp.data(reqid, buf.subarray(0, bytesRead));
          sent += bytesRead;
          this.bytesRead += bytesRead;
          const limit = this.faults.dropAfterBytesRead;
          if (limit !== undefined && sent >= limit) {
            const sock = (conn as unknown as { _sock?: Socket })._sock;
            if (sock) sock.destroy();
            else this.dropConnections();
          }
        } catch (err) {
          fail(reqid, err);
        }
      })();
    });
    sftp.on('WRITE', (reqid, handle, offset, data) => {
      void (async () => {
        const h = handleFor(reqid, handle, 'file');
        if (!h) return;
        try {
          await h.fh.write(data, 0, data.length, offset);
          sftp.status(reqid, STATUS.OK);
        } catch (err) {
          fail(reqid, err);
        }
      })();
    });
    sftp.on('CLOSE', (reqid, handle) => {
      void (async () => {
        const key = handle.toString('hex');
        const h = handles.get(key);
        handles.delete(key);
        if (!h) {
          sftp.status(reqid, STATUS.FAILURE);
          return;
        }
        if (h.kind === 'file') await h.fh.close().catch(() => undefined);
        sftp.status(reqid, STATUS.OK);
      })();
    });
    sftp.on('FSTAT', (reqid, handle) => {
      void (async () => {
        const h = handleFor(reqid, handle, undefined);
        if (!h) return;
        try {
          sftp.attrs(reqid, attrsOf(h.kind === 'file' ? await h.fh.stat() : await stat(local(h.path))));
        } catch (err) {
          fail(reqid, err);
        }
      })();
    });
    sftp.on('STAT', (reqid, path) => void statReply(reqid, path));
    sftp.on('LSTAT', (reqid, path) => void statReply(reqid, path));
    sftp.on('SETSTAT', (reqid) => sftp.status(reqid, STATUS.OK));
    sftp.on('FSETSTAT', (reqid) => sftp.status(reqid, STATUS.OK));
    sftp.on('OPENDIR', (reqid, path) => {
      void (async () => {
        try {
          const s = await stat(local(path));
          if (!s.isDirectory()) {
            sftp.status(reqid, STATUS.FAILURE);
            return;
          }
          sftp.handle(reqid, newHandle({ kind: 'dir', path: virtual(path), entries: undefined, sent: false }));
        } catch (err) {
          fail(reqid, err);
        }
      })();
    });
    sftp.on('READDIR', (reqid, handle) => {
      void (async () => {
        const h = handleFor(reqid, handle, 'dir');
        if (!h) return;
        try {
          if (!h.entries) {
            const names = await readdir(local(h.path));
            h.entries = [];
            for (const name of ['.', '..', ...names]) {
              const s = await stat(join(local(h.path), name)).catch(() => undefined);
              if (s) h.entries.push({ filename: name, longname: longname(name, s), attrs: attrsOf(s) });
            }
          }
          const batch = h.entries.splice(0, 50);
          if (batch.length === 0) sftp.status(reqid, STATUS.EOF);
          else sftp.name(reqid, batch);
        } catch (err) {
          fail(reqid, err);
        }
      })();
    });
    sftp.on('REALPATH', (reqid, path) => {
      const p = virtual(path);
      sftp.name(reqid, [{ filename: p, longname: p, attrs: {} as never }]);
    });
    sftp.on('RENAME', (reqid, from, to) => void doRename(reqid, from, to, false));
    sftp.on('EXTENDED', (reqid, name, data) => {
      if (name !== 'posix-rename@openssh.com' || !data || data.length < 8) {
        sftp.status(reqid, STATUS.OP_UNSUPPORTED);
        return;
      }
      const fromLen = data.readUInt32BE(0);
      const from = data.subarray(4, 4 + fromLen).toString('utf8');
      const toLen = data.readUInt32BE(4 + fromLen);
      const to = data.subarray(8 + fromLen, 8 + fromLen + toLen).toString('utf8');
      void doRename(reqid, from, to, true);
    });
    sftp.on('REMOVE', (reqid, path) => {
      if (writeDenied(path)) {
        sftp.status(reqid, STATUS.PERMISSION_DENIED);
        return;
      }
      unlink(local(path)).then(() => sftp.status(reqid, STATUS.OK), (err: unknown) => fail(reqid, err));
    });
    sftp.on('MKDIR', (reqid, path) => {
      if (writeDenied(posix.dirname(virtual(path)))) {
        sftp.status(reqid, STATUS.PERMISSION_DENIED);
        return;
      }
      mkdir(local(path)).then(() => sftp.status(reqid, STATUS.OK), (err: unknown) => fail(reqid, err));
    });
    sftp.on('RMDIR', (reqid, path) => {
      rmdir(local(path)).then(() => sftp.status(reqid, STATUS.OK), (err: unknown) => fail(reqid, err));
    });
    sftp.on('close', () => {
      for (const h of handles.values()) if (h.kind === 'file') void h.fh.close().catch(() => undefined);
      handles.clear();
    });
  }
}
