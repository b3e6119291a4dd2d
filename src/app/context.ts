/**
 * The application context: what the adapters (cli, and the HTTP and worker adapters) hand
 * the domain services. Built once from the configuration, closed once. The database is
 * opened, and brought up to date, on first use only: `validate` never opens one.
 */
import type { AppConfig } from '../core/config.js';
import { ConfigError } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../db/db.js';
import { migrate, migrationStatus } from '../db/migrate.js';
import { openDatabase } from '../db/open.js';
import { resolvePhiProtector } from '../phi/key.js';
import type { PhiProtector } from '../phi/protector.js';
import { readPartnersFile, type PartnerConnection } from '../transport/partners.js';
import { openObjectStore, type ObjectStore, type OpenedObjectStore } from '../transport/store/index.js';

export interface AppContext {
  readonly config: AppConfig;
  readonly log: Logger;
  now(): Date;
  /** The database, opened (and migrated, with EDIBRIDGE_MIGRATE=auto) on first use. */
  db(): Promise<Db>;
  /** The database as it is: no migration, no schema check (`db migrate`, `db status`). */
  rawDb(): Promise<Db>;
  /** The PHI protector (SSN encryption and blind index) under the configured key. */
  phi(): Promise<PhiProtector>;
  /** The raw-file archive (object store), opened on first use. */
  store(): ObjectStore;
  /** The partners' SFTP connections (EDIBRIDGE_PARTNERS_FILE), read once; none when not configured. */
  partners(): Promise<readonly PartnerConnection[]>;
  close(): Promise<void>;
}

export interface AppContextOptions {
  now?: () => Date;
  /** Opens the database (tests hand in theirs); default from config.database. */
  openDb?: (config: AppConfig) => Promise<Db>;
  /** Folder of migrations (tests); default schemas/sql/migrations. */
  migrationsDir?: string;
  /** The partners' connections, instead of reading EDIBRIDGE_PARTNERS_FILE (the demo, tests). */
  partners?: readonly PartnerConnection[];
  /** The environment secrets in the partners file are resolved from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export function createAppContext(config: AppConfig, log: Logger, options: AppContextOptions = {}): AppContext {
  let raw: Promise<Db> | undefined;
  let ready: Promise<Db> | undefined;
  let phi: Promise<PhiProtector> | undefined;
  let store: OpenedObjectStore | undefined;
  let partners: Promise<readonly PartnerConnection[]> | undefined;
  const dir = options.migrationsDir === undefined ? {} : { dir: options.migrationsDir };
  const rawDb = (): Promise<Db> => (raw ??= (options.openDb ?? ((c) => openDatabase(c.database, { applicationName: 'edibridge' })))(config));
  return {
    config,
    log,
    now: options.now ?? (() => new Date()),
    rawDb,
    db: () =>
      (ready ??= rawDb().then(async (db) => {
        if (config.migrate === 'auto') {
          const r = await migrate(db, dir);
          if (r.applied.length) log.info({ applied: r.applied.map((m) => m.version), version: r.version }, 'database migrated');
          return db;
        }
        const s = await migrationStatus(db, dir);
        if (s.pending.length) {
          throw new ConfigError('CONFIG_INVALID', `the database is at version ${s.version} of ${s.latest} and EDIBRIDGE_MIGRATE is off: run \`edibridge db migrate\``, { settings: 'EDIBRIDGE_MIGRATE' });
        }
        return db;
      })),
    phi: () => (phi ??= resolvePhiProtector(config.phiKey)),
    store: () => (store ??= openObjectStore(config.objectStore)),
    partners: () =>
      (partners ??= options.partners
        ? Promise.resolve(options.partners)
        : config.partnersFile
          ? readPartnersFile(config.partnersFile, options.env ?? process.env)
          : Promise.resolve([])),
    close: async () => {
      await store?.close().catch(() => {});
      store = undefined;
      const opened = raw;
      raw = ready = undefined;
      if (opened) await (await opened.catch(() => undefined))?.close();
    },
  };
}
