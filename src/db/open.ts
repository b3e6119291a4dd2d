/**
 * Opens the configured database (src/core/config.ts): DATABASE_URL set → a pg pool against
 * that server; otherwise embedded PGlite kept under `$EDIBRIDGE_DATA_DIR/pglite` (default
 * `./data/pglite`).
 */
import { loadConfig, type DatabaseConfig } from '../core/config.js';
import type { Db } from './db.js';
import { DbError } from './errors.js';

export type DbConfig = DatabaseConfig;

export interface OpenDbOptions {
  /** Base for a relative EDIBRIDGE_DATA_DIR (default: the process's working directory). */
  cwd?: string;
  /** PGlite in memory instead of on disk (ignored when DATABASE_URL is set). */
  inMemory?: boolean;
  applicationName?: string;
  onIdleError?: (err: DbError) => void;
}

/** The database part of the configuration (loadConfig); throws its ConfigError on a bad setting. */
export function resolveDbConfig(env: NodeJS.ProcessEnv = process.env, options: OpenDbOptions = {}): DbConfig {
  return loadConfig(env, options).database;
}

/** Opens the database the environment configures (tests, tools); the app opens `openDatabase(config.database)`. */
export async function openDb(env: NodeJS.ProcessEnv = process.env, options: OpenDbOptions = {}): Promise<Db> {
  return openDatabase(resolveDbConfig(env, options), options);
}

/** Opens a configured database. The drivers load lazily: pg users never load the WASM. */
export async function openDatabase(config: DbConfig, options: OpenDbOptions = {}): Promise<Db> {
  switch (config.kind) {
    case 'pg': {
      const { createPgDb } = await import('./pg.js');
      return createPgDb({
        connectionString: config.connectionString,
        ...(config.max !== undefined ? { max: config.max } : {}),
        ...(options.applicationName !== undefined ? { applicationName: options.applicationName } : {}),
        ...(options.onIdleError !== undefined ? { onIdleError: options.onIdleError } : {}),
      });
    }
    case 'pglite': {
      const { createPgliteDb } = await import('./pglite.js');
      return createPgliteDb(config.dataDir === undefined ? {} : { dataDir: config.dataDir });
    }
    default: {
      const never: never = config;
      throw new DbError('INTERNAL', `unknown database kind ${JSON.stringify(never)}`);
    }
  }
}

/** A database URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
