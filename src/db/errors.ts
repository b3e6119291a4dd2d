/**
 * Database errors: every driver error is normalised once into a `DbError`, keeping the
 * driver's error as `cause`. Its context carries only the SQLSTATE and the names of the
 * schema objects involved, never the driver's `detail` (which quotes row values: PHI).
 */
import { EdiBridgeError, type ErrorCode, type ErrorContext } from '../core/errors.js';

/** SQLSTATE codes the code base branches on. */
export const SqlState = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  notNullViolation: '23502',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  undefinedTable: '42P01',
  syntaxError: '42601',
} as const;

export class DbError extends EdiBridgeError {
  /** The five-character SQLSTATE when the server reported the error. */
  readonly sqlState: string | undefined;
  /** The constraint named by the server (unique, check, foreign key), when any. */
  readonly constraint: string | undefined;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(code, message, context, options);
    this.sqlState = typeof context['sqlState'] === 'string' ? context['sqlState'] : undefined;
    this.constraint = typeof context['constraint'] === 'string' ? context['constraint'] : undefined;
  }
}

interface DriverErrorShape {
  message?: unknown;
  code?: unknown;
  constraint?: unknown;
  table?: unknown;
  schema?: unknown;
  column?: unknown;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Normalises anything a driver threw into a DbError (idempotent). */
export function toDbError(err: unknown, context: ErrorContext = {}): DbError {
  if (err instanceof DbError) return err;
  if (err instanceof EdiBridgeError) {
    return new DbError(err.code, err.message, { ...err.context, ...context }, { cause: err });
  }
  const e = (typeof err === 'object' && err !== null ? err : {}) as DriverErrorShape;
  let message = err instanceof Error ? err.message : typeof e.message === 'string' ? e.message : String(err);
  // A refused connection to a host with several addresses is an AggregateError with no message.
  if (message === '' && err instanceof AggregateError) {
    message = err.errors.map((x: unknown) => (x instanceof Error ? x.message : String(x))).join('; ');
  }
  if (message === '' && typeof e.code === 'string') message = e.code;
  const ctx: ErrorContext = { ...context };
  // Data exceptions (class 22) quote the offending input in the message itself, e.g.
  // `invalid input syntax for type date: "…"`: that input may be PHI.
  if (typeof e.code === 'string' && e.code.startsWith('22')) message = message.replace(/"[^"]*"/g, '"(value withheld)"');
  if (typeof e.code === 'string') {
    if (SQLSTATE.test(e.code)) ctx['sqlState'] = e.code;
    else ctx['errno'] = e.code; // ECONNREFUSED and the like
  }
  for (const key of ['constraint', 'table', 'schema', 'column'] as const) {
    const v = e[key];
    if (typeof v === 'string' && v !== '') ctx[key] = v;
  }
  return new DbError('INTERNAL', message, ctx, { cause: err });
}

/** Whether `err` is a unique violation (optionally of the named constraint). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  return (
    err instanceof DbError &&
    err.sqlState === SqlState.uniqueViolation &&
    (constraint === undefined || err.constraint === constraint)
  );
}

/** Runs a driver call, turning whatever it throws into a DbError (the adapters' one wrapper). */
export async function driverCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toDbError(err);
  }
}
