/**
 * The `pg` adapter: a `pg.Pool` against a PostgreSQL server (DATABASE_URL).
 * Statements go through the extended protocol (one statement per `query`, as in PGlite);
 * scripts through the simple protocol. A transaction holds one pooled client from BEGIN to
 * COMMIT/ROLLBACK; a client whose ROLLBACK failed is destroyed instead of returned.
 */
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { copyStatement } from './copy-text.js';
import type { Db, QueryResult } from './db.js';
import { DbError, driverCall, toDbError } from './errors.js';
import { TransactionDb, assertNotInside, runInside, type TransactionSession } from './transaction.js';

const DATE_OID = 1082;
const DATE_ARRAY_OID = 1182;

/** `{2024-01-01,NULL}` → ['2024-01-01', null]: date literals hold no commas or quotes. */
const parseDateArray = (value: string): (string | null)[] =>
  value === '{}' ? [] : value.slice(1, -1).split(',').map((d) => (d === 'NULL' ? null : d));

/**
 * Per-pool type parsers (the global `pg.types` stay untouched): `date` stays the
 * 'YYYY-MM-DD' text instead of a Date at local midnight. int8/numeric are strings already.
 */
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === DATE_OID) return (value: string) => value;
      if (oid === DATE_ARRAY_OID) return parseDateArray;
    }
    return format === undefined ? pg.types.getTypeParser(oid) : pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PgDbOptions {
  connectionString: string;
  /** Pool size (pg's default is 10). */
  max?: number;
  /** Sets `search_path` on every connection (a plain lower-case identifier). */
  searchPath?: string;
  applicationName?: string;
  /** Milliseconds to wait for a connection before failing (default 10 000). */
  connectionTimeoutMillis?: number;
  /**
   * Called when an idle pooled connection fails (server restart, network loss). The pool
   * drops that connection by itself; without this handler the error would end the process.
   */
  onIdleError?: (err: DbError) => void;
}

interface ExtendedQueryConfig extends pg.QueryConfig {
  queryMode: 'extended';
}

function extended(text: string, values: readonly unknown[] | undefined): ExtendedQueryConfig {
  return { text, values: values ? [...values] : [], queryMode: 'extended' };
}

function toResult<R>(res: pg.QueryResult): QueryResult<R> {
  return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
}

/** A simple-protocol answer (one result, or one per statement of a script): the last one's. */
function lastResult<R>(res: pg.QueryResult | pg.QueryResult[] | undefined): QueryResult<R> {
  const last = Array.isArray(res) ? res[res.length - 1] : res;
  return last ? toResult<R>(last) : { rows: [], rowCount: 0 };
}

/** Runs a script on one client; on failure rolls back whatever transaction it left open there. */
async function scriptOn<R>(client: pg.ClientBase, text: string): Promise<QueryResult<R>> {
  try {
    return lastResult<R>((await driverCall(() => client.query(text))) as unknown as pg.QueryResult | pg.QueryResult[]);
  } catch (err) {
    if (/\bbegin\b/i.test(text)) await client.query('rollback').catch(() => undefined);
    throw err;
  }
}

/** COPY … FROM STDIN on one client: the whole of `data` in one write. */
async function copyOn(client: pg.PoolClient, table: string, columns: readonly string[], data: string): Promise<number> {
  const sql = copyStatement(table, columns, 'stdin');
  return driverCall(async () => {
    const stream = client.query(copyFromStdin(sql));
    const done = finished(stream);
    stream.end(data);
    await done;
    return stream.rowCount;
  });
}

function sessionOf(client: pg.PoolClient): TransactionSession {
  return {
    copyFrom: (table, columns, data) => copyOn(client, table, columns, data),
    async query<R>(text: string, values?: readonly unknown[]) {
      return driverCall(async () => toResult<R>(await client.query(extended(text, values))));
    },
    async exec(script: string) {
      await driverCall(() => client.query(script));
    },
    script: <R>(text: string) => scriptOn<R>(client, text),
  };
}

/**
 * Checks a client out of the pool with an 'error' listener for as long as it is held. pg
 * emits 'error' on a client whose connection ends (a server restart, a terminated backend)
 * and pg-pool listens only while the client is idle: without this, a connection lost while
 * a transaction holds it between statements is an unhandled 'error' event that ends the
 * process. Here it only fails the next statement, and `release` discards the client.
 */
