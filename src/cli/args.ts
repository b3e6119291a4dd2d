/** Argument parsing shared by the commands: --help, usage on bad arguments, exit statuses. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { coerceError } from '../core/errors.js';
import type { Io } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP = { help: { type: 'boolean', short: 'h', default: false } } as const;
type Config<O extends Options> = { args: string[]; allowPositionals: true; options: O & typeof HELP };
export type ParsedArgs<O extends Options> = ReturnType<typeof parseArgs<Config<O>>>;

/**
 * Parses `argv` for a command. Returns the parsed arguments, or the exit status when the
 * command should stop: 0 after printing usage for --help, 2 after printing it for bad ones.
 */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, usage: string, io: Io): ParsedArgs<O> | number {
  let parsed: ParsedArgs<O>;
  try {
    parsed = parseArgs<Config<O>>({ args: argv, allowPositionals: true, options: { ...options, ...HELP } });
  } catch (err) {
    io.err(`${coerceError(err).message}\n${usage}\n`);
    return 2;
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.out(`${usage}\n`);
    return 0;
  }
  return parsed;
}

/**
 * A service's input from the command line, checked by the service's own schema. On a
 * problem prints each with the option it came from (never the value given) and the usage,
 * and returns exit status 2.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  given: unknown,
  usage: string,
  io: Io,
  names: Readonly<Record<string, string>> = {},
): z.infer<S> | number {
  const r = schema.safeParse(given);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => {
    const key = String(i.path[0] ?? '');
    return `${names[key] ?? `--${key}`}: ${i.message}`;
  });
  io.err(`${problems.join('\n')}\n${usage}\n`);
  return 2;
}
