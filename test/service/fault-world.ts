/**
 * The fault tests' world (test/service/faults.test.ts): one trading partner (acme, as in
 * samples/reference-data.yaml) reached over the in-process SFTP server, whose faults the tests
 * switch on and off; the running service (src/app/service.ts) in this process on a database
 * and an object store of the test's choosing, its log lines captured; large multi-set 834s;
 * a private PostgreSQL cluster to restart; an s3rver to stop and start; and the checks that
 * a file was pulled, applied, processed and acknowledged exactly once.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { expect } from 'vitest';
import { createAppContext, type AppContext } from '../../src/app/context.js';
import { startService, type RunningService } from '../../src/app/service.js';
import { loadConfig } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import { createMetrics } from '../../src/core/metrics.js';
import type { Db } from '../../src/db/db.js';
import { readReferenceFile } from '../../src/reference/load-file.js';
import { loadReferenceData } from '../../src/reference/store.js';
import type { PartnerConnection } from '../../src/transport/partners.js';
import { generateEd25519KeyPair, type OpenSshKeyPair } from '../../src/transport/sftp/host-key.js';
import { InProcessSftpServer } from '../../src/transport/sftp/memory-server.js';
import type { ObjectStore } from '../../src/transport/store/object-store.js';
import { jobsSchemaFor, type EngineConfig } from '../../src/worker/engine.js';
import type { QueueName } from '../../src/worker/queues.js';

const run = promisify(execFile);

export const ROOT = join(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/edibridge.js');
export const REFERENCE = join(ROOT, 'samples/reference-data.yaml');
export const PHI_KEY = Buffer.alloc(32, 13).toString('base64');
export const PARTNER = 'acme';
/** Server folders: where acme drops files, where pulled files are moved, where acknowledgements land. */
export const FOLDERS = { inbound: '/acme/to-plan', archive: '/acme/pulled', outbound: '/acme/from-plan' } as const;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` until it holds; on timeout the error says what was awaited and, when given, the state. */
export async function waitUntil(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number, state?: () => unknown): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) {
      const s = state ? await Promise.resolve(state()).catch((err: unknown) => `(state unavailable: ${String(err)})`) : undefined;
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${s === undefined ? '' : `: ${typeof s === 'string' ? s : JSON.stringify(s)}`}`);
    }
    await sleep(100);
  }
}

// ---- 834s --------------------------------------------------------------------------------

/** A file dropped into acme's inbound folder, and what applying it must add. */
export interface Drop {
  name: string;
  text: string;
  /** Members it adds (a subscriber and a child per family). */
  members: number;
  sets: number;
}

/** The first day of next month (YYYYMMDD): coverage neither retro nor far ahead. */
export function nextMonth(): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10).replaceAll('-', '');
}

let families = 0;
let interchanges = 0;

/**
 * A multi-set 834 from acme (ZZ/ACMEEMPLOYER) for GRP10045: `sets` sets of `familiesPerSet`
 * families (a subscriber and a child each, all adds), a unique ISA13 and subscriber numbers.
 * About 300 bytes per family.
 */
