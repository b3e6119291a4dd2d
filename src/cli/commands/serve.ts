/**
 * `edibridge serve [--port N]` — the long-running service (src/app/service.ts): opens (and
 * migrates) the database, starts the job engine with a worker per queue (pull, process,
 * deliver), each partner's pull schedule from EDIBRIDGE_PARTNERS_FILE, and answers /healthz,
 * /readyz and /metrics on EDIBRIDGE_HTTP_PORT (default 8080; --port wins; 0 takes a free
 * port). It logs where it listens.
 *
 * On SIGTERM or SIGINT it stops claiming jobs (/readyz answers 503 from then on), waits up to
 * EDIBRIDGE_SHUTDOWN_SECONDS (default 30) for active jobs, fails those still running back to
 * their queue, closes the listener and the database, and exits 0. Exit 1: the service could
 * not start or failed; 2: usage or a bad setting.
 */
import { startService, type ServiceOptions } from '../../app/service.js';
import { parseCommandArgs } from '../args.js';
import type { CommandOptions, Io } from '../io.js';
import { withApp } from '../run.js';

export const SERVE_USAGE = 'usage: edibridge serve [--port N]';

export interface ServeHooks {
  /** Stops the service when aborted (tests); the process's SIGTERM/SIGINT always do. */
  stop?: AbortSignal;
  /** Called once the listener is up, with its port. */
  onListening?: (port: number) => void;
  /** The handlers instead of src/app/jobs.ts's (tests). */
  jobs?: ServiceOptions['jobs'];
}

export function untilStopped(hooks: ServeHooks): { stopped: Promise<string>; dispose: () => void } {
  let resolve!: (why: string) => void;
  const stopped = new Promise<string>((r) => {
    resolve = r;
  });
  const onSignal = (signal: NodeJS.Signals): void => resolve(signal);
  const onAbort = (): void => resolve('stop requested');
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  hooks.stop?.addEventListener('abort', onAbort, { once: true });
  if (hooks.stop?.aborted) onAbort();
  return {
    stopped,
    dispose: () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      hooks.stop?.removeEventListener('abort', onAbort);
    },
  };
}

export async function serveCommand(argv: string[], io: Io, options: CommandOptions = {}, hooks: ServeHooks = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, { port: { type: 'string' } }, SERVE_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const port = values.port === undefined ? undefined : Number(values.port);
  if (positionals.length > 0 || (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535))) {
    io.err(`${positionals.length > 0 ? '' : '--port: must be a port number (0–65535)\n'}${SERVE_USAGE}\n`);
    return 2;
  }
  // Signals are caught from the start: a SIGTERM during start-up still shuts down cleanly.
  const stop = untilStopped(hooks);
  try {
    return await withApp(io, options, { json: false, failure: 1, logLevel: 'info' }, async (app) => {
      const service = await startService(app, { port: port ?? app.config.service.httpPort, ...(hooks.jobs ? { jobs: hooks.jobs } : {}) });
      try {
        hooks.onListening?.(service.port);
        const why = await stop.stopped;
        app.log.info({ reason: why, timeoutSeconds: app.config.service.shutdownSeconds }, 'shutting down: no new jobs, waiting for active ones');
      } finally {
        await service.stop();
      }
      app.log.info('stopped');
      return 0;
    });
  } finally {
    stop.dispose();
  }
}
