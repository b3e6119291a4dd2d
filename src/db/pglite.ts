/**
 * The `pglite` adapter: PostgreSQL compiled to WASM, running inside this process
 * (npm `@electric-sql/pglite`). The embedded default when DATABASE_URL is not set.
 *
 * - One PGlite instance is one session; it serialises statements and transactions itself.
 * - Its data directory must be opened by one process at a time; PGlite does not check,
 *   so this adapter holds a lock file beside it (`<dataDir>.lock`, with the owner's pid).
 * - Type parsers are set so values agree with the pg adapter (see db.ts).
 */
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { copyStatement } from './copy-text.js';
import type { Db, QueryResult } from './db.js';
import { DbError, driverCall, toDbError } from './errors.js';
import { TransactionDb, assertNotInside, runInside, type TransactionSession } from './transaction.js';

const BYTEA_OID = 17;
const INT8_OID = 20;
const DATE_OID = 1082;

const parsers = {
  [INT8_OID]: (value: string) => value,
  [DATE_OID]: (value: string) => value,
  // bytea arrives as '\x…' hex text: decode straight into a Buffer, as pg returns it.
  [BYTEA_OID]: (value: string) => Buffer.from(value.slice(2), 'hex'),
};

export interface PgliteDbOptions {
  /** Where the cluster is kept; in memory when absent. */
  dataDir?: string;
}

interface PgliteResults {
  rows: unknown[];
  rowCount?: number;
  affectedRows?: number;
}

function toResult<R>(res: PgliteResults): QueryResult<R> {
  return { rows: res.rows as R[], rowCount: res.rowCount ?? res.affectedRows ?? 0 };
}

/** Runs a script (simple protocol) and answers its last statement's result; on failure rolls back what it left open. */
async function scriptOn<R>(target: PGlite | Transaction, text: string): Promise<QueryResult<R>> {
  try {
    const results = (await driverCall(() => target.exec(text))) as PgliteResults[];
    const last = results[results.length - 1];
    return last ? toResult<R>(last) : { rows: [], rowCount: 0 };
  } catch (err) {
    // PGlite is one session: an aborted BEGIN left open would block every later statement.
    if ('close' in target && /\bbegin\b/i.test(text)) await target.exec('rollback').catch(() => undefined);
    throw err;
  }
}

/** PGlite reads COPY data from a Blob it exposes as the file /dev/blob. */
async function copyOn(target: PGlite | Transaction, table: string, columns: readonly string[], data: string): Promise<number> {
  const sql = copyStatement(table, columns, `'/dev/blob'`);
  return driverCall(async () => toResult(await target.query(sql, [], { blob: new Blob([data]) })).rowCount);
}

function sessionOf(tx: Transaction): TransactionSession {
  return {
    copyFrom: (table, columns, data) => copyOn(tx, table, columns, data),
    async query<R>(text: string, values?: readonly unknown[]) {
      return driverCall(async () => toResult<R>(await tx.query(text, values ? [...values] : undefined)));
    },
    async exec(script: string) {
      await driverCall(() => tx.exec(script));
    },
    script: <R>(text: string) => scriptOn<R>(tx, text),
  };
}

export class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  private closed = false;

  constructor(
    readonly pglite: PGlite,
    private readonly releaseLock: () => void = () => {},
  ) {}

  async query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>> {
    assertNotInside(this);
    return driverCall(async () => toResult<R>(await this.pglite.query(text, values ? [...values] : undefined)));
  }

  async exec(script: string): Promise<void> {
    assertNotInside(this);
    await driverCall(() => this.pglite.exec(script));
  }

  async script<R = Record<string, unknown>>(text: string): Promise<QueryResult<R>> {
    assertNotInside(this);
    return scriptOn<R>(this.pglite, text);
  }

  async copyFrom(table: string, columns: readonly string[], data: string): Promise<number> {
    assertNotInside(this);
    return copyOn(this.pglite, table, columns, data);
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    assertNotInside(this);
    let handle: TransactionDb | undefined;
    let fnFailed = false;
    try {
      return await this.pglite.transaction(async (t) => {
        const tx = new TransactionDb('pglite', sessionOf(t));
        handle = tx;
        try {
          return await runInside(this, () => fn(tx));
        } catch (err) {
          fnFailed = true;
          throw err;
        } finally {
          // PGlite commits or rolls back after this callback: every statement issued must have run by then.
          await tx.end();
        }
      });
    } catch (err) {
      // Errors of fn pass through unchanged; PGlite's own (BEGIN, or COMMIT of an aborted
      // transaction) are normalised like any driver error.
      if (fnFailed) throw err;
      const { TransactionAbortedError } = await import('@electric-sql/pglite');
      if (err instanceof TransactionAbortedError) {
        throw new DbError('INTERNAL', 'transaction was aborted by an earlier error and has been rolled back', { sqlState: '25P02' }, { cause: err });
      }
      throw toDbError(err);
    } finally {
      handle?.finish();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.pglite.close();
    } finally {
      this.releaseLock();
    }
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `<dataDir>.lock` for this process, or fails naming the live owner. */
function lockDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new DbError('CONFIG_INVALID', `cannot create the PGlite lock file ${lockFile}`, { file: lockFile }, { cause: err });
      }
      let owner = NaN;
      try {
        owner = Number.parseInt(readFileSync(lockFile, 'utf8').trim(), 10);
      } catch {
        // Removed meanwhile: try again.
      }
      if (Number.isInteger(owner) && owner !== process.pid && pidAlive(owner)) {
        throw new DbError(
          'CONFIG_INVALID',
          `the PGlite data directory ${dataDir} is in use by process ${owner}; PGlite serves one process at a time (set DATABASE_URL to share a PostgreSQL server)`,
          { file: dataDir, pid: owner },
        );
      }
      if (Number.isInteger(owner) && owner === process.pid) {
        throw new DbError('CONFIG_INVALID', `the PGlite data directory ${dataDir} is already open in this process`, { file: dataDir });
      }
      rmSync(lockFile, { force: true }); // stale: its owner is gone
    }
  }
  throw new DbError('CONFIG_INVALID', `cannot lock the PGlite data directory ${dataDir}`, { file: dataDir });
}

/** Starts PGlite (4–6 s on first creation of a cluster); in memory without `dataDir`. */
export async function createPgliteDb(options: PgliteDbOptions = {}): Promise<PgliteDb> {
  const { PGlite } = await import('@electric-sql/pglite');
  let release = (): void => {};
  let dataDir: string | undefined;
  if (options.dataDir !== undefined) {
    dataDir = resolve(options.dataDir);
    mkdirSync(dirname(dataDir), { recursive: true });
    release = lockDataDir(dataDir);
  }
  try {
    const pglite = dataDir === undefined ? await PGlite.create({ parsers }) : await PGlite.create(dataDir, { parsers });
    return new PgliteDb(pglite, release);
  } catch (err) {
    release();
    throw toDbError(err, dataDir === undefined ? {} : { file: dataDir });
  }
}