export function enrollment834(name: string, sets: number, familiesPerSet: number): Drop {
  const begin = nextMonth();
  const control = 100_000_000 + (((process.pid % 100_000) * 1000 + ++interchanges) % 800_000_000);
  const isa13 = String(control % 1_000_000_000).padStart(9, '0');
  const gs06 = String(control % 1_000_000_000);
  const body: string[] = [];
  for (let s = 1; s <= sets; s++) {
    const st = String(s).padStart(4, '0');
    const segs = [`ST*834*${st}*005010X220A1`, `BGN*00*FAULT-${isa13}-${st}*20261201*0900****2`, 'REF*38*GRP10045',
      'N1*P5*ACME WIDGETS INC*FI*123456789', 'N1*IN*EDIBRIDGE HEALTH PLAN*FI*987654321'];
    for (let f = 0; f < familiesPerSet; f++) {
      const sub = `6${String(process.pid % 100).padStart(2, '0')}${String(++families).padStart(6, '0')}`;
      segs.push('INS*Y*18*021*28*A***FT', `REF*0F*${sub}`, `DTP*356*D8*${begin}`, `NM1*IL*1*FAULTTEST*PAT****34*${sub}`,
        'N3*1 EXAMPLE STREET', 'N4*SPRINGFIELD*IL*62701', 'DMG*D8*19800101*F', 'HD*021**HLT*PPO01*ECH', `DTP*348*D8*${begin}`);
      segs.push('INS*N*19*021*28*A', `REF*0F*${sub}`, 'NM1*IL*1*FAULTTEST*KIM', 'DMG*D8*20100101*M', 'HD*021**HLT*PPO01*ECH', `DTP*348*D8*${begin}`);
    }
    segs.push(`SE*${segs.length + 1}*${st}`);
    body.push(...segs);
  }
  const text = [
    `ISA*00*          *00*          *ZZ*ACMEEMPLOYER   *ZZ*EDIBRIDGEPLAN  *261201*0900*^*00501*${isa13}*0*T*:`,
    `GS*BE*ACMEEMPLOYER*EDIBRIDGEPLAN*20261201*0900*${gs06}*X*005010X220A1`,
    ...body,
    `GE*${sets}*${gs06}`,
    `IEA*1*${isa13}`,
  ].map((s) => `${s}~\n`).join('');
  return { name, text, members: sets * familiesPerSet * 2, sets };
}

// ---- the SFTP side -------------------------------------------------------------------------

export interface SftpWorld {
  readonly dir: string;
  readonly sftp: InProcessSftpServer;
  readonly hostKey: OpenSshKeyPair;
  /** Writes the partners file (acme on this server) and returns its path. */
  partnersFile(schedule?: string): string;
  /** Puts a file into the inbound folder as a partner's client does (temporary name, renamed), its mtime in the past. */
  drop(file: Drop): void;
  /** The file names in one of acme's server folders, sorted. */
  list(folder: string): string[];
  read(serverPath: string): Buffer;
  close(): Promise<void>;
}

export async function startSftpWorld(dir: string): Promise<SftpWorld> {
  const client = generateEd25519KeyPair('edibridge-faults-client');
  const hostKey = generateEd25519KeyPair('edibridge-faults-host');
  mkdirSync(join(dir, 'keys'), { recursive: true });
  writeFileSync(join(dir, 'keys', 'client_ed25519'), client.privateKey, { mode: 0o600 });
  const sftp = await InProcessSftpServer.start({ root: join(dir, 'sftp'), folders: Object.values(FOLDERS), user: 'edibridge', publicKey: client.publicKey, hostKey });
  const age = Math.floor(Date.now() / 1000) - 300;
  let dropped = 0;
  return {
    dir,
    sftp,
    hostKey,
    partnersFile(schedule = '0 0 1 1 *') {
      const file = join(dir, 'partners.yaml');
      writeFileSync(
        file,
        [
          'partners:',
          `  - id: ${PARTNER}`,
          '    sftp:',
          '      host: 127.0.0.1',
          `      port: ${sftp.port}`,
          '      user: edibridge',
          `      auth: { privateKeyFile: ${join(dir, 'keys', 'client_ed25519')} }`,
          `      hostKey: ${hostKey.fingerprint}`,
          `      inbound: ${FOLDERS.inbound}`,
          `      outbound: ${FOLDERS.outbound}`,
          "      pattern: '*.x12'",
          `      afterPull: { move: ${FOLDERS.archive} }`,
          '      stable: { looks: 2, seconds: 0.2 }',
          `    schedule: '${schedule}'`,
          "    acks: { ta1: on-error, '999': true }",
          '',
        ].join('\n'),
      );
      return file;
    },
    drop(file) {
      const inbound = sftp.localPath(FOLDERS.inbound);
      writeFileSync(join(inbound, `${file.name}.tmp`), file.text);
      const t = age + dropped++;
      utimesSync(join(inbound, `${file.name}.tmp`), t, t);
      renameSync(join(inbound, `${file.name}.tmp`), join(inbound, file.name));
    },
    list(folder) {
      return readdirSync(sftp.localPath(folder)).sort();
    },
    read(serverPath) {
      return readFileSync(sftp.localPath(serverPath));
    },
    close: () => sftp.close(),
  };
}

