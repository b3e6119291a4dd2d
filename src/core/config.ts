/**
 * The configuration, read once from the environment into one typed object (zod) and passed
 * in from there: nothing below the composition roots (cli, http, worker) reads
 * `process.env`. A bad setting is a ConfigError naming the setting and the rule, never its
 * value (a database URL may hold a password, a key is a secret).
 *
 * Settings:
 * - DATABASE_URL: PostgreSQL (postgres:// or postgresql://). Unset: the embedded PGlite
 *   database under $EDIBRIDGE_DATA_DIR/pglite.
 * - DATABASE_POOL_MAX: connections in the pool (1–200).
 * - EDIBRIDGE_DATA_DIR: the embedded database's folder and its PHI key file (default ./data).
 * - EDIBRIDGE_PHI_KEY: the key that encrypts SSNs at rest, 32 bytes as hex or base64.
 *   Required with DATABASE_URL by every command that reads or writes members; the embedded
 *   database falls back to $EDIBRIDGE_DATA_DIR/phi.key.
 * - EDIBRIDGE_ACK_DIR: where acknowledgements are written (default ./out/acks).
 * - EDIBRIDGE_MIGRATE: `auto` (default) brings the database up to date when it is opened;
 *   `off` refuses a database whose schema is behind (run `edibridge db migrate`).
 * - EDIBRIDGE_LOG_LEVEL: fatal|error|warn|info|debug|trace|silent (default info; the one-shot
 *   commands default to warn, so a person at the shell reads the report, not the log).
 * - EDIBRIDGE_LOG_FILE: write the JSON logs to this file instead of stderr.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { EdiBridgeError } from './errors.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Bytes of the PHI key (AES-256-GCM and the HMAC blind index). */
export const PHI_KEY_BYTES = 32;
export const PHI_KEY_ENV = 'EDIBRIDGE_PHI_KEY';

export type DatabaseConfig =
  | { kind: 'pg'; connectionString: string; max?: number }
  /** `dataDir` undefined: in memory (tests, demos). */
  | { kind: 'pglite'; dataDir: string | undefined };

export type PhiKeyConfig =
  /** The key itself, from the environment. */
  | { source: 'env'; key: Buffer }
  /** The embedded default: a key file created on first use (never with a server database). */
  | { source: 'file'; path: string }
  /** A server database without EDIBRIDGE_PHI_KEY: refused by whatever needs the key. */
  | { source: 'missing' };

export interface AppConfig {
  database: DatabaseConfig;
  /** Absolute folder of the embedded database and key file. */
  dataDir: string;
  phiKey: PhiKeyConfig;
  /** Absolute folder acknowledgements are written under (a folder per inbound file). */
  ackDir: string;
  migrate: 'auto' | 'off';
  log: { level: LogLevel; file?: string };
}

/** A setting that cannot be used: the CLI answers it with exit 2 and the message. */
export class ConfigError extends EdiBridgeError {}

const unsetIfBlank = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfBlank, schema.optional());

/** Decodes a key written as 64 hex digits or as base64 of 32 bytes; undefined when it is neither. */
export function decodeKey(text: string): Buffer | undefined {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : /^[A-Za-z0-9+/]+={0,2}$/.test(t) ? Buffer.from(t, 'base64') : undefined;
  return bytes?.length === PHI_KEY_BYTES ? bytes : undefined;
}

const Env = z.object({
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\/\S*$/, 'must be a postgres:// or postgresql:// URL')),
  DATABASE_POOL_MAX: optional(z.coerce.number().int().min(1).max(200)),
  EDIBRIDGE_DATA_DIR: optional(z.string()),
  [PHI_KEY_ENV]: optional(z.string().transform((s, ctx) => {
    const key = decodeKey(s);
    if (!key) {
      ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, as 64 hex digits or base64' });
      return z.NEVER;
    }
    return key;
  })),
  EDIBRIDGE_ACK_DIR: optional(z.string()),
  EDIBRIDGE_MIGRATE: optional(z.enum(['auto', 'off'])),
  EDIBRIDGE_LOG_LEVEL: optional(z.enum(LOG_LEVELS)),
  EDIBRIDGE_LOG_FILE: optional(z.string()),
});

export interface LoadConfigOptions {
  /** Base of relative folders (default: the working directory). */
  cwd?: string;
  /** PGlite in memory instead of on disk (ignored when DATABASE_URL is set). */
  inMemory?: boolean;
  /** The log level when EDIBRIDGE_LOG_LEVEL is unset (default info; one-shot commands pass warn). */
  defaultLogLevel?: LogLevel;
}

/** Reads only the variables it names, once; throws a ConfigError naming each bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv, options: LoadConfigOptions = {}): AppConfig {
  const raw = Object.fromEntries(Object.keys(Env.shape).map((k) => [k, env[k]]));
  const parsed = Env.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
    throw new ConfigError('CONFIG_INVALID', `invalid setting${problems.length > 1 ? 's' : ''}: ${problems.join('; ')}`, {
      settings: parsed.error.issues.map((i) => i.path.join('.')).join(','),
    });
  }
  const e = parsed.data;
  const cwd = options.cwd ?? process.cwd();
  const dir = (p: string): string => (isAbsolute(p) ? p : resolve(cwd, p));
  const dataDir = dir(e.EDIBRIDGE_DATA_DIR ?? 'data');
  let database: DatabaseConfig;
  if (e.DATABASE_URL !== undefined) {
    database = e.DATABASE_POOL_MAX === undefined
      ? { kind: 'pg', connectionString: e.DATABASE_URL }
      : { kind: 'pg', connectionString: e.DATABASE_URL, max: e.DATABASE_POOL_MAX };
  } else {
    database = { kind: 'pglite', dataDir: options.inMemory ? undefined : join(dataDir, 'pglite') };
  }
  const phiKey: PhiKeyConfig = e[PHI_KEY_ENV] !== undefined
    ? { source: 'env', key: e[PHI_KEY_ENV] }
    : database.kind === 'pglite' ? { source: 'file', path: join(dataDir, 'phi.key') } : { source: 'missing' };
  return {
    database,
    dataDir,
    phiKey,
    ackDir: dir(e.EDIBRIDGE_ACK_DIR ?? join('out', 'acks')),
    migrate: e.EDIBRIDGE_MIGRATE ?? 'auto',
    log: { level: e.EDIBRIDGE_LOG_LEVEL ?? options.defaultLogLevel ?? 'info', ...(e.EDIBRIDGE_LOG_FILE ? { file: dir(e.EDIBRIDGE_LOG_FILE) } : {}) },
  };
}
