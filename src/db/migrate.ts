/**
 * The migration runner (graphile-worker style). Migrations are numbered plain-SQL files,
 * `schemas/sql/migrations/000001_name.sql`, numbered from 1 without gaps, never edited once
 * released. Each is applied in its own transaction that first takes the schema's advisory
 * lock (two processes migrating at once apply each file once), then records the migration
 * in `edibridge_migrations`, then runs the file: a failure leaves neither.
 *
 * A database that has recorded a migration this code does not know (a newer release
 * migrated it), or a different name for a known number, is refused: running old code
 * against a newer schema is how data gets lost quietly.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';
import { DbError } from './errors.js';

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../schemas/sql/migrations/', import.meta.url));
export const MIGRATIONS_TABLE = 'edibridge_migrations';

/** First key of the advisory lock (ASCII "edib"); the second is hashtext(schema). */
const LOCK_CLASS = 0x65646962;
const FILE_NAME = /^(\d{6})_([a-z0-9][a-z0-9_]*)\.sql$/;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface AppliedMigration {
  version: number;
  name: string;
}

export interface MigrateOptions {
  /** Folder of migration files (default schemas/sql/migrations). */
  dir?: string;
  /** The migrations themselves (tests); overrides `dir`. */
  migrations?: readonly Migration[];
  /** Schema to migrate (created if missing); default the connection's current schema. */
  schema?: string;
}

export interface MigrateResult {
  schema: string;
  /** Applied by this call, in order (empty when the database was up to date). */
  applied: AppliedMigration[];
  /** The database's version afterwards. */
  version: number;
}

export interface MigrationStatus {
  schema: string;
  version: number;
  pending: AppliedMigration[];
  /** The latest version this code knows. */
  latest: number;
}

/** Reads and checks the migration files: names `NNNNNN_name.sql`, numbered 1, 2, 3… */
export function loadMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Migration[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  } catch (err) {
    throw new DbError('CONFIG_INVALID', `cannot read the migrations folder ${dir}`, { file: dir }, { cause: err });
  }
  const migrations = entries.map((file): Migration => {
    const m = FILE_NAME.exec(file);
    if (!m) throw new DbError('CONFIG_INVALID', `migration file ${file} is not named NNNNNN_name.sql`, { file });
    return { version: Number(m[1]), name: m[2] as string, sql: readFileSync(join(dir, file), 'utf8') };
  });
  return checkSequence(migrations);
}

function checkSequence(list: readonly Migration[]): Migration[] {
  const sorted = [...list].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new DbError('CONFIG_INVALID', `migrations must be numbered 1, 2, 3… without gaps or repeats; found ${m.version} at position ${i + 1}`, {
        migration: m.version,
      });
    }
  });
  return sorted;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function targetSchema(tx: Db, schema: string | undefined): Promise<string> {
  if (schema !== undefined) return schema;
  const { rows } = await tx.query<{ schema: string | null }>('select current_schema() as schema');
  const current = rows[0]?.schema;
  if (!current) throw new DbError('CONFIG_INVALID', 'no schema to migrate: the search_path names no existing schema');
  return current;
}

function checkRecorded(recorded: readonly AppliedMigration[], known: readonly Migration[], schema: string): number {
  const latest = known.length;
  recorded.forEach((r, i) => {
    if (r.version > latest) {
      throw new DbError(
        'CONFIG_INVALID',
        `the database (schema ${schema}) has migration ${r.version} applied but this edibridge knows only up to ${latest}: it was migrated by a newer release`,
        { schema, migration: r.version },
      );
    }
    if (r.version !== i + 1) {
      throw new DbError('CONFIG_INVALID', `the database (schema ${schema}) records migration ${r.version} without ${i + 1}`, { schema, migration: r.version });
    }
    const k = known[r.version - 1];
    if (k && k.name !== r.name) {
      throw new DbError('CONFIG_INVALID', `migration ${r.version} is recorded as "${r.name}" but the code has "${k.name}"`, { schema, migration: r.version });
    }
  });
  return recorded.at(-1)?.version ?? 0;
}

/** Applies one pending migration (or none) in one transaction, under the schema's lock. */
async function step(db: Db, migrations: readonly Migration[], schema: string | undefined) {
  return db.transaction(async (tx) => {
    const target = await targetSchema(tx, schema);
    await tx.query('select pg_advisory_xact_lock($1::int4, hashtext($2))', [LOCK_CLASS, target]);
    const exists = await tx.query('select 1 from pg_namespace where nspname = $1', [target]);
    if (exists.rowCount === 0) await tx.query(`create schema ${quoteIdent(target)}`);
    // Local to this transaction: the file's unqualified names land in the target schema.
    await tx.query("select set_config('search_path', $1, true)", [quoteIdent(target)]);
    await tx.query(
      `create table if not exists ${MIGRATIONS_TABLE} (
         version integer primary key,
         name text not null,
         applied_at timestamptz not null default now()
       )`,
    );
    const { rows } = await tx.query<AppliedMigration>(`select version, name from ${MIGRATIONS_TABLE} order by version`);
    const current = checkRecorded(rows, migrations, target);
    const next = migrations[current];
    if (!next) return { schema: target, version: current, applied: undefined };
    await tx.query(`insert into ${MIGRATIONS_TABLE} (version, name) values ($1, $2)`, [next.version, next.name]);
    try {
      await tx.exec(next.sql);
    } catch (err) {
      throw new DbError('INTERNAL', `migration ${next.version} (${next.name}) failed`, { schema: target, migration: next.version }, { cause: err });
    }
    return { schema: target, version: next.version, applied: { version: next.version, name: next.name } };
  });
}

/** Brings the database up to the latest migration; returns what this call applied. */
export async function migrate(db: Db, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrations = options.migrations ? checkSequence(options.migrations) : loadMigrations(options.dir);
  const applied: AppliedMigration[] = [];
  for (;;) {
    const r = await step(db, migrations, options.schema);
    if (!r.applied) return { schema: r.schema, applied, version: r.version };
    applied.push(r.applied);
  }
}

/** What `migrate` would do, without changing anything. */
export async function migrationStatus(db: Db, options: MigrateOptions = {}): Promise<MigrationStatus> {
  const migrations = options.migrations ? checkSequence(options.migrations) : loadMigrations(options.dir);
  return db.transaction(async (tx) => {
    const schema = await targetSchema(tx, options.schema);
    const table = await tx.query<{ t: string | null }>('select to_regclass($1)::text as t', [`${quoteIdent(schema)}.${MIGRATIONS_TABLE}`]);
    const recorded = table.rows[0]?.t
      ? (await tx.query<AppliedMigration>(`select version, name from ${quoteIdent(schema)}.${MIGRATIONS_TABLE} order by version`)).rows
      : [];
    const version = checkRecorded(recorded, migrations, schema);
    return {
      schema,
      version,
      pending: migrations.slice(version).map((m) => ({ version: m.version, name: m.name })),
      latest: migrations.length,
    };
  });
}