// ---- the service in this process -------------------------------------------------------------

/** Log lines written through a logger, kept in memory. */
export class LogCapture {
  readonly #chunks: string[] = [];
  readonly #waiters: Array<{ msg: string; n: number; resolve: () => void }> = [];
  readonly stream = {
    write: (s: string): void => {
      this.#chunks.push(s);
      for (const w of [...this.#waiters]) {
        if (s.includes(`"msg":"${w.msg}"`) && this.count(w.msg) >= w.n) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    },
  };

  /** Resolves as the `n`th line with this message is written (at once when there are that many). */
  reached(msg: string, n: number): Promise<void> {
    if (this.count(msg) >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ msg, n, resolve }));
  }

  lines(): Array<Record<string, unknown>> {
    return this.#chunks.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  count(msg: string, where: (line: Record<string, unknown>) => boolean = () => true): number {
    return this.lines().filter((l) => l['msg'] === msg && where(l)).length;
  }

  /** The last lines at warn or above (for failure messages). */
  warnings(n = 15): string[] {
    return this.lines().filter((l) => Number(l['level']) >= 40).slice(-n).map((l) => `${String(l['msg'])} ${JSON.stringify(l['err'] ?? '')}`);
  }
}

/** Short engine settings: retries after 1 s without backoff, expired claims looked for every 2 s. */
export function fastEngine(over: Partial<Record<QueueName, { expireInSeconds?: number; retryLimit?: number }>> = {}): Partial<EngineConfig> {
  const q = (name: QueueName, expireInSeconds: number) => ({ retryDelay: 1, retryBackoff: false, retryLimit: 20, expireInSeconds, ...over[name] });
  return {
    pollSeconds: 0.5,
    maintenanceSeconds: 2,
    shutdownSeconds: 5,
    queues: { 'pull-partner': q('pull-partner', 60), 'process-file': q('process-file', 120), 'deliver-acks': q('deliver-acks', 60) },
  };
}

export interface ServiceWorld {
  readonly app: AppContext;
  readonly log: LogCapture;
  readonly db: Db;
  readonly partner: PartnerConnection;
  readonly store: ObjectStore;
  readonly jobsSchema: string;
  readonly service: RunningService;
  /** Sends a pull (and a delivery) of acme now. */
  pullNow(): Promise<void>;
  /** The jobs of a queue: state, retries, output. */
  jobs(queue: QueueName): Promise<Array<{ id: string; state: string; retry_count: number; output: Record<string, unknown> | null }>>;
  close(): Promise<void>;
}

export interface ServiceWorldOptions {
  dir: string;
  sftp: SftpWorld;
  /** Settings over the defaults (PGlite in memory, the local archive under `dir`). */
  env?: Record<string, string>;
  engine?: Partial<EngineConfig>;
}

/**
 * The service in this process, as `serve` starts it but with short engine settings, no
 * schedules (pulls are sent with pullNow), the stability rule's looks 50 ms apart, and the
 * sample reference data loaded.
 */
export async function startServiceWorld(options: ServiceWorldOptions): Promise<ServiceWorld> {
  const log = new LogCapture();
  const env: NodeJS.ProcessEnv = {
    EDIBRIDGE_DATA_DIR: join(options.dir, 'data'),
    EDIBRIDGE_STORE_DIR: join(options.dir, 'archive'),
    EDIBRIDGE_PHI_KEY: PHI_KEY,
    EDIBRIDGE_PARTNERS_FILE: options.sftp.partnersFile(),
    EDIBRIDGE_SHUTDOWN_SECONDS: '5',
    ...options.env,
  };
  const config = loadConfig(env, { inMemory: true, cwd: options.dir });
  const app = createAppContext(config, createLogger({ level: 'info', destination: log.stream }), { env });
  let service: RunningService | undefined;
  try {
    const db = await app.db();
    await loadReferenceData(db, await readReferenceFile(REFERENCE));
    const partner = (await app.partners()).find((p) => p.id === PARTNER)!;
    const jobsSchema = await jobsSchemaFor(db);
    service = await startService(app, {
      port: 0,
      metrics: createMetrics(),
      engine: options.engine ?? fastEngine(),
      schedules: false,
      jobOptions: { stableIntervalMs: 50 },
      slaCheckSeconds: 3600,
    });
    const running = service;
    return {
      app,
      log,
      db,
      partner,
      store: app.store(),
      jobsSchema,
      service: running,
      pullNow: () => running.pullNow(partner),
      async jobs(queue) {
        const { rows } = await db.query<{ id: string; state: string; retry_count: number; output: Record<string, unknown> | null }>(
          `select id::text as id, state::text as state, retry_count, output from ${jobsSchema}.job where name = $1 order by created_on, id`,
          [queue],
        );
        return rows;
      },
      async close() {
        await running.stop().catch(() => undefined);
        await app.close();
      },
    };
  } catch (err) {
    await service?.stop().catch(() => undefined);
    await app.close();
    throw err;
  }
}

