/**
 * `edibridge setup load <file> [--json]` — validates a reference data file (.yaml/.yml or
 * .json) and makes it the database's reference set (partners, groups, plans, rates), after
 * applying pending migrations. Invalid data changes nothing and lists every problem.
 * Exit 0 on success, 1 for invalid data or a database failure, 2 for usage or an unreadable file.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Io } from '../cli/io.js';
import type { Db } from '../db/db.js';
import { migrate } from '../db/migrate.js';
import { openDb } from '../db/open.js';
import { coerceError } from '../core/errors.js';
import { ReferenceDataError, readReferenceFile } from './load-file.js';
import type { ReferenceData } from './schema.js';
import { REFERENCE_TABLES, loadReferenceData } from './store.js';

export const SETUP_USAGE = 'usage: edibridge setup load <file.yaml|file.json> [--json]';

export interface SetupCommandOptions {
  /** How to open the database (tests); default `openDb(io.env)`. */
  open?: (env: NodeJS.ProcessEnv) => Promise<Db>;
  /** Migrations folder (tests); default schemas/sql/migrations. */
  migrationsDir?: string;
  /** Base for a relative file path; default the process's working directory. */
  cwd?: string;
}

export async function setupCommand(argv: string[], io: Io, options: SetupCommandOptions = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    io.err(`${coerceError(err).message}\n${SETUP_USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(`${SETUP_USAGE}\n`);
    return 0;
  }
  const [sub, file, ...extra] = positionals;
  if (sub !== 'load' || file === undefined || extra.length > 0) {
    io.err(`${SETUP_USAGE}\n`);
    return 2;
  }
  const fail = (code: number, e: { code: string; message: string; issues?: readonly string[] }): number => {
    io.err(`edibridge: ${e.message}\n`);
    if (values.json) {
      const issues = e.issues ? { issues: e.issues } : {};
      io.out(`${JSON.stringify({ error: { code: e.code, message: e.message.split('\n')[0], ...issues } })}\n`);
    }
    return code;
  };

  // Validate before touching the database: bad data never opens it.
  let data: ReferenceData;
  try {
    data = await readReferenceFile(resolve(options.cwd ?? process.cwd(), file));
  } catch (err) {
    const e = coerceError(err);
    if (e instanceof ReferenceDataError) return fail(1, e);
    return fail(2, e);
  }

  let db: Db | undefined;
  try {
    db = await (options.open ?? ((env) => openDb(env)))(io.env);
    await migrate(db, options.migrationsDir === undefined ? {} : { dir: options.migrationsDir });
    const counts = await loadReferenceData(db, data);
    if (values.json) {
      io.out(`${JSON.stringify({ kind: db.kind, file, counts })}\n`);
    } else {
      io.out(`loaded ${file} into the ${db.kind} database:\n`);
      for (const t of REFERENCE_TABLES) {
        const c = counts[t];
        io.out(`  ${t}: ${c.total} (inserted ${c.inserted}, updated ${c.updated}, deleted ${c.deleted})\n`);
      }
    }
    return 0;
  } catch (err) {
    const e = coerceError(err);
    const cause = e.cause instanceof Error && e.cause.message !== e.message ? `: ${e.cause.message}` : '';
    return fail(1, { code: e.code, message: `${e.message}${cause}` });
  } finally {
    await db?.close().catch(() => {});
  }
}
