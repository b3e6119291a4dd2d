/**
 * The database foundation: the `Db` port, its two adapters, opening from the environment,
 * the migration runner and the schema dump. Domain code imports types from here and
 * receives a `Db`; only composition roots (cli, http, worker) call `openDb`.
 */
export type { Db, DbKind, QueryResult } from './db.js';
export { DbError, SqlState, isUniqueViolation, toDbError } from './errors.js';
export { PgDb, createPgDb, type PgDbOptions } from './pg.js';
export { PgliteDb, createPgliteDb, type PgliteDbOptions } from './pglite.js';
export { openDatabase, openDb, redactUrl, resolveDbConfig, type DbConfig, type OpenDbOptions } from './open.js';
export {
  DEFAULT_MIGRATIONS_DIR,
  MIGRATIONS_TABLE,
  loadMigrations,
  migrate,
  migrationStatus,
  quoteIdent,
  type AppliedMigration,
  type MigrateOptions,
  type MigrateResult,
  type Migration,
  type MigrationStatus,
} from './migrate.js';
export { SCHEMA_DUMP_HEADER, dumpSchema, type DumpSchemaOptions } from './schema-dump.js';