// ---- what the database holds -----------------------------------------------------------------

export interface Tally {
  transfers: number;
  /** Transfers whose remote copy is not yet moved away. */
  remoteOpen: number;
  files: number;
  processed: number;
  members: number;
  setsApplied: number;
  acks: number;
  pending: number;
  delivered: number;
}

export async function tally(db: Db): Promise<Tally> {
  const { rows } = await db.query<Tally>(
    `select (select count(*) from inbound_transfer)::int as transfers,
            (select count(*) from inbound_transfer where remote_disposition is null)::int as "remoteOpen",
            (select count(*) from inbound_file)::int as files,
            (select count(*) from inbound_file where status = 'processed')::int as processed,
            (select count(*) from member)::int as members,
            (select count(*) from inbound_set where status = 'applied')::int as "setsApplied",
            (select count(*) from outbound_acknowledgement)::int as acks,
            (select count(*) from outbound_acknowledgement where delivery = 'pending')::int as pending,
            (select count(*) from outbound_acknowledgement where delivery = 'delivered')::int as delivered`,
  );
  return rows[0]!;
}

/** Nothing at all recorded yet: no transfer, no file, no member, no acknowledgement. */
export async function expectNothingRecorded(db: Db): Promise<void> {
  expect(await tally(db)).toEqual({ transfers: 0, remoteOpen: 0, files: 0, processed: 0, members: 0, setsApplied: 0, acks: 0, pending: 0, delivered: 0 });
}

/**
 * Every dropped file pulled, processed and acknowledged, with no job of any queue left to run
 * (`jobsSchema` given: its queues quiet; a job whose outcome was lost would still run).
 */
