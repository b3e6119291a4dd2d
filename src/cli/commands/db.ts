/**
 * `edibridge db migrate [--json]` — applies pending migrations to the configured database
 * (DATABASE_URL, else PGlite under $EDIBRIDGE_DATA_DIR/pglite, default ./data/pglite), and
 * installs or upgrades the job engine's schema (edibridge_jobs; <schema>_jobs beside another schema).
 * `edibridge db status [--json]` — shows the version and what is pending, changing nothing.
 * Exit 0 on success, 1 when the database refused or a migration failed, 2 for usage or a bad setting.
 */
import { migrate, migrationStatus } from '../../db/migrate.js';
import { installJobSchema, jobsSchemaFor } from '../../worker/engine.js';
import { parseCommandArgs } from '../args.js';
import type { CommandOptions, Io } from '../io.js';
import { withApp } from '../run.js';

export const DB_USAGE = 'usage: edibridge db migrate|status [--json]';

const pad = (v: number): string => String(v).padStart(6, '0');

export async function dbCommand(argv: string[], io: Io, options: CommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, { json: { type: 'boolean', default: false } }, DB_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [sub, ...extra] = positionals;
  if ((sub !== 'migrate' && sub !== 'status') || extra.length > 0) {
    io.err(`${DB_USAGE}\n`);
    return 2;
  }
  const dirOption = options.migrationsDir === undefined ? {} : { dir: options.migrationsDir };
  return withApp(io, options, { json: values.json, failure: 1 }, async (app) => {
    // The database as it is: this command is the migration.
    const db = await app.rawDb();
    if (sub === 'migrate') {
      const r = await migrate(db, dirOption);
      const jobsSchema = await jobsSchemaFor(db);
      const jobs = await installJobSchema(db, jobsSchema);
      if (values.json) {
        io.out(`${JSON.stringify({ kind: db.kind, schema: r.schema, applied: r.applied, version: r.version, jobs: { schema: jobsSchema, version: jobs } })}\n`);
      } else {
        for (const m of r.applied) io.out(`applied ${pad(m.version)}_${m.name}\n`);
        io.out(`${r.applied.length === 0 ? 'up to date' : 'migrated'}: ${db.kind} database, schema ${r.schema}, version ${r.version}\n`);
        io.out(`job engine: schema ${jobsSchema}, pg-boss version ${jobs}\n`);
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
  });
}
