/**
 * The behaviour every `Db` adapter must show, run once per adapter (pglite.test.ts,
 * pg.test.ts) against a real database: no mocks.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { CopyText } from '../../src/db/copy-text.js';
import { DbError, SqlState, isUniqueViolation } from '../../src/db/errors.js';
import { loadMigrations, migrate, migrationStatus, quoteIdent, type Migration } from '../../src/db/migrate.js';
import { dumpSchema } from '../../src/db/schema-dump.js';
import type { DbHarness } from './harness.js';

const SCHEMA_DUMP = fileURLToPath(new URL('../../schemas/sql/schema.sql', import.meta.url));
const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

export function describeDbContract(kind: Db['kind'], harness: () => DbHarness): void {
  const db = (): Db => harness().db;

  /** A fresh schema with a scratch table, qualified name returned. */
  async function scratch(): Promise<string> {
    const schema = quoteIdent(harness().freshSchemaName());
    await db().exec(`create schema ${schema}; create table ${schema}.t (id int primary key, note text not null);`);
    return `${schema}.t`;
  }

  describe('statements', () => {
    it(`is the ${kind} adapter`, () => {
      expect(db().kind).toBe(kind);
    });

    it('binds $n parameters, including null, json and arrays (batches as arrays)', async () => {
      const r = await db().query<{ a: string; b: number; c: boolean; n: null; j: { x: number[] } }>(
        'select $1::text as a, $2::int4 as b, $3::boolean as c, $4::text as n, $5::jsonb as j',
        ["it's", 42, true, null, { x: [1, 2] }],
      );
      expect(r.rows).toEqual([{ a: "it's", b: 42, c: true, n: null, j: { x: [1, 2] } }]);
      expect(r.rowCount).toBe(1);

      const batch = await db().query<{ id: number; note: string }>(
        'select * from unnest($1::int4[], $2::text[]) as u(id, note) order by id',
        [[2, 1], ['two', 'one']],
      );
      expect(batch.rows).toEqual([
        { id: 1, note: 'one' },
        { id: 2, note: 'two' },
      ]);
    });

    it('counts rows returned and affected', async () => {
      const t = await scratch();
      const ins = await db().query(`insert into ${t} select g, 'n' || g from generate_series(1, 3) g`);
      expect(ins.rowCount).toBe(3);
      expect((await db().query(`update ${t} set note = 'x' where id >= 2`)).rowCount).toBe(2);
      expect((await db().query(`select * from ${t}`)).rowCount).toBe(3);
      expect((await db().query(`delete from ${t} where id = 99`)).rowCount).toBe(0);
    });

    it('returns int8 and numeric as strings, as pg does', async () => {
      const r = await db().query<{ big: string; n: string; c: string; arr: string[]; num: string }>(
        'select 9007199254740993::int8 as big, $1::int8 as n, count(*) as c, array[1, 2]::int8[] as arr, 1.50::numeric as num from generate_series(1, 3)',
        ['-42'],
      );
      expect(r.rows).toEqual([{ big: '9007199254740993', n: '-42', c: '3', arr: ['1', '2'], num: '1.50' }]);
      const fromBigInt = await db().query<{ v: string }>('select $1::int8 as v', [9007199254740993n]);
      expect(fromBigInt.rows).toEqual([{ v: '9007199254740993' }]);
    });

    it('returns bytea as a Buffer, both ways', async () => {
      const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff]);
      const r = await db().query<{ b: Buffer; lit: Buffer; len: number }>(
        "select $1::bytea as b, '\\xdeadbeef'::bytea as lit, length($1::bytea) as len",
        [bytes],
      );
      const row = r.rows[0];
      expect(Buffer.isBuffer(row?.b)).toBe(true);
      expect(row?.b.equals(bytes)).toBe(true);
      expect(Buffer.isBuffer(row?.lit)).toBe(true);
      expect(row?.lit.toString('hex')).toBe('deadbeef');
      expect(row?.len).toBe(5);
    });

    it('returns date as YYYY-MM-DD text and timestamptz as Date', async () => {
      const r = await db().query<{ d: string; ds: (string | null)[]; ts: Date }>(
        "select $1::date as d, array['2024-02-29', null]::date[] as ds, '2026-01-02 03:04:05+00'::timestamptz as ts",
        ['2026-12-31'],
      );
      expect(r.rows[0]?.d).toBe('2026-12-31');
      expect(r.rows[0]?.ds).toEqual(['2024-02-29', null]);
      expect(r.rows[0]?.ts).toEqual(new Date('2026-01-02T03:04:05Z'));
      const at = new Date('2026-11-23T10:00:00.123Z');
      expect((await db().query<{ t: Date }>('select $1::timestamptz as t', [at])).rows[0]?.t).toEqual(at);
    });

    it('takes one statement per query; exec runs scripts', async () => {
      const err = await rejection(db().query('select 1; select 2'));
      expect(err).toBeInstanceOf(DbError);
      expect((err as DbError).sqlState).toBe(SqlState.syntaxError);

      const t = await scratch();
      await db().exec(`insert into ${t} values (1, 'a'); insert into ${t} values (2, 'b');`);
      expect((await db().query(`select count(*) as c from ${t}`)).rows).toEqual([{ c: '2' }]);
    });

    it('normalises driver errors into DbError with the SQLSTATE and constraint, without row values', async () => {
      const t = await scratch();
      await db().query(`insert into ${t} values (1, 'secret-member-name')`);
      const err = await rejection(db().query(`insert into ${t} values ($1, $2)`, [1, 'secret-member-name']));
      expect(err).toBeInstanceOf(DbError);
      const e = err as DbError;
      expect(e.code).toBe('INTERNAL');
      expect(e.sqlState).toBe(SqlState.uniqueViolation);
      expect(e.constraint).toBe('t_pkey');
      expect(isUniqueViolation(e, 't_pkey')).toBe(true);
      expect(e.cause).toBeDefined();
      expect(JSON.stringify(e.toJSON())).not.toContain('secret');
    });
  });

  describe('bulk copy', () => {
    /** A fresh schema with a table of every type the writers copy; its unquoted name. */
    async function copyTable(): Promise<string> {
      const schema = harness().freshSchemaName();
      await db().exec(`create schema ${schema};
        create table ${schema}.c (id int8 primary key, note text, b bytea, ok boolean, d date, j jsonb, tags text[], ids int8[]);`);
      return `${schema}.c`;
    }
    const columns = ['id', 'note', 'b', 'ok', 'd', 'j', 'tags', 'ids'];

    it('copies rows of every field type back exactly, escapes included', async () => {
      const t = await copyTable();
      const rows = new CopyText(columns.length);
      const awkward = 'tab\there\nnew line\r\\ back\\slash \\N not null';
      rows.add(['1', awkward, Buffer.from([0, 0x5c, 0x09, 0xff]), true, '2026-02-28', JSON.stringify({ s: 'a\\b\t"c"' }), '{a,b}', '{7,8}']);
      rows.add([2n, null, null, false, null, null, '{}', null]);
      expect(await db().copyFrom(t, columns, rows.toString())).toBe(2);
      const r = await db().query<{ id: string; note: string | null; b: Buffer | null; ok: boolean; d: string | null; j: unknown; tags: string[]; ids: string[] | null }>(
        `select * from ${t} order by id`,
      );
      expect(r.rows).toEqual([
        { id: '1', note: awkward, b: Buffer.from([0, 0x5c, 0x09, 0xff]), ok: true, d: '2026-02-28', j: { s: 'a\\b\t"c"' }, tags: ['a', 'b'], ids: ['7', '8'] },
        { id: '2', note: null, b: null, ok: false, d: null, j: null, tags: [], ids: null },
      ]);
      expect(await db().copyFrom(t, columns, '')).toBe(0);
    });

    it('is all or nothing: a bad row copies none, with a DbError that quotes no value', async () => {
      const t = await copyTable();
      const rows = new CopyText(2);
      rows.add(['1', 'fine']);
      rows.add(['1', 'secret-member-name']);
      const err = await rejection(db().copyFrom(t, ['id', 'note'], rows.toString()));
      expect(err).toBeInstanceOf(DbError);
      expect((err as DbError).sqlState).toBe(SqlState.uniqueViolation);
      expect(JSON.stringify((err as DbError).toJSON())).not.toContain('secret');
      expect((await db().query(`select count(*) as c from ${t}`)).rows).toEqual([{ c: '0' }]);
      const typed = await rejection(db().copyFrom(t, ['id', 'note'], 'secret-ssn-123456789\tx\n'));
      expect((typed as DbError).sqlState).toBe('22P02');
      expect((typed as DbError).message).toContain('bigint');
      expect(JSON.stringify((typed as DbError).toJSON())).not.toContain('secret');
      // The adapter is usable afterwards.
      expect(await db().copyFrom(t, ['id', 'note'], '5\tafter\n')).toBe(1);
    });

    it('copies inside a transaction and rolls back with it', async () => {
      const t = await copyTable();
      const boom = new Error('boom');
      const err = await rejection(
        db().transaction(async (tx) => {
          expect(await tx.copyFrom(t, ['id', 'note'], '1\tin\n2\tin\n')).toBe(2);
          expect((await tx.query(`select count(*) as c from ${t}`)).rows).toEqual([{ c: '2' }]);
          throw boom;
        }),
      );
      expect(err).toBe(boom);
      expect((await db().query(`select count(*) as c from ${t}`)).rows).toEqual([{ c: '0' }]);
    });

    it('refuses names that are not plain identifiers before anything is sent', async () => {
      const err = await rejection(db().copyFrom('c; drop table x', ['id'], ''));
      expect(err).toBeInstanceOf(DbError);
      expect(() => new CopyText(2).add(['only one'])).toThrow(DbError);
    });
  });

  describe('transactions', () => {
    it('commits when the callback resolves, returning its value', async () => {
      const t = await scratch();
      const value = await db().transaction(async (tx) => {
        await tx.query(`insert into ${t} values (1, 'a')`);
        await tx.query(`insert into ${t} values (2, 'b')`);
        return 'done';
      });
      expect(value).toBe('done');
      expect((await db().query(`select id from ${t} order by id`)).rows).toEqual([{ id: 1 }, { id: 2 }]);
    });

    it('rolls back everything when the callback throws, rethrowing the same error', async () => {
      const t = await scratch();
      const boom = new Error('boom');
      const err = await rejection(
        db().transaction(async (tx) => {
          await tx.query(`insert into ${t} values (1, 'a')`);
          await tx.exec(`insert into ${t} values (2, 'b'); insert into ${t} values (3, 'c');`);
          throw boom;
        }),
      );
      expect(err).toBe(boom);
      expect((await db().query(`select * from ${t}`)).rowCount).toBe(0);
    });

    it('rolls back on a database error inside', async () => {
      const t = await scratch();
      const err = await rejection(
        db().transaction(async (tx) => {
          await tx.query(`insert into ${t} values (1, 'a')`);
          await tx.query(`insert into ${t} values (1, 'duplicate')`);
        }),
      );
      expect(isUniqueViolation(err)).toBe(true);
      expect((await db().query(`select * from ${t}`)).rowCount).toBe(0);
    });

    it('never commits a transaction whose database error the callback swallowed', async () => {
      const t = await scratch();
      const err = await rejection(
        db().transaction(async (tx) => {
          await tx.query(`insert into ${t} values (1, 'a')`);
          await tx.query(`insert into ${t} values (1, 'duplicate')`).catch(() => undefined);
          return 'looks fine';
        }),
      );
      expect(err).toBeInstanceOf(DbError);
      expect((err as DbError).sqlState).toBe('25P02');
      expect((await db().query(`select * from ${t}`)).rowCount).toBe(0);
    });

    it('runs a nested transaction as a savepoint: its failure undoes only itself', async () => {
      const t = await scratch();
      await db().transaction(async (tx) => {
        await tx.query(`insert into ${t} values (1, 'outer')`);
        const inner = await rejection(
          tx.transaction(async (tx2) => {
            await tx2.query(`insert into ${t} values (2, 'inner')`);
            await tx2.query(`insert into ${t} values (2, 'duplicate')`);
          }),
        );
        expect(isUniqueViolation(inner)).toBe(true);
        await tx.transaction(async (tx2) => {
          await tx2.query(`insert into ${t} values (3, 'inner kept')`);
        });
      });
      expect((await db().query(`select id from ${t} order by id`)).rows).toEqual([{ id: 1 }, { id: 3 }]);
    });

    it('runs statements issued without waiting one at a time, in the order they were issued', async () => {
      const schema = harness().freshSchemaName();
      await db().exec(`create schema ${schema}; create table ${schema}.t (id int primary key, note text not null);`);
      const t = `${schema}.t`;
      const warnings: string[] = [];
      const onWarning = (w: Error): void => void warnings.push(w.message);
      process.on('warning', onWarning);
      try {
        const seen = await db().transaction(async (tx) => {
          // Nothing awaited in between: each must see the ones issued before it.
          const insert = tx.query(`insert into ${t} (id, note) values (1, 'a')`);
          const copy = tx.copyFrom(t, ['id', 'note'], '2\tb\n3\tc\n');
          const count = tx.query<{ n: number }>(`select count(*)::int as n from ${t}`);
          const update = tx.query(`update ${t} set note = note || '!' where id <= 2`);
          const notes = tx.query<{ note: string }>(`select note from ${t} order by id`);
          const [, copied, counted, , listed] = await Promise.all([insert, copy, count, update, notes]);
          return { copied, counted: counted.rows[0]?.n, notes: listed.rows.map((r) => r.note) };
        });
        expect(seen).toEqual({ copied: 2, counted: 3, notes: ['a!', 'b!', 'c'] });
        // A failure fails the statements after it (the transaction is aborted) and rolls back.
        const err = await rejection(
          db().transaction(async (tx) => {
            const bad = tx.query(`insert into ${t} (id, note) values (1, 'again')`);
            const after = tx.query(`insert into ${t} (id, note) values (9, 'z')`);
            const results = await Promise.allSettled([bad, after]);
            expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
            throw (results[0] as PromiseRejectedResult).reason;
          }),
        );
        expect(isUniqueViolation(err)).toBe(true);
        expect((await db().query(`select id from ${t} order by id`)).rows).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
        // Statements still queued when the callback fails run before the rollback, inside the
        // transaction, and are undone with it; none runs after it, outside the transaction.
        const late: Array<Promise<unknown>> = [];
        await rejection(
          db().transaction(async (tx) => {
            late.push(tx.query('select pg_sleep(0.05)'), tx.query(`insert into ${t} (id, note) values (5, 'late')`));
            late.push(tx.copyFrom(t, ['id', 'note'], '6\tlater\n'));
            throw new Error('the callback fails with statements still queued');
          }),
        );
        expect((await Promise.allSettled(late)).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
        expect((await db().query(`select id from ${t} order by id`)).rows).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
        await new Promise((r) => setImmediate(r));
        expect(warnings.filter((w) => /already executing a query/.test(w))).toEqual([]);
      } finally {
        process.off('warning', onWarning);
      }
    });

    it('refuses a transaction handle used after the transaction ended, and close() on it', async () => {
      let leaked: Db | undefined;
      await db().transaction(async (tx) => {
        leaked = tx;
        await expect(tx.close()).rejects.toBeInstanceOf(DbError);
      });
      await expect(leaked?.query('select 1')).rejects.toThrow(/after its transaction ended/);
    });

    it("refuses statements on the outer Db inside its transaction (instead of hanging or escaping it)", async () => {
      const err = await rejection(db().transaction(async () => db().query('select 1')));
      expect(err).toBeInstanceOf(DbError);
      expect((err as DbError).message).toMatch(/use the transaction's handle/);
      await expect(db().transaction(async () => db().transaction(async () => 1))).rejects.toThrow(/transaction's handle/);
      expect((await db().query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
    });

    // One PGlite session: there is no "outside" while a transaction runs.
    it.skipIf(kind === 'pglite')('sees its own writes inside and isolates them from outside until commit', async () => {
      const t = await scratch();
      const other = await harness().openAnother();
      await db().transaction(async (tx) => {
        await tx.query(`insert into ${t} values (1, 'a')`);
        expect((await tx.query(`select * from ${t}`)).rowCount).toBe(1);
        expect((await other.query(`select * from ${t}`)).rowCount).toBe(0);
      });
      expect((await other.query(`select * from ${t}`)).rowCount).toBe(1);
    });
  });

  describe('migrations', () => {
    const known = loadMigrations();

    it('applies the committed migrations once; a second run applies nothing', async () => {
      const schema = harness().freshSchemaName();
      const first = await migrate(db(), { schema });
      expect(first).toEqual({ schema, applied: known.map((m) => ({ version: m.version, name: m.name })), version: known.length });
      expect(first.applied[0]).toEqual({ version: 1, name: 'initial' });

      const second = await migrate(db(), { schema });
      expect(second).toEqual({ schema, applied: [], version: known.length });

      const recorded = await db().query<{ version: number; name: string; applied_at: Date }>(
        `select version, name, applied_at from ${quoteIdent(schema)}.edibridge_migrations order by version`,
      );
      expect(recorded.rows.map((r) => r.version)).toEqual(known.map((m) => m.version));
      expect(recorded.rows[0]?.applied_at).toBeInstanceOf(Date);
      expect(await migrationStatus(db(), { schema })).toEqual({ schema, version: known.length, pending: [], latest: known.length });
    });

    it('migrates the connection\'s current schema by default', async () => {
      const { rows } = await db().query<{ s: string }>('select current_schema() as s');
      const r = await migrate(db());
      expect(r.schema).toBe(rows[0]?.s);
      expect((await db().query('select count(*) as c from inbound_file')).rows).toEqual([{ c: '0' }]);
    });

    it('builds a real inbound_file: dedupe by sha256 and by ISA sender + control number', async () => {
      const schema = harness().freshSchemaName();
      await migrate(db(), { schema });
      const t = `${quoteIdent(schema)}.inbound_file`;
      const insert = (sha: string, control: string | null) =>
        db().query<{ id: string; status: string; received_at: Date }>(
          `insert into ${t} (partner, file_name, sha256, isa_sender, isa_control, size_bytes)
           values ($1, $2, $3, $4, $5, $6) returning id, status, received_at`,
          ['acme', 'enroll.x12', sha, 'ACMEEMPLOYER', control, 1234],
        );
      const first = await insert(SHA_A, '000004711');
      expect(first.rows[0]?.id).toBe('1'); // bigserial: a string, as every int8
      expect(first.rows[0]?.status).toBe('received');
      expect(first.rows[0]?.received_at).toBeInstanceOf(Date);
      expect(isUniqueViolation(await rejection(insert(SHA_A, '000004712')), 'inbound_file_sha256_key')).toBe(true);
      expect(isUniqueViolation(await rejection(insert(SHA_B, '000004711')), 'inbound_file_isa_sender_isa_control_key')).toBe(true);
      await insert(SHA_B, null);
      const bad = await rejection(db().query(`update ${t} set status = 'lost' where id = 1`));
      expect((bad as DbError).sqlState).toBe(SqlState.checkViolation);
      expect((bad as DbError).constraint).toBe('inbound_file_status_check');
    });

    it('refuses a database migrated by newer code, or with a different migration under a known number', async () => {
      const schema = harness().freshSchemaName();
      await migrate(db(), { schema });
      const table = `${quoteIdent(schema)}.edibridge_migrations`;
      await db().query(`insert into ${table} (version, name) values ($1, 'from_the_future')`, [known.length + 1]);
      const err = await rejection(migrate(db(), { schema }));
      expect(err).toBeInstanceOf(DbError);
      expect((err as DbError).code).toBe('CONFIG_INVALID');
      expect((err as DbError).message).toMatch(/newer release/);
      await expect(migrationStatus(db(), { schema })).rejects.toThrow(/newer release/);

      await db().query(`delete from ${table} where version > $1`, [known.length]);
      await db().query(`update ${table} set name = 'renamed' where version = 1`);
      await expect(migrate(db(), { schema })).rejects.toThrow(/recorded as "renamed"/);
    });

    it('rolls back a failing migration together with its record; earlier ones stay', async () => {
      const schema = harness().freshSchemaName();
      const migrations: Migration[] = [
        { version: 1, name: 'one', sql: 'create table one (id int);' },
        { version: 2, name: 'two', sql: 'create table two (id int);\ninsert into two values (1);\nselect * from no_such_table;' },
      ];
      const err = await rejection(migrate(db(), { schema, migrations }));
      expect(err).toBeInstanceOf(DbError);
      expect((err as DbError).message).toBe('migration 2 (two) failed');
      expect(((err as DbError).cause as DbError).sqlState).toBe(SqlState.undefinedTable);
      const status = await migrationStatus(db(), { schema, migrations });
      expect(status.version).toBe(1);
      expect(status.pending).toEqual([{ version: 2, name: 'two' }]);
      const tables = await db().query<{ t: string | null }>('select to_regclass($1)::text as t', [`${quoteIdent(schema)}.two`]);
      expect(tables.rows[0]?.t).toBeNull();
    });

    it('applies each migration exactly once when two runners race', async () => {
      const schema = harness().freshSchemaName();
      const migrations: Migration[] = [
        { version: 1, name: 'a', sql: 'create table a (id int); select pg_sleep(0.2);' },
        { version: 2, name: 'b', sql: 'create table b (id int); select pg_sleep(0.1);' },
        { version: 3, name: 'c', sql: 'create table c (id int);' },
      ];
      const other = await harness().openAnother();
      const [r1, r2] = await Promise.all([migrate(db(), { schema, migrations }), migrate(other, { schema, migrations })]);
      const all = [...r1.applied, ...r2.applied].map((m) => m.version).sort();
      expect(all).toEqual([1, 2, 3]);
      expect(r1.version).toBe(3);
      expect(r2.version).toBe(3);
      const recorded = await db().query(`select version from ${quoteIdent(schema)}.edibridge_migrations`);
      expect(recorded.rowCount).toBe(3);
    });

    it('produces exactly the committed schema dump (schemas/sql/schema.sql)', async () => {
      const schema = harness().freshSchemaName();
      await migrate(db(), { schema });
      const dump = await dumpSchema(db(), { schema });
      expect(dump).not.toContain(schema); // nothing schema-qualified
      if (process.env['UPDATE_SCHEMA_DUMP'] === '1') writeFileSync(SCHEMA_DUMP, dump);
      const committed = readFileSync(SCHEMA_DUMP, 'utf8');
      expect(dump, 'the migrations produce a different schema: review, then regenerate with UPDATE_SCHEMA_DUMP=1').toBe(committed);
    });

    it('dumps a changed schema differently', async () => {
      const schema = harness().freshSchemaName();
      await migrate(db(), { schema });
      const before = await dumpSchema(db(), { schema });
      await db().query(`alter table ${quoteIdent(schema)}.inbound_file add column note text`);
      const after = await dumpSchema(db(), { schema });
      expect(after).not.toBe(before);
      expect(after).toContain('  note text');
    });
  });
}
