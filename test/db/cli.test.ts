/**
 * `edibridge db migrate|status` end to end: the default embedded database on disk
 * (PGlite under $EDIBRIDGE_DATA_DIR/pglite, with its lock file), and a PostgreSQL server
 * through DATABASE_URL when one is reachable.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { dbCommand } from '../../src/cli/commands/db.js';
import { createPgDb } from '../../src/db/pg.js';
import { createPgliteDb } from '../../src/db/pglite.js';
import { loadMigrations } from '../../src/db/migrate.js';
import { useTempDirs } from '../support/tmp.js';
import { TEST_DATABASE_URL, assertTestDatabaseName, probePg } from './harness.js';

/** The migrations this code knows: the expectations follow them as migrations are added. */
const ALL = loadMigrations().map((m) => ({ ...m, file: `${String(m.version).padStart(6, '0')}_${m.name}` }));
const LATEST = ALL.length;

async function run(env: NodeJS.ProcessEnv, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), now: () => new Date('2026-11-23T10:00:00Z'), env };
  const code = await dbCommand(argv, io);
  return { code, out, err };
}

describe('edibridge db: usage', () => {
  it('explains itself and refuses unknown subcommands', async () => {
    expect((await run({}, '--help')).out).toMatch(/usage: edibridge db migrate\|status/);
    expect((await run({})).code).toBe(2);
    expect((await run({}, 'frobnicate')).code).toBe(2);
    expect((await run({}, 'migrate', '--bogus')).code).toBe(2);
  });

  it('refuses an invalid DATABASE_URL without echoing it: a bad setting is exit 2', async () => {
    const r = await run({ DATABASE_URL: 'mysql://app:hunter2@db/app' }, 'migrate');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(r.err).not.toContain('hunter2');
  });
});

describe('edibridge db on the embedded database (PGlite on disk)', () => {
  const dataRoot = useTempDirs()('db');
  const env = { EDIBRIDGE_DATA_DIR: dataRoot };
  const dataDir = join(dataRoot, 'pglite');

  it('migrates a new data directory, then finds it up to date', async () => {
    const first = await run(env, 'migrate');
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(new RegExp(`^${ALL.map((m) => `applied ${m.file}\n`).join('')}migrated: pglite database, schema public, version ${LATEST}\njob engine: schema edibridge_jobs, pg-boss version \\d+\n$`));
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);

    const second = await run(env, 'migrate', '--json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.out)).toEqual({ kind: 'pglite', schema: 'public', applied: [], version: LATEST, jobs: { schema: 'edibridge_jobs', version: expect.any(Number) } });
    // The job engine's schema is there for a service run with EDIBRIDGE_MIGRATE=off.
    expect(JSON.parse(second.out).jobs.version).toBeGreaterThanOrEqual(20);

    const status = await run(env, 'status');
    expect(status.out).toBe(`pglite database, schema public, version ${LATEST} of ${LATEST}\n`);
  });

  it('refuses a data directory another process holds, and takes over a stale lock', async () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(`${dataDir}.lock`, `${holder.pid}\n`);
      const busy = await run(env, 'status', '--json');
      expect(busy.code).toBe(1);
      expect(busy.err).toContain(`in use by process ${holder.pid}`);
      expect(JSON.parse(busy.out).error.code).toBe('CONFIG_INVALID');
    } finally {
      holder.kill();
    }
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(`${dataDir}.lock`, `${gone}\n`);
    const r = await run(env, 'status');
    expect(r.code).toBe(0);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });

  it('refuses to open the data directory twice in one process; it reopens once closed', async () => {
    const db = await createPgliteDb({ dataDir });
    try {
      const r = await run(env, 'migrate');
      expect(r.code).toBe(1);
      expect(r.err).toContain('already open in this process');
      await db.query("insert into inbound_file (partner, file_name, sha256, size_bytes) values ('acme', 'f', $1, 1)", ['c'.repeat(64)]);
    } finally {
      await db.close();
    }
    const again = await createPgliteDb({ dataDir });
    try {
      expect((await again.query('select partner from inbound_file')).rows).toEqual([{ partner: 'acme' }]);
    } finally {
      await again.close();
    }
  });
});

const probe = await probePg(TEST_DATABASE_URL);

describe.skipIf(!probe.ok)('edibridge db on PostgreSQL (DATABASE_URL)', () => {
  const schema = `edibridge_test_cli_${process.pid}`;
  const admin = createPgDb({ connectionString: TEST_DATABASE_URL, max: 1 });
  afterAll(async () => {
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.query(`drop schema if exists ${schema}_jobs cascade`);
    await admin.close();
  });

  it('migrates the schema named by the URL\'s search_path', async () => {
    const { rows } = await admin.query<{ name: string }>('select current_database() as name');
    assertTestDatabaseName(rows[0]?.name ?? '');
    await admin.query(`create schema ${schema}`);
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const env = { DATABASE_URL: url.toString() };
    const first = await run(env, 'migrate', '--json');
    expect(first.err).toBe('');
    expect(JSON.parse(first.out)).toEqual({ kind: 'pg', schema, applied: ALL.map(({ version, name }) => ({ version, name })), version: LATEST, jobs: { schema: `${schema}_jobs`, version: expect.any(Number) } });
    expect((await admin.query(`select count(*)::int as n from ${schema}_jobs.queue`)).rows).toEqual([{ n: 0 }]);
    const status = await run(env, 'status', '--json');
    expect(JSON.parse(status.out)).toEqual({ kind: 'pg', schema, version: LATEST, latest: LATEST, pending: [] });
  });
});
