/**
 * `edibridge db migrate [--json]` — applies pending migrations to the configured database
 * (DATABASE_URL, else PGlite under $EDIBRIDGE_DATA_DIR/pglite, default ./data/pglite).
 * `edibridge db status [--json]` — shows the version and what is pending, changing nothing.
 * Exit 0 on success, 1 when the database refused or a migration failed, 2 for usage.
 */
import { parseCommandArgs } from '../cli/args.js';
import type { Io } from '../cli/io.js';
import { coerceError } from '../core/errors.js';
import type { Db } from './db.js';
import { migrate, migrationStatus } from './migrate.js';
import { openDb } from './open.js';

export const DB_USAGE = 'usage: edibridge db migrate|status [--json]';

export interface DbCommandOptions {
  /** How to open the database (tests); default `openDb(io.env)`. */
  open?: (env: NodeJS.ProcessEnv) => Promise<Db>;
  /** Migrations folder (tests); default schemas/sql/migrations. */
  migrationsDir?: string;
}

const pad = (v: number): string => String(v).padStart(6, '0');

export async function dbCommand(argv: string[], io: Io, options: DbCommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, { json: { type: 'boolean', default: false } }, DB_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [sub, ...extra] = positionals;
  if ((sub !== 'migrate' && sub !== 'status') || extra.length > 0) {
    io.err(`${DB_USAGE}\n`);
    return 2;
  }
  const dirOption = options.migrationsDir === undefined ? {} : { dir: options.migrationsDir };
  let db: Db | undefined;
  try {
    db = await (options.open ?? ((env) => openDb(env)))(io.env);
    if (sub === 'migrate') {
      const r = await migrate(db, dirOption);
      if (values.json) {
        io.out(`${JSON.stringify({ kind: db.kind, schema: r.schema, applied: r.applied, version: r.version })}\n`);
      } else {
        for (const m of r.applied) io.out(`applied ${pad(m.version)}_${m.name}\n`);
        io.out(`${r.applied.length === 0 ? 'up to date' : 'migrated'}: ${db.kind} database, schema ${r.schema}, version ${r.version}\n`);
      }
    } else {
      const s = await migrationStatus(db, dirOption);
      if (values.json) {
        io.out(`${JSON.stringify({ kind: db.kind, schema: s.schema, version: s.version, latest: s.latest, pending: s.pending })}\n`);
      } else {
        io.out(`${db.kind} database, schema ${s.schema}, version ${s.version} of ${s.latest}\n`);
        for (const m of s.pending) io.out(`pending ${pad(m.version)}_${m.name}\n`);
      }
    }
    return 0;
  } catch (err) {
    const e = coerceError(err);
    const cause = e.cause instanceof Error && e.cause.message !== e.message ? `: ${e.cause.message}` : '';
    io.err(`edibridge: ${e.message}${cause}\n`);
    if (values.json) io.out(`${JSON.stringify({ error: { code: e.code, message: e.message } })}\n`);
    return 1;
  } finally {
    await db?.close().catch(() => {});
  }
}
