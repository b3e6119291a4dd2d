/**
 * validate: bytes in, a FileReport out. Streams the file through the tokenizer and the
 * envelope validator; memory holds one chunk, the open loops and the errors found.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { EdiBridgeError } from './errors.js';
import { availableParallelism } from 'node:os';
import { EnvelopeValidator, settle, type EnvelopeOptions, type SetCheckerFactory } from './envelope/envelope-validator.js';
import { SetWorkerPool } from './parallel/pool.js';
import { SetValidator } from './validate/set-validator.js';
import { RemoteSetChecker, type RemoteContext } from './parallel/remote-checker.js';
import type { FileReport } from './report.js';
import { loadRegistry, type GuideRegistry } from './schema/registry.js';
import { Tokenizer } from './tokenize/tokenizer.js';

export interface ValidateOptions extends EnvelopeOptions {
  registry?: GuideRegistry;
  /** Name to report the file by. */
  name?: string;
  /**
   * Threads for validateFile, the main one included: transaction sets are checked in
   * parallel by threads - 1 workers and the main thread, which also follows the
   * envelopes. Default: the machine's parallelism for files of PARALLEL_MIN_BYTES or
   * more, else 1 (all in line).
   */
  threads?: number;
  /** A worker pool to use (and leave open), for callers that validate many files. */
  pool?: SetWorkerPool;
}

/** Below this size, starting workers costs more than it saves. */
export const PARALLEL_MIN_BYTES = 128 << 20;

/** Validates a stream of bytes (a file, an SFTP download, an S3 object body). */
export async function validateStream(source: AsyncIterable<Uint8Array>, options: ValidateOptions = {}): Promise<FileReport> {
  return run(source, options, async () => {});
}

async function run(source: AsyncIterable<Uint8Array>, options: ValidateOptions, drain: () => Promise<void>): Promise<FileReport> {
  const envelope = new EnvelopeValidator(options.registry ?? loadRegistry(), options);
  const tokenizer = new Tokenizer(envelope);
  let bytes = 0;
  for await (const chunk of source) {
    bytes += chunk.length;
    tokenizer.push(chunk);
  }
  tokenizer.end();
  envelope.end(bytes);
  await drain();
  return buildReport(options.name ?? '(stream)', bytes, tokenizer.segmentsRead, envelope);
}

/** Validates bytes already in memory. */
export function validateBytes(data: Uint8Array, options: ValidateOptions = {}): FileReport {
  const envelope = new EnvelopeValidator(options.registry ?? loadRegistry(), options);
  const tokenizer = new Tokenizer(envelope);
  tokenizer.push(data);
  tokenizer.end();
  envelope.end(data.length);
  return buildReport(options.name ?? '(bytes)', data.length, tokenizer.segmentsRead, envelope);
}

export async function validateFile(path: string, options: ValidateOptions = {}): Promise<FileReport & { segments: number }> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    size = info.size;
  } catch (err) {
    throw new EdiBridgeError('FILE_UNREADABLE', `cannot read ${path}`, { file: path }, { cause: err });
  }
  const threads = options.threads ?? (size >= PARALLEL_MIN_BYTES ? availableParallelism() : 1);
  const named = { ...options, name: options.name ?? path };
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  // The main thread follows the envelopes and checks every `threads`-th set itself; the
  // other sets go to threads - 1 workers, which read their sets from the file.
  const own = threads > 1 && !options.pool ? new SetWorkerPool(threads - 1) : null;
  const pool = threads > 1 ? options.pool ?? own : null;
  try {
    if (!pool) return await run(stream, named, async () => {});
    const ctx: RemoteContext = { pool, path, pending: [], nextId: 0 };
    let sets = 0;
    const setChecker: SetCheckerFactory = (guide, result, maxErrors) =>
      sets++ % threads === threads - 1
        ? new SetValidator(guide, maxErrors !== undefined ? { maxErrors } : {})
        : new RemoteSetChecker(ctx, guide, result, maxErrors);
    return await run(stream, { ...named, setChecker }, async () => {
      await Promise.all(ctx.pending);
    });
  } catch (err) {
    if (err instanceof EdiBridgeError) throw err;
    throw new EdiBridgeError('FILE_UNREADABLE', `cannot read ${path}`, { file: path }, { cause: err });
  } finally {
    stream.destroy();
    await own?.close();
  }
}

function buildReport(file: string, bytes: number, segments: number, envelope: EnvelopeValidator): FileReport {
  const interchanges = envelope.interchanges;
  settle(interchanges);
  const accepted = interchanges.length > 0 && interchanges.every((ic) =>
    ic.status !== 'R' && ic.groups.every((g) => g.status === 'A' || g.status === 'E'));
  return { file, bytes, segments, interchanges, problems: envelope.problems, accepted };
}