async function checkout(pool: pg.Pool): Promise<{ client: pg.PoolClient; release: (broken?: Error) => void }> {
  const client = await driverCall(() => pool.connect());
  let lost: Error | undefined;
  const onError = (err: Error): void => {
    lost ??= err;
  };
  client.on('error', onError);
  return {
    client,
    release: (broken) => {
      client.removeListener('error', onError);
      client.release(broken ?? lost);
    },
  };
}

/**
 * Whether a failed statement's connection is ending: a client-side failure (no SQLSTATE:
 * terminated, not queryable, reset), or the server's connection exception (08…) or operator
 * intervention (57P…: shutdown, restart, terminated backend), which it closes after.
 */
function connectionEnding(err: unknown): boolean {
  const state = err instanceof DbError ? err.sqlState : undefined;
  return state === undefined || state.startsWith('08') || state.startsWith('57P');
}

export class PgDb implements Db {
  readonly kind = 'pg' as const;
  private closed = false;

  /** Wraps a pool. With `ownsPool` false, `close()` leaves the pool open for its owner. */
  constructor(
    readonly pool: pg.Pool,
    private readonly ownsPool = true,
  ) {}

  async query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>> {
    assertNotInside(this);
    return driverCall(async () => toResult<R>(await this.pool.query(extended(text, values))));
  }

  async exec(script: string): Promise<void> {
    assertNotInside(this);
    await driverCall(() => this.pool.query(script));
  }

  async script<R = Record<string, unknown>>(text: string): Promise<QueryResult<R>> {
    assertNotInside(this);
    const { client, release } = await checkout(this.pool);
    let broken: Error | undefined;
    try {
      return await scriptOn<R>(client, text);
    } catch (err) {
      // A script that failed inside its own BEGIN was rolled back by scriptOn; a client
      // whose rollback failed too is not trusted again. Nor is one whose connection is ending.
      if (/\bbegin\b/i.test(text) || connectionEnding(err)) broken = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      release(broken);
    }
  }

  async copyFrom(table: string, columns: readonly string[], data: string): Promise<number> {
    assertNotInside(this);
    const { client, release } = await checkout(this.pool);
    let broken: Error | undefined;
    try {
      return await copyOn(client, table, columns, data);
    } catch (err) {
      // A COPY that failed part-way may leave the connection mid-protocol: do not reuse it.
      broken = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      release(broken);
    }
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    assertNotInside(this);
    const { client, release } = await checkout(this.pool);
    const session = sessionOf(client);
    const tx = new TransactionDb('pg', session);
    let broken: Error | undefined;
    try {
      await session.query('begin');
      const result = await runInside(this, () => fn(tx));
      await tx.end();
      const commit = await driverCall(() => client.query('commit'));
      // COMMIT of a transaction that hit an error answers ROLLBACK instead of failing:
      // the work is gone, so the caller must hear of it (PGlite throws here too).
      if (commit.command !== 'COMMIT') {
        throw new DbError('INTERNAL', 'transaction was aborted by an earlier error and has been rolled back', {
          sqlState: '25P02',
        });
      }
      return result;
    } catch (err) {
      // Statements issued before the failure run first: inside the transaction, undone by the rollback.
      await tx.end();
      try {
        await client.query('rollback');
      } catch (rollbackErr) {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      }
      throw err;
    } finally {
      tx.finish();
      release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.pool.end();
  }
}

/** Opens a pool; nothing connects until the first statement. */
export function createPgDb(options: PgDbOptions): PgDb {
  const config: pg.PoolConfig = {
    connectionString: options.connectionString,
    types: typeParsers,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    application_name: options.applicationName ?? 'edibridge',
  };
  if (options.max !== undefined) config.max = options.max;
  if (options.searchPath !== undefined) {
    if (!IDENTIFIER.test(options.searchPath)) {
      throw new DbError('CONFIG_INVALID', 'searchPath must be a lower-case identifier', { searchPath: options.searchPath });
    }
    config.options = `-c search_path=${options.searchPath}`;
  }
  const pool = new pg.Pool(config);
  const onIdleError = options.onIdleError;
  pool.on('error', (err) => onIdleError?.(toDbError(err)));
  return new PgDb(pool);
}
