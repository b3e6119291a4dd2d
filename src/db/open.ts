/**
 * Chooses and opens the database from the environment, resolved once into a typed config:
 * DATABASE_URL set → a pg pool against that server; otherwise embedded PGlite kept under
 * `$EDIBRIDGE_DATA_DIR/pglite` (default `./data/pglite`).
 */
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import type { Db } from './db.js';
import { DbError } from './errors.js';

const unsetIfEmpty = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const DbEnv = z.object({
  DATABASE_URL: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^postgres(ql)?:\/\/\S*$/, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  DATABASE_POOL_MAX: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).max(200).optional()),
  EDIBRIDGE_DATA_DIR: z.preprocess(unsetIfEmpty, z.string().optional()),
});

export type DbConfig =
  | { kind: 'pg'; connectionString: string; max?: number }
  /** `dataDir` undefined: in memory (tests, demos). */
  | { kind: 'pglite'; dataDir: string | undefined };

export interface OpenDbOptions {
  /** Base for a relative EDIBRIDGE_DATA_DIR (default: the process's working directory). */
  cwd?: string;
  /** PGlite in memory instead of on disk (ignored when DATABASE_URL is set). */
  inMemory?: boolean;
  applicationName?: string;
  onIdleError?: (err: DbError) => void;
}

/** Reads only the variables it names; never echoes their values (the URL may hold a password). */
export function resolveDbConfig(env: NodeJS.ProcessEnv = process.env, options: OpenDbOptions = {}): DbConfig {
  const parsed = DbEnv.safeParse({
    DATABASE_URL: env['DATABASE_URL'],
    DATABASE_POOL_MAX: env['DATABASE_POOL_MAX'],
    EDIBRIDGE_DATA_DIR: env['EDIBRIDGE_DATA_DIR'],
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
    throw new DbError('CONFIG_INVALID', `invalid database settings: ${problems}`);
  }
  const cfg = parsed.data;
  if (cfg.DATABASE_URL !== undefined) {
    return cfg.DATABASE_POOL_MAX === undefined
      ? { kind: 'pg', connectionString: cfg.DATABASE_URL }
      : { kind: 'pg', connectionString: cfg.DATABASE_URL, max: cfg.DATABASE_POOL_MAX };
  }
  if (options.inMemory) return { kind: 'pglite', dataDir: undefined };
  const base = cfg.EDIBRIDGE_DATA_DIR ?? 'data';
  const dataDir = isAbsolute(base) ? base : resolve(options.cwd ?? process.cwd(), base);
  return { kind: 'pglite', dataDir: join(dataDir, 'pglite') };
}

/** Opens the configured database. The drivers load lazily: pg users never load the WASM. */
export async function openDb(env: NodeJS.ProcessEnv = process.env, options: OpenDbOptions = {}): Promise<Db> {
  const config = resolveDbConfig(env, options);
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
