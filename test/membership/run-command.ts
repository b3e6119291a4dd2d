/**
 * Runs an `edibridge` command in-process on a test's database, with the clock and PHI key
 * of test/enrollment/build834.ts, capturing stdout, stderr and the log lines.
 */
import type { CommandOptions, Io } from '../../src/cli/io.js';
import type { Db } from '../../src/db/db.js';
import { NOW } from '../enrollment/build834.js';
import { unclosable } from '../db/harness.js';

/** build834's PHI key (bytes of 7), so the commands read the SSNs the ingests sealed. */
export const PHI_KEY_HEX = Buffer.alloc(32, 7).toString('hex');

export type Command = (argv: string[], io: Io, options: CommandOptions) => Promise<number>;

export interface Ran {
  code: number;
  out: string;
  err: string;
  /** Every log line written at trace level. */
  logs: string;
}

export async function runCommand(db: Db, command: Command, argv: string[], options: { now?: Date } = {}): Promise<Ran> {
  let out = '';
  let err = '';
  let logs = '';
  const io: Io = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    now: () => options.now ?? NOW,
    env: { EDIBRIDGE_PHI_KEY: PHI_KEY_HEX, EDIBRIDGE_LOG_LEVEL: 'trace' },
    log: { write: (line: string) => void (logs += line) },
  };
  const code = await command(argv, io, { open: async () => unclosable(db) });
  return { code, out, err, logs };
}
