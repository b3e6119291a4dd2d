/**
 * Set handlers: what applies an accepted transaction set to the model. The ingest knows
 * no transaction set's content; it hands each accepted set to the handler registered for
 * its ST01 (834 → enrollment). An accepted set with no handler is not dropped and not
 * marked done: its file stays open as "waiting for a handler" until one is registered and
 * the file is ingested again.
 */
import type { Logger } from '../core/logger.js';
import type { Db } from '../db/db.js';
import type { ExceptionCategory } from '../exceptions/categories.js';
import type { FileSource } from './source.js';

/** An accepted set the handler is to apply: its ST02, where its ST starts, its ISA13. */
export interface AcceptedSet {
  control: string;
  fileOffset: number;
  interchangeControl: string;
}

export interface SetHandlerInput {
  db: Db;
  source: FileSource;
  fileId: string;
  partnerId: string;
  /** The sets to apply, in file order (those applied by an earlier run are left out). */
  sets: readonly AcceptedSet[];
  receivedAt: Date;
  now: () => Date;
  log: Logger;
  /**
   * To run inside each set's transaction before it commits: renews the file's claim, so a
   * set is only committed by the ingest that still holds the file.
   */
  inSetTransaction: (tx: Db) => Promise<void>;
  /** Progress: members (or lines) applied so far and bytes read. */
  onProgress?: (p: { items: number; bytes: number }) => void;
  /** Aborted (the job expired, the service stops): no further set is begun; a set begun commits or rolls back whole. */
  signal?: AbortSignal;
}

export interface HandlerResult {
  /** Sets this run applied (committed). */
  setsApplied: number;
  /** Items (834 members, 820 remittance lines) in the sets this run applied; for the metrics. */
  itemsApplied?: number;
  /** Exceptions opened, by category. */
  exceptions: Partial<Record<ExceptionCategory, number>>;
}

export interface SetHandler<R extends HandlerResult = HandlerResult> {
  /** ST01 of the sets it applies. */
  readonly transactionSet: string;
  /** What it is called in reports (`enrollment`). */
  readonly name: string;
  apply(input: SetHandlerInput): Promise<R>;
}

export type HandlerRegistry = ReadonlyMap<string, SetHandler>;

export function handlerRegistry(...handlers: SetHandler[]): HandlerRegistry {
  return new Map(handlers.map((h) => [h.transactionSet, h]));
}