export async function settled(db: Db, sftp: SftpWorld, drops: readonly Drop[], jobsSchema?: string): Promise<boolean> {
  const t = await tally(db);
  const n = drops.length;
  if (!(t.transfers === n && t.remoteOpen === 0 && t.files === n && t.processed === n && t.pending === 0 && t.acks >= n)) return false;
  const inbound = new Set(sftp.list(FOLDERS.inbound));
  if (drops.some((d) => inbound.has(d.name))) return false;
  if (jobsSchema) {
    const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from ${jobsSchema}.job where state < 'completed'`);
    if (rows[0]!.n > 0) return false;
  }
  return true;
}

/**
 * The exactly-once checks, from the database, the SFTP server's folders and the archive:
 * - each file pulled once (one transfer, new, the remote copy moved to the archive folder and
 *   gone from the inbound one), its bytes archived whole under the transfer's key;
 * - registered and processed once (one inbound_file, processed; one process-file job, completed);
 * - its members and sets applied once;
 * - each acknowledgement delivered once: one file per row in the partner's folder, with the
 *   row's bytes, no temporary files.
 * `log`, when the service ran in this process: 'file archived and recorded' and 'file done'
 * logged once per file.
 */
export async function expectExactlyOnce(
  w: { db: Db; store: ObjectStore; jobsSchema: string; log?: LogCapture },
  sftp: SftpWorld,
  drops: readonly Drop[],
): Promise<void> {
  const { db } = w;
  const q = async <R>(sql: string): Promise<R[]> => (await db.query<R>(sql)).rows;
  const names = drops.map((d) => d.name).sort();

  const transfers = await q<{ remote_path: string; archive_key: string; sha256: string; size_bytes: string; outcome: string; remote_disposition: string | null; file_id: string }>(
    'select remote_path, archive_key, sha256, size_bytes::text as size_bytes, outcome, remote_disposition, file_id::text as file_id from inbound_transfer order by id',
  );
  expect(transfers.map((t) => posix.basename(t.remote_path)).sort(), 'one transfer per file').toEqual(names);
  expect(transfers.filter((t) => t.outcome !== 'new' || t.remote_disposition !== 'moved'), 'transfers not new and moved').toEqual([]);
  expect(new Set(transfers.map((t) => t.file_id)).size).toBe(drops.length);
  for (const t of transfers) {
    const drop = drops.find((d) => d.name === posix.basename(t.remote_path))!;
    const sha = createHash('sha256').update(drop.text).digest('hex');
    expect(t.sha256, `${drop.name}: archived hash`).toBe(sha);
    expect(Number(t.size_bytes)).toBe(Buffer.byteLength(drop.text));
    expect(await w.store.head(t.archive_key), `${drop.name}: archived object`).toEqual({ size: Buffer.byteLength(drop.text) });
  }
  // The remote side: gone from the inbound folder, once in the archive folder, with the same bytes.
  const inbound = sftp.list(FOLDERS.inbound);
  expect(inbound.filter((n) => names.includes(n) || n.endsWith('.tmp')), 'left in the inbound folder').toEqual([]);
  expect(sftp.list(FOLDERS.archive)).toEqual(names);
  for (const d of drops) expect(sftp.read(posix.join(FOLDERS.archive, d.name)).toString('latin1') === d.text, `${d.name} moved intact`).toBe(true);

  const files = await q<{ file_name: string; status: string }>('select file_name, status from inbound_file order by file_name');
  expect(files, 'one inbound_file per file, processed').toEqual(names.map((n) => ({ file_name: n, status: 'processed' })));
  const processJobs = await q<{ state: string; status: string | null }>(
    `select state::text as state, output->>'status' as status from ${w.jobsSchema}.job where name = 'process-file' order by created_on`,
  );
  expect(processJobs.length, `one process-file job per file: ${JSON.stringify(processJobs)}`).toBe(drops.length);
  expect(processJobs.filter((j) => j.state !== 'completed'), 'process-file jobs not completed').toEqual([]);

  const members = drops.reduce((n, d) => n + d.members, 0);
  const sets = drops.reduce((n, d) => n + d.sets, 0);
  const applied = (await q<{ members: number; distinct: number; adds: number; history: number; sets: number; allSets: number }>(
    `select (select count(*) from member)::int as members,
            (select count(distinct (group_number, subscriber_number, relationship)) from member)::int as distinct,
            (select count(*) from member_history where action = 'add')::int as adds,
            (select count(*) from member_history)::int as history,
            (select count(*) from inbound_set where status = 'applied')::int as sets,
            (select count(*) from inbound_set)::int as "allSets"`,
  ))[0]!;
  expect(applied, 'members and sets applied exactly once').toEqual({ members, distinct: members, adds: members, history: members, sets, allSets: sets });

  const acks = await q<{ kind: string; delivery: string; remote_path: string | null; body: string; file_name: string }>(
    `select o.kind, o.delivery, o.remote_path, o.body, f.file_name from outbound_acknowledgement o join inbound_file f on f.id = o.file_id order by o.id`,
  );
  expect(acks.filter((a) => a.delivery !== 'delivered'), 'acknowledgements not delivered').toEqual([]);
  expect(acks.filter((a) => a.kind === '999').map((a) => a.file_name).sort(), 'one 999 per file').toEqual(names);
  const outbound = sftp.list(FOLDERS.outbound);
  expect(outbound, 'one file per acknowledgement in the partner folder, nothing else').toEqual(acks.map((a) => posix.basename(a.remote_path!)).sort());
  for (const a of acks) {
    expect(posix.dirname(a.remote_path!)).toBe(FOLDERS.outbound);
    expect(sftp.read(a.remote_path!).toString('latin1')).toBe(a.body);
  }

  if (w.log) {
    const of = (l: Record<string, unknown>): boolean => typeof l['file'] === 'string' && names.includes(l['file'] as string);
    expect(w.log.count('file archived and recorded', of), 'each file archived and recorded once').toBe(drops.length);
    expect(w.log.count('file done', of), 'each file processed once').toBe(drops.length);
    const uploaded = w.log.count('acknowledgement delivered');
    expect(uploaded + w.log.count('acknowledgement found delivered'), 'each acknowledgement recorded delivered once').toBe(acks.length);
    expect(uploaded, 'each acknowledgement uploaded at most once').toBeLessThanOrEqual(acks.length);
  }
}

// ---- ports, s3rver, a private PostgreSQL ---------------------------------------------------------

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** s3rver as its own process (as infra/s3/ensure-s3rver.sh runs it), on a fixed port and data folder. */
export class S3rver {
  static readonly BUCKET = 'edibridge-faults';
  static readonly CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  #child: ChildProcess | undefined;
  #output = '';

  constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.#child) throw new Error('s3rver already runs');
    mkdirSync(this.dir, { recursive: true });
    const child = spawn(
      process.execPath,
      ['--openssl-legacy-provider', join(ROOT, 'node_modules/s3rver/bin/s3rver.js'), '-d', this.dir, '-a', '127.0.0.1', '-p', String(this.port), '-s', '--no-vhost-buckets', '--configure-bucket', S3rver.BUCKET],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (c: Buffer) => void (this.#output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => void (this.#output += c.toString()));
    this.#child = child;
    await waitUntil(`s3rver on port ${this.port}`, async () => {
      if (child.exitCode !== null) throw new Error(`s3rver exited ${child.exitCode}: ${this.#output}`);
      return portOpen(this.port);
    }, 20_000);
  }

  /** Kills it (SIGKILL: down at once, open connections reset) and waits for the port to close. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    await waitUntil('the s3rver port closed', async () => !(await portOpen(this.port)), 10_000);
  }
}

const PG_BIN = '/usr/lib/postgresql/15/bin';

/** Whether the PostgreSQL 15 server binaries are installed (the private cluster needs initdb and pg_ctl). */
export function postgresBinaries(): boolean {
  return existsSync(join(PG_BIN, 'initdb')) && existsSync(join(PG_BIN, 'pg_ctl')) && existsSync(join(PG_BIN, 'postgres'));
}

