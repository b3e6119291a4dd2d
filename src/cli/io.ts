/** What a command may touch of the outside world, passed in so tests can capture it. */
import type { DestinationStream } from 'pino';
import type { AppConfig } from '../core/config.js';
import type { Db } from '../db/db.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  now: () => Date;
  env: NodeJS.ProcessEnv;
  /** Log lines go here instead of the configured place (tests). */
  log?: DestinationStream;
  /** Whether a person watches stderr: progress lines are drawn only then. */
  interactive?: boolean;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  now: () => new Date(),
  env: process.env,
  interactive: process.stderr.isTTY === true,
};

/** How a command is composed, for tests: their own database, migrations, working folder. */
export interface CommandOptions {
  /** Opens the database instead of the configured one. */
  open?: (config: AppConfig) => Promise<Db>;
  /** Folder of migrations; default schemas/sql/migrations. */
  migrationsDir?: string;
  /** Base of relative paths; default the working directory. */
  cwd?: string;
  /** ingest: members per write batch. */
  batchMembers?: number;
}
