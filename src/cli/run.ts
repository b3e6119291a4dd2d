/**
 * A command's start-up and shut-down, written once: resolve the configuration (a bad setting
 * stops with exit 2 and names it), build the application context, run the command, report a
 * failure as one line (and as JSON with --json), and close the context.
 */
import { createAppContext, type AppContext } from '../app/context.js';
import { ConfigError, loadConfig } from '../core/config.js';
import { EdiBridgeError, coerceError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { DbError } from '../db/errors.js';
import type { CommandOptions, Io } from './io.js';

/** An error as one line for a person: its message, and a file system's or driver's reason. */
export function describeError(err: unknown): { code: string; message: string } {
  const e = coerceError(err);
  const cause = e.cause;
  // A DbError's own message is the safe one: the driver's may quote input values.
  const reason = !(e instanceof DbError) && cause instanceof Error && !(cause instanceof EdiBridgeError) && cause.message !== e.message ? `: ${cause.message}` : '';
  return { code: e.code, message: `${e.message}${reason}` };
}

export function reportError(io: Io, json: boolean, err: unknown): void {
  const { code, message } = describeError(err);
  io.err(`edibridge: ${message}\n`);
  if (json) io.out(`${JSON.stringify({ error: { code, message } })}\n`);
}

export interface RunOptions {
  json: boolean;
  /** Exit status of a failed command (a bad setting is always 2). */
  failure: number;
  /** The default log level of this command (one-shot commands: warn; the service: info). */
  logLevel?: 'warn' | 'info';
}

export async function withApp(io: Io, options: CommandOptions, run: RunOptions, command: (app: AppContext) => Promise<number>): Promise<number> {
  let app: AppContext;
  try {
    const config = loadConfig(io.env, { defaultLogLevel: run.logLevel ?? 'warn', ...(options.cwd === undefined ? {} : { cwd: options.cwd }) });
    const log = createLogger({ level: config.log.level, ...(config.log.file ? { file: config.log.file } : {}), ...(io.log ? { destination: io.log } : {}) });
    app = createAppContext(config, log, {
      now: io.now,
      ...(options.open ? { openDb: options.open } : {}),
      ...(options.migrationsDir ? { migrationsDir: options.migrationsDir } : {}),
    });
  } catch (err) {
    reportError(io, run.json, err);
    return 2;
  }
  try {
    return await command(app);
  } catch (err) {
    app.log.error({ err }, 'command failed');
    reportError(io, run.json, err);
    return err instanceof ConfigError ? 2 : run.failure;
  } finally {
    await app.close().catch(() => {});
  }
}
