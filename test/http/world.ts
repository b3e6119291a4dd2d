/**
 * A world for the web adapter's tests, the browser tests, the load test and the screenshots:
 * PostgreSQL (a schema of its own) with the sample reference data; real files processed from
 * a local archive as the service does (the sample 834s from Acme for GRP10045, and files
 * whose members are held for a person: an unknown plan for GRP10045 and for Summit TPA's
 * GRP20311); the plan's ops organisation and two partner organisations (Acme Widgets sees
 * GRP10045 and acme's files; Summit TPA sees its partner's groups) with a user of each role;
 * and the HTTP server with the API, console and portal on a free port, under a clock the test
 * moves.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureOrganisation, createUser } from '../../src/access/users.js';
import type { Role } from '../../src/access/roles.js';
import { createAppContext, type AppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { createMetrics } from '../../src/core/metrics.js';
import type { Db } from '../../src/db/db.js';
import { migrate } from '../../src/db/migrate.js';
import { enrollmentHandler } from '../../src/enrollment/handler.js';
import { createHttpServer, type HttpServer } from '../../src/http/server.js';
import { handlerRegistry } from '../../src/ingest/handlers.js';
import { processArchivedFile } from '../../src/ingest/process-archived.js';
import { loadReferenceData, readReferenceFile } from '../../src/reference/index.js';
import { LocalFolderStore } from '../../src/transport/store/local.js';
import { PhiProtector } from '../../src/phi/protector.js';
import { pgHarness, unclosable, type DbHarness } from '../db/harness.js';
import { SUMMIT, build834, subscriber } from '../enrollment/build834.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
export const PASSWORD = 'correct-horse-42';
const PHI_HEX = '07'.repeat(32);

export interface WebUser {
  login: string;
  role: Role;
  organisation: string;
}

export const USERS: Record<'opsAdmin' | 'ops' | 'acmeAdmin' | 'acmeUser' | 'summitUser', WebUser> = {
  opsAdmin: { login: 'ada.admin', role: 'ops-admin', organisation: 'Health Plan Operations' },
  ops: { login: 'oscar.ops', role: 'ops', organisation: 'Health Plan Operations' },
  acmeAdmin: { login: 'hr.admin@acme.example', role: 'partner-admin', organisation: 'Acme Widgets' },
  acmeUser: { login: 'hr.user@acme.example', role: 'partner-user', organisation: 'Acme Widgets' },
  summitUser: { login: 'benefits@summit.example', role: 'partner-user', organisation: 'Summit TPA' },
};

export interface WebWorld {
  db: Db;
  app: AppContext;
  http: HttpServer;
  base: string;
  /** The clock the application reads; tests move it. */
  clock: { now: Date };
  store: LocalFolderStore;
  /** Exception ids by what they are. */
  items: { acmeHeld: string; summitHeld: string; heldFile: string };
  close(): Promise<void>;
}

export const WORLD_NOW = new Date('2026-11-23T15:00:00Z');

/** Archives the text as the partner's file and processes it from the archive; returns the file id. */
async function processText(db: Db, store: LocalFolderStore, partner: string, name: string, bytes: Buffer, now: Date, phi: PhiProtector): Promise<string> {
  const key = `inbound/${partner}/2026/11/23/${name}`;
  await store.put(key, (async function* () {
    yield bytes;
  })());
  const r = await processArchivedFile(
    { db, store, handlers: handlerRegistry(enrollmentHandler({ phi })), now: () => now, log: silentLogger(), ackDir: join(store.root, '..', 'acks') },
    { partnerId: partner, key },
  );
  return r.fileId;
}

