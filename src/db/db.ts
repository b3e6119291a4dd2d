/**
 * The database port: the one small interface the rest of edibridge talks to
 * (in the spirit of pg-boss's `executeSql(text, values)`). Domain code never imports
 * a driver; it receives a `Db`.
 *
 * Glossary (used exactly so in src/db):
 * - **adapter**: an implementation of `Db` over one driver: `pg` (a `pg.Pool` against a
 *   PostgreSQL server, chosen when DATABASE_URL is set) or `pglite` (PostgreSQL compiled to
 *   WASM, in this process, kept under ./data/pglite; single-process).
 * - **statement**: one SQL command. `query` runs exactly one, with `$1…` parameters.
 * - **script**: several statements separated by `;`, without parameters (`exec`, or
 *   `script` when the last statement's rows are wanted, as pg-boss's `executeSql` needs).
 * - **transaction**: `transaction(fn)` runs `fn` with a `Db` bound to one transaction:
 *   committed when `fn` resolves, rolled back when it throws. A nested `transaction` on
 *   that handle is a savepoint: its failure rolls back only itself.
 * - **migration**: a numbered plain-SQL file in schemas/sql/migrations (`000001_name.sql`),
 *   applied once, in its own transaction, and recorded in `edibridge_migrations`.
 * - **schema dump**: the normalised text description of the tables, columns, constraints
 *   and indexes the migrations produce (schemas/sql/schema.sql, from `dumpSchema`).
 *
 * Values agree across adapters: int8 and numeric come back as strings (pg's default),
 * `date` as 'YYYY-MM-DD' strings (no time-zone shift), bytea as Buffer, timestamptz as
 * Date, json/jsonb parsed.
 */

export type DbKind = 'pg' | 'pglite';

export interface QueryResult<R> {
  rows: R[];
  /** Rows returned (SELECT) or affected (INSERT/UPDATE/DELETE); 0 for other commands. */
  rowCount: number;
}

export interface Db {
  readonly kind: DbKind;
  /** One statement with `$n` parameters. Never interpolate input into `text`. */
  query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>>;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws
   * (the error is rethrown). A transaction that hit a database error is never committed,
   * even if `fn` caught that error. Inside a transaction, this opens a savepoint.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** A script of several statements, without parameters (migrations, fixtures). */
  exec(script: string): Promise<void>;
  /**
   * A script (or one statement) without parameters, through the simple protocol, answering
   * the LAST statement's rows. A script that opens a transaction (`BEGIN; …; COMMIT;`) and
   * fails part-way is rolled back on its own session, so no aborted transaction is left
   * behind. Used by the job engine (pg-boss, src/worker/engine.ts); domain code uses `query`.
   */
  script<R = Record<string, unknown>>(text: string): Promise<QueryResult<R>>;
  /**
   * Bulk insert with COPY: `data` is rows in COPY text format (build it with `CopyText`,
   * copy-text.ts) for `table (columns)`. Returns the rows copied. The path for writes of
   * thousands of rows: no per-row statement, no parameter limit, and the server's
   * multi-row insert.
   */
  copyFrom(table: string, columns: readonly string[], data: string): Promise<number>;
  /** Closes the pool / instance. Not allowed on a transaction's handle. */
  close(): Promise<void>;
}
