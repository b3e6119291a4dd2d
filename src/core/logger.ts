/**
 * The logger: pino JSON lines, on stderr (or a file the configuration names), so that a
 * command's human output keeps stdout to itself. Work is scoped by child loggers that bind
 * the file, interchange and set it concerns (`log.child({ file, interchange, set })`).
 *
 * PHI never reaches a log line. The code logs identifiers, counts, control numbers and
 * positions only; as a second wall, the values of keys that name PHI are censored wherever
 * they appear, up to two levels deep, and an error is logged by its code, message and
 * context (which by construction hold no element values), never by its cause's fields.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { EdiBridgeError, coerceError } from './errors.js';
import type { LogLevel } from './config.js';

export type { Logger };

/** Keys whose values are PHI (or may hold it), censored wherever a log call passes them. */
export const PHI_LOG_KEYS = [
  'ssn', 'ssnLast4', 'name', 'firstName', 'lastName', 'middleName', 'nameSuffix', 'birthDate', 'dob',
  'address', 'home', 'mailing', 'line1', 'line2', 'street', 'city', 'zip', 'phone', 'email', 'value', 'values', 'element',
] as const;

const REDACT_PATHS = PHI_LOG_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
export const REDACTED = '[PHI]';

/** An error as a log line carries it: code, message, context, and its cause's message. */
function serializeError(err: unknown): Record<string, unknown> {
  const e = coerceError(err);
  const out: Record<string, unknown> = { type: e.name, code: e.code, message: e.message, context: e.context };
  // A driver's or the file system's message, never an EdiBridgeError's cause chain's data.
  if (e.cause instanceof Error && !(e.cause instanceof EdiBridgeError) && e.cause.message !== e.message) out['cause'] = e.cause.message;
  return out;
}

export interface LoggerOptions {
  level: LogLevel;
  /** A file for the lines (appended); default stderr. */
  file?: string;
  /** Where lines go instead (tests): anything with write(line). */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination
    ?? (options.file ? pino.destination({ dest: options.file, sync: true, mkdir: true, append: true }) : pino.destination({ dest: 2, sync: true }));
  return pino(
    {
      level: options.level,
      base: { service: 'edibridge' },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      serializers: { err: serializeError },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** A logger that writes nothing (services called without one). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
