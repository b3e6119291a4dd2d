/** `edibridge exceptions list` in-process, on an in-memory PGlite: output, filters, exit codes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import type { Db } from '../../src/db/db.js';
import { migrate } from '../../src/db/migrate.js';
import { createPgliteDb } from '../../src/db/pglite.js';
import { exceptionsCommand } from '../../src/cli/commands/exceptions.js';
import { unclosable } from '../db/harness.js';
import { recordExceptions, transitionException } from '../../src/exceptions/store.js';

const NOW = new Date('2026-11-23T10:00:00Z');
let db: Db;
let opened = 0;

beforeAll(async () => {
  db = await createPgliteDb();
  await migrate(db);
  const file = async (partner: string, received: string, n: number): Promise<string> =>
    (
      await db.query<{ id: string }>(
        `insert into inbound_file (partner, file_name, sha256, received_at, size_bytes) values ($1, 'f.x12', $2, $3, 1) returning id::text as id`,
        [partner, n.toString(16).padStart(64, '0'), received],
      )
    ).rows[0]!.id;
  const old = await file('acme', '2026-11-20T08:00:00Z', 1); // due 2026-11-22 08:00: overdue at NOW
  const fresh = await file('summit-tpa', '2026-11-23T09:00:00Z', 2); // due 2026-11-25 09:00
  await recordExceptions(db, [
    { category: 'last-name-change', fileId: old, setControl: '0001', segmentPosition: 9, groupNumber: 'GRP10045', subscriberId: 'M123456', description: 'Last name changed.' },
    { category: 'medicare', fileId: fresh, setControl: '0002', segmentPosition: 15, groupNumber: 'GRP20311', subscriberId: 'M777', description: 'Medicare enrollment.' },
    { category: 'unknown-invoice', fileId: fresh, setControl: '0003', segmentPosition: 4, groupNumber: 'GRP20311', description: 'Invoice not found.' },
  ]);
  await transitionException(db, 3, 'in_progress', { actor: 'ops1' });
});
afterAll(async () => {
  await db.close();
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), now: () => NOW, env: {} };
  // The command closes what it opened: hand it a handle whose close leaves the instance open.
  const open = async (): Promise<Db> => {
    opened++;
    return unclosable(db);
  };
  const code = await exceptionsCommand(argv, io, { open });
  return { code, out, err };
}

describe('edibridge exceptions list', () => {
  it('prints a readable table, overdue flagged, due order by default', async () => {
    const r = await run('list');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+CATEGORY\s+GROUP\s+SUBSCRIBER\s+DUE\s+STATE\s+OWNER\s+OVERDUE$/);
    expect(lines[1]).toMatch(/^1\s+Subscriber's last name changed\s+GRP10045\s+M123456\s+2026-11-22 08:00Z\s+open\s+-\s+OVERDUE$/);
    expect(lines[2]).toMatch(/^2\s+Medicare enrollment\s+GRP20311\s+M777\s+2026-11-25 09:00Z\s+open\s+-$/);
    expect(lines[3]).toMatch(/^3\s+Payment for an invoice we cannot find\s+GRP20311\s+-\s+2026-11-25 09:00Z\s+in_progress\s+ops1$/);
    expect(lines[4]).toBe('3 exceptions');
  });

  it('filters, sorts and writes JSON', async () => {
    const r = await run('list', '--group', 'GRP20311', '--sort', 'category', '--desc', '--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as Record<string, unknown>[];
    expect(rows.map((x) => [x['id'], x['category'], x['title'], x['overdue'], x['dueAt']])).toEqual([
      ['3', 'unknown-invoice', 'Payment for an invoice we cannot find', false, '2026-11-25T09:00:00.000Z'],
      ['2', 'medicare', 'Medicare enrollment', false, '2026-11-25T09:00:00.000Z'],
    ]);
    expect(rows[1]).toMatchObject({ subscriberId: 'M777', partner: 'summit-tpa', setControl: '0002', segmentPosition: 15, state: 'open' });
    const overdue = JSON.parse((await run('list', '--overdue', '--json')).out) as { category: string }[];
    expect(overdue.map((x) => x.category)).toEqual(['last-name-change']);
    const state = JSON.parse((await run('list', '--state', 'in_progress', '--category', 'unknown-invoice', '--json')).out) as { id: string }[];
    expect(state.map((x) => x.id)).toEqual(['3']);
    expect((await run('list', '--state', 'resolved')).out).toBe('no exceptions match\n');
    expect((await run('list', '--limit', '1')).out).toMatch(/1 exception \(first 1; use --limit\)\n$/);
  });

  it('refuses bad values with usage and exit 2, without opening the database or echoing them', async () => {
    const before = opened;
    for (const argv of [
      ['list', '--sort', 'due_at; drop table exception'],
      ['list', '--state', 'closed'],
      ['list', '--category', 'M123456'],
      ['list', '--limit', '0'],
      ['list', '--limit', 'many'],
      ['list', '--bogus'],
      ['list', 'extra'],
      ['lst'],
      [],
    ]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(/usage: edibridge exceptions list/);
      expect(r.out).toBe('');
    }
    const bad = await run('list', '--category', 'M123456');
    expect(bad.err).toMatch(/--category/);
    expect(bad.err).not.toMatch(/M123456/);
    expect(opened).toBe(before);
    expect((await run('--help')).code).toBe(0);
  });

  it('with EDIBRIDGE_MIGRATE=off, refuses a database that is behind and says to migrate (exit 2); by default migrates it', async () => {
    const empty = await createPgliteDb();
    try {
      let err = '';
      let out = '';
      const io = (env: NodeJS.ProcessEnv): Io => ({ out: (t) => void (out += t), err: (t) => void (err += t), now: () => NOW, env });
      const code = await exceptionsCommand(['list'], io({ EDIBRIDGE_MIGRATE: 'off' }), { open: async () => unclosable(empty) });
      expect(code).toBe(2);
      expect(err).toMatch(/version 0 of \d+ and EDIBRIDGE_MIGRATE is off: run `edibridge db migrate`/);
      expect(out).toBe('');
      err = '';
      expect(await exceptionsCommand(['list'], io({}), { open: async () => unclosable(empty) })).toBe(0);
      expect(err).toBe('');
      expect(out).toBe('no exceptions match\n');
    } finally {
      await empty.close().catch(() => {});
    }
  });
});
