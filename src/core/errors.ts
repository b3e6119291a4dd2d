/**
 * Typed errors: a stable code, a cause, and where it happened. Context never holds
 * element values (they may be PHI): only file names, control numbers and positions.
 */
export interface ErrorContext {
  file?: string;
  interchange?: string;
  group?: string;
  set?: string;
  /** Segment position within its set (from ST = 1) or ordinal in the file. */
  segment?: number;
  fileOffset?: number;
  guide?: string;
  [key: string]: string | number | undefined;
}

export type ErrorCode =
  | 'GUIDE_INVALID'
  | 'GUIDE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'USAGE'
  | 'CONFIG_INVALID'
  /** A record asked for is not there (an exception id, an inbound file). */
  | 'NOT_FOUND'
  /** A change the record's state does not allow (a resolved exception reopened). */
  | 'INVALID_STATE'
  | 'INTERNAL';

export class EdiBridgeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly context: ErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, context: this.context };
  }
}

/** Normalises anything thrown into an EdiBridgeError once, keeping the cause. */
export function coerceError(err: unknown, code: ErrorCode = 'INTERNAL', context: ErrorContext = {}): EdiBridgeError {
  if (err instanceof EdiBridgeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new EdiBridgeError(code, message, context, { cause: err });
}
