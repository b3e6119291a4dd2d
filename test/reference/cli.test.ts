/** `edibridge setup load` in-process, on an in-memory PGlite: exit codes and output. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import type { Db } from '../../src/db/db.js';
import { createPgliteDb } from '../../src/db/pglite.js';
import { setupCommand } from '../../src/cli/commands/setup.js';
import { countReferenceRows } from '../../src/reference/store.js';
import { useTempDirs } from '../support/tmp.js';

const SAMPLE = fileURLToPath(new URL('../../samples/reference-data.yaml', import.meta.url));
const tempDir = useTempDirs();

let db: Db;
beforeAll(async () => {
  db = await createPgliteDb();
});
afterAll(async () => {
  await db.close();
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), now: () => new Date('2026-11-23T10:00:00Z'), env: {} };
  // The command closes what it opened: hand it a handle whose close leaves the instance open.
  const open = async (): Promise<Db> => ({ ...db, kind: db.kind, query: db.query.bind(db), exec: db.exec.bind(db), transaction: db.transaction.bind(db), close: async () => {} });
  const code = await setupCommand(argv, io, { open });
  return { code, out, err };
}

describe('edibridge setup load', () => {
  it('explains itself and refuses bad usage with 2', async () => {
    expect((await run('--help')).out).toMatch(/usage: edibridge setup load/);
    expect((await run()).code).toBe(2);
    expect((await run('load')).code).toBe(2);
    expect((await run('unload', SAMPLE)).code).toBe(2);
    expect((await run('load', SAMPLE, '--bogus')).code).toBe(2);
    expect((await run('load', '/no/such/file.yaml')).code).toBe(2);
    const txt = await run('load', '/tmp/reference.txt');
    expect(txt.code).toBe(2);
    expect(txt.err).toMatch(/must end in \.yaml, \.yml or \.json/);
  });

  it('migrates, loads the sample and prints the counts; a second load changes nothing', async () => {
    const first = await run('load', SAMPLE);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('  plan_rate: 20 (inserted 20, updated 0, deleted 0)\n');
    const second = await run('load', SAMPLE, '--json');
    expect(second.code).toBe(0);
    const json = JSON.parse(second.out) as { kind: string; counts: Record<string, { inserted: number; total: number }> };
    expect(json.kind).toBe('pglite');
    expect(json.counts['employer_group']).toEqual({ inserted: 0, updated: 0, deleted: 0, total: 3 });
  });

  it('refuses invalid data with 1, listing every problem, and changes nothing', async () => {
    await run('load', SAMPLE);
    const before = await countReferenceRows(db);
    const dir = tempDir('setup');
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'partners:\n  - { id: acme, name: Acme, isa: { qualifier: ZZ, id: ACMEEMPLOYER }, gs_id: ACMEEMPLOYER,\n      receiver: { isa_qualifier: ZZ, isa_id: EDIBRIDGEPLAN, gs_id: EDIBRIDGEPLAN }, transactions: ["834"] }\ngroups:\n  - { group_number: G1, name: One, partner: nobody, billing: { day: 31 } }\n',
    );
    const r = await run('load', file, '--json');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/2 problems/);
    expect(r.err).toContain('groups[0].billing.day: must be from 1 to 28');
    expect(JSON.parse(r.out)).toMatchObject({ error: { code: 'CONFIG_INVALID', issues: expect.arrayContaining([expect.stringMatching(/^groups\[0\]\.billing\.day/)]) } });
    expect(await countReferenceRows(db)).toEqual(before);
  });
});