/** A throw-away PostgreSQL cluster in a folder of its own, on a free port, run as postgres when this is root. */
export class PrivatePostgres {
  readonly #asRoot = process.getuid?.() === 0;
  #running = false;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/edibridge_faults_test`;
  }

  static async start(dir: string): Promise<PrivatePostgres> {
    const cluster = new PrivatePostgres(dir, await freePort());
    if (cluster.#asRoot) chownSync(dir, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), Number((await run('id', ['-g', 'postgres'])).stdout.trim()));
    await cluster.#pg('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    await cluster.#pg('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o',
      `-p ${cluster.port} -h 127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50`, 'start']);
    cluster.#running = true;
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${cluster.port}/postgres` });
    await admin.connect();
    try {
      await admin.query('create database edibridge_faults_test');
    } finally {
      await admin.end();
    }
    return cluster;
  }

  /** `pg_ctl restart -m fast`: every connection is cut, the server is back when it returns. */
  async restart(): Promise<void> {
    await this.#pg('pg_ctl', ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'server.log'), '-w', '-t', '60', '-m', 'fast', 'restart']);
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    await this.#pg('pg_ctl', ['-D', join(this.dir, 'data'), '-w', '-t', '30', '-m', 'immediate', 'stop']).catch(() => undefined);
  }

  /** The server log (for failure messages). */
  log(): string {
    try {
      return readFileSync(join(this.dir, 'server.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async #pg(tool: string, args: string[]): Promise<void> {
    const bin = join(PG_BIN, tool);
    const [cmd, argv] = this.#asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
    try {
      await run(cmd, argv, { timeout: 90_000 });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${tool} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}\n${this.log().split('\n').slice(-20).join('\n')}`);
    }
  }
}

/** Removes a folder the postgres user may own parts of. */
export function removeDir(dir: string): void {
  if (existsSync(dir) && statSync(dir).isDirectory()) rmSync(dir, { recursive: true, force: true });
}
