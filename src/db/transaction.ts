/**
 * The `Db` handed to a transaction's callback, shared by both adapters: statements go to
 * the transaction's connection; a nested `transaction` is a savepoint; the handle refuses
 * work once its transaction has finished (a forgotten `await` fails loudly instead of
 * running outside the transaction).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, DbKind, QueryResult } from './db.js';
import { DbError } from './errors.js';

/** The Db whose transaction callback is running in this async context, if any. */
const insideTransactionOf = new AsyncLocalStorage<object>();

/** Runs a transaction's callback, marking the async context as inside `owner`'s transaction. */
export function runInside<T>(owner: object, fn: () => Promise<T>): Promise<T> {
  return insideTransactionOf.run(owner, fn);
}

/**
 * Refuses a statement on a Db from inside one of its own transactions: it would run outside
 * the transaction on pg (and wait for a free client, forever with a pool of one), and wait
 * forever on PGlite's single session. The callback must use the `tx` it was given.
 */
export function assertNotInside(owner: object): void {
  if (insideTransactionOf.getStore() === owner) {
    throw new DbError('INTERNAL', "statement on the Db inside one of its own transactions: use the transaction's handle (tx)");
  }
}

/** What an adapter provides for one open transaction (errors already normalised). */
export interface TransactionSession {
  query<R>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>>;
  exec(script: string): Promise<void>;
  script<R>(text: string): Promise<QueryResult<R>>;
  copyFrom(table: string, columns: readonly string[], data: string): Promise<number>;
}

/**
 * A session whose statements run one at a time, in the order they were issued, whoever
 * issued them: a caller may issue a statement before the last one has finished (the ingest
 * issues a batch's loads together, while the last batch is still being written), and no
 * driver is asked to queue statements itself (pg 8 deprecates queueing on a busy client).
 * A failed statement does not stop the ones after it: they fail the way the server says
 * (transaction aborted). `drained` settles once everything issued so far has.
 */
export function inIssueOrder(session: TransactionSession): { session: TransactionSession; drained: () => Promise<void> } {
  let tail: Promise<unknown> = Promise.resolve();
  const next = <T>(run: () => Promise<T>): Promise<T> => {
    const p = tail.then(run, run);
    tail = p.catch(() => undefined);
    return p;
  };
  return {
    session: {
      query: (text, values) => next(() => session.query(text, values)),
      exec: (script) => next(() => session.exec(script)),
      script: <R>(text: string) => next(() => session.script<R>(text)),
      copyFrom: (table, columns, data) => next(() => session.copyFrom(table, columns, data)),
    },
    drained: async () => {
      await tail;
    },
  };
}

export class TransactionDb implements Db {
  private finished = false;
  private readonly session: TransactionSession;
  private readonly drained: () => Promise<void>;

  /** `session` is the adapter's; a savepoint's handle is given its parent's (already ordered). */
  constructor(
    readonly kind: DbKind,
    session: TransactionSession,
    private readonly depth = 0,
  ) {
    if (depth === 0) {
      const ordered = inIssueOrder(session);
      this.session = ordered.session;
      this.drained = ordered.drained;
    } else {
      this.session = session;
      this.drained = async () => undefined;
    }
  }

  /**
   * Called by the adapter before it commits or rolls back: refuses new statements and waits
   * for those already issued, so none runs after the COMMIT or ROLLBACK (it would run outside
   * the transaction). Never throws: each statement's failure went to whoever issued it.
   */
  async end(): Promise<void> {
    this.finished = true;
    await this.drained();
  }

  /** Called by the adapter when the transaction (or savepoint) has ended. */
  finish(): void {
    this.finished = true;
  }

  private check(): void {
    if (this.finished) {
      throw new DbError('INTERNAL', 'transaction handle used after its transaction ended (missing await?)');
    }
  }

  async query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>> {
    this.check();
    return this.session.query<R>(text, values);
  }

  async exec(script: string): Promise<void> {
    this.check();
    await this.session.exec(script);
  }

  async script<R = Record<string, unknown>>(text: string): Promise<QueryResult<R>> {
    this.check();
    return this.session.script<R>(text);
  }

  async copyFrom(table: string, columns: readonly string[], data: string): Promise<number> {
    this.check();
    return this.session.copyFrom(table, columns, data);
  }

  /** A savepoint: rolled back alone when `fn` throws; the enclosing transaction goes on. */
  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    this.check();
    const name = `edibridge_sp_${this.depth + 1}`;
    await this.session.query(`savepoint ${name}`);
    const inner = new TransactionDb(this.kind, this.session, this.depth + 1);
    try {
      const result = await fn(inner);
      await this.session.query(`release savepoint ${name}`);
      return result;
    } catch (err) {
      try {
        await this.session.query(`rollback to savepoint ${name}`);
      } catch {
        // The connection is unusable; the enclosing transaction fails with it.
      }
      throw err;
    } finally {
      inner.finish();
    }
  }

  async close(): Promise<void> {
    throw new DbError('INTERNAL', 'close() called on a transaction handle; close the Db that opened it');
  }
}
