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
  /** Object store (src/transport/store): cannot be reached or written now; worth retrying later. */
  | 'STORE_UNAVAILABLE'
  /** Object store: a key it refuses (`..`, absolute, empty segment, too long, clashes with a folder). */
  | 'STORE_KEY_INVALID'
  /** Object store: fewer or more bytes arrived than the stated content length; nothing kept. */
  | 'STORE_LENGTH_MISMATCH'
  /** Object store: any other refusal (access denied, no such bucket, no credentials). */
  | 'STORE_FAILED'
  /** A job's data does not match its queue's schema (src/worker): failed, never retried. */
  | 'JOB_INVALID'
  /** A job ran past its queue's expiry (src/worker): failed back to its queue for a retry. */
  | 'JOB_EXPIRED'
  /** SFTP (src/transport/sftp): the partner's server cannot be reached, or the connection dropped; worth retrying later. */
  | 'SFTP_UNAVAILABLE'
  /** SFTP: the server refused an operation (status 3, permission denied). */
  | 'SFTP_PERMISSION_DENIED'
  /** SFTP: no such file or folder (status 2). */
  | 'SFTP_NOT_FOUND'
  /** SFTP: any other refusal (status 4 failure, authentication refused, unsupported operation). */
  | 'SFTP_FAILED'
  /** SFTP: the server's host key is not the pinned one (context: partner, host, fingerprint seen). */
  | 'HOST_KEY_MISMATCH'
  /** Access (src/access): not signed in, or the session ended. */
  | 'UNAUTHENTICATED'
  /** Access: signed in, but the role or organisation may not do or see this. */
  | 'FORBIDDEN'
  /** Access: sign-in refused (wrong password, locked, disabled, password expired). */
  | 'SIGN_IN_REFUSED'
  /** Access: the form or call did not carry the session's CSRF token. */
  | 'CSRF_INVALID'
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

/** A file or input that is invalid in several places: `issues` lists every problem as `path: message`. */
export class InvalidDataError extends EdiBridgeError {
  constructor(
    message: string,
    readonly issues: readonly string[],
    context: ErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super('CONFIG_INVALID', message, context, options);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

/** Normalises anything thrown into an EdiBridgeError once, keeping the cause. */
export function coerceError(err: unknown, code: ErrorCode = 'INTERNAL', context: ErrorContext = {}): EdiBridgeError {
  if (err instanceof EdiBridgeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new EdiBridgeError(code, message, context, { cause: err });
}
