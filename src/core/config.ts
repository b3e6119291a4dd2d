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
 * - The service (`edibridge serve`): EDIBRIDGE_HTTP_PORT (0–65535, default 8080; 0: any free
 *   port), EDIBRIDGE_SHUTDOWN_SECONDS (1–3600, default 30: how long a stop waits for active
 *   jobs), EDIBRIDGE_JOB_POLL_SECONDS (0.5–60, default 2: how often an idle worker polls),
 *   EDIBRIDGE_JOB_EXPIRE_SECONDS (5–86400; default per queue: pull 900, process 3600, deliver
 *   600: the longest a job may run, and so how soon a dead worker's job is retried elsewhere),
 *   EDIBRIDGE_JOB_RETRY_DELAY_SECONDS (1–3600; default per queue: the first retry's delay,
 *   doubled at each retry), EDIBRIDGE_JOB_MAINTENANCE_SECONDS (1–3600, default 60: how often
 *   expired claims are looked for).
 * - Object store (the raw-file archive, src/transport/store): EDIBRIDGE_STORE `local`
 *   (default) | `s3`; EDIBRIDGE_STORE_DIR (local; default $EDIBRIDGE_DATA_DIR/archive);
 *   EDIBRIDGE_S3_BUCKET (required with s3), EDIBRIDGE_S3_PREFIX, EDIBRIDGE_S3_ENDPOINT,
 *   EDIBRIDGE_S3_REGION (default us-east-1), EDIBRIDGE_S3_FORCE_PATH_STYLE (default: true
 *   with an endpoint, else false), EDIBRIDGE_S3_MAX_ATTEMPTS (1–10, default 3),
 *   EDIBRIDGE_S3_ACCESS_KEY_ID + EDIBRIDGE_S3_SECRET_ACCESS_KEY (both or neither; neither:
 *   the AWS SDK's default credential chain).
 * - EDIBRIDGE_PARTNERS_FILE: the partners' SFTP connections, a YAML file
 *   (src/transport/partners.ts, `readPartnersFile`; see samples/partners.yaml). Unset: none.
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

/** Where every pulled file's bytes are archived (src/transport/store, `openObjectStore`). */
export type ObjectStoreConfig =
  /** The embedded default: an absolute folder (default $EDIBRIDGE_DATA_DIR/archive). */
  | { kind: 'local'; dir: string }
  | {
      kind: 's3';
      bucket: string;
      /** Prepended to every key; empty, or ending with `/`. */
      prefix: string;
      region: string;
      /** An S3-compatible server's URL; absent: AWS itself. */
      endpoint?: string;
      forcePathStyle: boolean;
      /** The SDK's attempts per request (first try included). */
      maxAttempts: number;
      /** From EDIBRIDGE_S3_ACCESS_KEY_ID/EDIBRIDGE_S3_SECRET_ACCESS_KEY; absent: the SDK's default chain. */
      credentials?: { accessKeyId: string; secretAccessKey: string };
    };

export interface AppConfig {
  database: DatabaseConfig;
  /** Absolute folder of the embedded database and key file. */
  dataDir: string;
  phiKey: PhiKeyConfig;
  /** Absolute folder acknowledgements are written under (a folder per inbound file). */
  ackDir: string;
  migrate: 'auto' | 'off';
  log: { level: LogLevel; file?: string };
  /** `edibridge serve`: the HTTP listener, the job engine's polling, the graceful stop. */
  service: ServiceConfig;
  objectStore: ObjectStoreConfig;
  /** Absolute path of the partners' SFTP connections file (EDIBRIDGE_PARTNERS_FILE); absent: none configured. */
  partnersFile?: string;
}

export interface ServiceConfig {
  httpPort: number;
  /** Seconds a stop waits for active jobs before failing them back to the queue. */
  shutdownSeconds: number;
  /** Seconds between polls of an idle worker. */
  pollSeconds: number;
  /** Overrides every queue's expiry (seconds). */
  jobExpireSeconds?: number;
  /** Overrides every queue's first retry delay (seconds). */
  jobRetryDelaySeconds?: number;
  /** Seconds between the engine's maintenance runs. */
  jobMaintenanceSeconds?: number;
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
  // The service (see ServiceConfig).
  EDIBRIDGE_HTTP_PORT: optional(z.coerce.number().int().min(0).max(65535)),
  EDIBRIDGE_SHUTDOWN_SECONDS: optional(z.coerce.number().int().min(1).max(3600)),
  EDIBRIDGE_JOB_POLL_SECONDS: optional(z.coerce.number().min(0.5).max(60)),
  EDIBRIDGE_JOB_EXPIRE_SECONDS: optional(z.coerce.number().int().min(5).max(86400)),
  EDIBRIDGE_JOB_RETRY_DELAY_SECONDS: optional(z.coerce.number().int().min(1).max(3600)),
  EDIBRIDGE_JOB_MAINTENANCE_SECONDS: optional(z.coerce.number().int().min(1).max(3600)),
  // Object store (see ObjectStoreConfig).
  EDIBRIDGE_STORE: optional(z.enum(['local', 's3'])),
  EDIBRIDGE_STORE_DIR: optional(z.string()),
  EDIBRIDGE_S3_BUCKET: optional(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3–63 lower-case letters, digits, dots, hyphens)')),
  EDIBRIDGE_S3_PREFIX: optional(z.string().max(512).refine(
    (p) => !p.startsWith('/') && p.split('/').every((s, i, all) => (s !== '' || i === all.length - 1) && s !== '.' && s !== '..'),
    'must be a relative key prefix without empty, `.` or `..` segments',
  )),
  EDIBRIDGE_S3_ENDPOINT: optional(z.string().refine((u) => {
    try {
      const url = new URL(u);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL without credentials')),
  EDIBRIDGE_S3_REGION: optional(z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be a region name such as us-east-1')),
  EDIBRIDGE_S3_FORCE_PATH_STYLE: optional(z.enum(['true', 'false'])),
  EDIBRIDGE_S3_MAX_ATTEMPTS: optional(z.coerce.number().int().min(1).max(10)),
  EDIBRIDGE_S3_ACCESS_KEY_ID: optional(z.string()),
  EDIBRIDGE_S3_SECRET_ACCESS_KEY: optional(z.string()),
  // Partners' SFTP connections (src/transport/partners.ts).
  EDIBRIDGE_PARTNERS_FILE: optional(z.string()),
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
    service: {
      httpPort: e.EDIBRIDGE_HTTP_PORT ?? 8080,
      shutdownSeconds: e.EDIBRIDGE_SHUTDOWN_SECONDS ?? 30,
      pollSeconds: e.EDIBRIDGE_JOB_POLL_SECONDS ?? 2,
      ...(e.EDIBRIDGE_JOB_EXPIRE_SECONDS !== undefined ? { jobExpireSeconds: e.EDIBRIDGE_JOB_EXPIRE_SECONDS } : {}),
      ...(e.EDIBRIDGE_JOB_RETRY_DELAY_SECONDS !== undefined ? { jobRetryDelaySeconds: e.EDIBRIDGE_JOB_RETRY_DELAY_SECONDS } : {}),
      ...(e.EDIBRIDGE_JOB_MAINTENANCE_SECONDS !== undefined ? { jobMaintenanceSeconds: e.EDIBRIDGE_JOB_MAINTENANCE_SECONDS } : {}),
    },
    objectStore: resolveObjectStoreConfig(e, dataDir, dir),
    ...(e.EDIBRIDGE_PARTNERS_FILE === undefined ? {} : { partnersFile: dir(e.EDIBRIDGE_PARTNERS_FILE) }),
  };
}

/** The object-store section: rules across settings (zod checked each one alone). */
function resolveObjectStoreConfig(e: z.infer<typeof Env>, dataDir: string, dir: (p: string) => string): ObjectStoreConfig {
  const refuse = (setting: string, rule: string): never => {
    throw new ConfigError('CONFIG_INVALID', `invalid setting: ${setting} ${rule}`, { settings: setting });
  };
  const kind = e.EDIBRIDGE_STORE ?? 'local';
  switch (kind) {
    case 'local':
      return { kind: 'local', dir: e.EDIBRIDGE_STORE_DIR === undefined ? join(dataDir, 'archive') : dir(e.EDIBRIDGE_STORE_DIR) };
    case 's3': {
      const bucket = e.EDIBRIDGE_S3_BUCKET ?? refuse('EDIBRIDGE_S3_BUCKET', 'is required when EDIBRIDGE_STORE is s3');
      const id = e.EDIBRIDGE_S3_ACCESS_KEY_ID;
      const secret = e.EDIBRIDGE_S3_SECRET_ACCESS_KEY;
      if (id === undefined && secret !== undefined) refuse('EDIBRIDGE_S3_ACCESS_KEY_ID', 'is required with EDIBRIDGE_S3_SECRET_ACCESS_KEY');
      if (id !== undefined && secret === undefined) refuse('EDIBRIDGE_S3_SECRET_ACCESS_KEY', 'is required with EDIBRIDGE_S3_ACCESS_KEY_ID');
      const prefix = e.EDIBRIDGE_S3_PREFIX === undefined || e.EDIBRIDGE_S3_PREFIX.endsWith('/') ? (e.EDIBRIDGE_S3_PREFIX ?? '') : `${e.EDIBRIDGE_S3_PREFIX}/`;
      const endpoint = e.EDIBRIDGE_S3_ENDPOINT;
      return {
        kind: 's3',
        bucket,
        prefix,
        region: e.EDIBRIDGE_S3_REGION ?? 'us-east-1',
        ...(endpoint === undefined ? {} : { endpoint }),
        forcePathStyle: e.EDIBRIDGE_S3_FORCE_PATH_STYLE === undefined ? endpoint !== undefined : e.EDIBRIDGE_S3_FORCE_PATH_STYLE === 'true',
        maxAttempts: e.EDIBRIDGE_S3_MAX_ATTEMPTS ?? 3,
        ...(id !== undefined && secret !== undefined ? { credentials: { accessKeyId: id, secretAccessKey: secret } } : {}),
      };
    }
    default: {
      const never: never = kind;
      return never;
    }
  }
}