export async function createWebWorld(options: { harness?: DbHarness } = {}): Promise<WebWorld> {
  const harness = options.harness ?? (await pgHarness());
  const db = harness.db;
  await migrate(db);
  await loadReferenceData(db, await readReferenceFile(join(SAMPLES, 'reference-data.yaml')));
  const dir = mkdtempSync(join(tmpdir(), 'edibridge-web-'));
  const store = new LocalFolderStore(join(dir, 'archive'));
  const phi = new PhiProtector(Buffer.from(PHI_HEX, 'hex'));
  const clock = { now: WORLD_NOW };
  const received = new Date(WORLD_NOW.getTime() - 30 * 3600e3);
  for (const name of ['enrollment-834-open-enrollment.x12', 'enrollment-834.x12']) {
    await processText(db, store, 'acme', name, readFileSync(join(SAMPLES, name)), received, phi);
  }
  // Held for a person: plans the groups do not offer.
  await processText(db, store, 'acme', 'new-hires.x12', Buffer.from(build834([subscriber('880000001', { coverages: [{ line: 'HLT', plan: 'HMO10', level: 'EMP' }] })])), received, phi);
  await processText(db, store, 'summit-tpa', 'summit-adds.x12', Buffer.from(build834([subscriber('990000001', { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP' }] })], { sender: SUMMIT, masterPolicy: 'GRP20311' })), new Date(WORLD_NOW.getTime() - 50 * 3600e3), phi);
  // A full file naming one new member of GRP10045: it would end everyone else, so it is held.
  await processText(db, store, 'acme', 'full-replace.x12', Buffer.from(build834([subscriber('880000009', { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP' }] })], { action: 'RX', effective: '20261201' })), received, phi);
  const item = async (group: string): Promise<string> => {
    const { rows } = await db.query<{ id: string }>(`select id::text as id from exception where group_number = $1 and category = 'unknown-plan' order by id limit 1`, [group]);
    if (!rows[0]) throw new Error(`the world has no unknown-plan item for ${group}`);
    return rows[0].id;
  };
  const held = await db.query<{ id: string }>("select id::text as id from held_full_file where state = 'held' order by id limit 1");
  if (!held.rows[0]) throw new Error('the world has no held full file');
  const items = { acmeHeld: await item('GRP10045'), summitHeld: await item('GRP20311'), heldFile: held.rows[0].id };

  await ensureOrganisation(db, { name: 'Health Plan Operations', kind: 'plan' });
  await ensureOrganisation(db, { name: 'Acme Widgets', kind: 'partner', groups: ['GRP10045'], partners: ['acme'] });
  await ensureOrganisation(db, { name: 'Summit TPA', kind: 'partner', partners: ['summit-tpa'] });
  for (const u of Object.values(USERS)) await createUser(db, { login: u.login, displayName: u.login.split(/[.@]/)[0]!, role: u.role, organisation: u.organisation, password: PASSWORD }, WORLD_NOW);
  // The seeded users have set their own passwords already.
  await db.query('update app_user set must_change_password = false');

  const config = loadConfig({ EDIBRIDGE_PHI_KEY: PHI_HEX, EDIBRIDGE_STORE_DIR: join(dir, 'archive'), EDIBRIDGE_DATA_DIR: join(dir, 'data') });
  const app = createAppContext(config, silentLogger(), { now: () => clock.now, openDb: async () => unclosable(db) });
  const http = createHttpServer({ log: silentLogger(), metrics: createMetrics(), readiness: { database: async () => undefined, engine: () => ({ ready: true }) }, app });
  const port = await http.listen(0, '127.0.0.1');
  return {
    db,
    app,
    http,
    base: `http://localhost:${port}`,
    clock,
    store,
    items,
    async close() {
      await http.close();
      await app.close();
      if (!options.harness) await harness.dispose(false);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A signed-in API client: the cookie and CSRF token of its session. */
export interface Client {
  cookie: string;
  csrf: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

export async function signIn(base: string, login: string, password = PASSWORD): Promise<Client> {
  const r = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }) });
  if (r.status !== 200) throw new Error(`sign-in of ${login} answered ${r.status}: ${await r.text()}`);
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await r.json()) as { csrfToken: string };
  return {
    cookie,
    csrf: csrfToken,
    call: (method, path, body, headers = {}) =>
      fetch(`${base}${path}`, {
        method,
        redirect: 'manual',
        headers: { cookie, 'x-csrf-token': csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
  };
}
