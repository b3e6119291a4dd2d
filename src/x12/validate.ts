/**
 * validate: bytes in, a FileReport out. Streams the file through the tokenizer and the
 * envelope validator; memory holds one chunk, the open loops and the errors found.
 */
import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { EdiBridgeError } from '../core/errors.js';
import { availableParallelism } from 'node:os';
import { EnvelopeValidator, inlineChecker, settle, type EnvelopeOptions, type SetCheckerFactory } from './envelope/envelope-validator.js';
import { SetWorkerPool } from './parallel/pool.js';
import { RemoteContext, RemoteSetChecker } from './parallel/remote-checker.js';
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
  /** A worker pool to use (and leave open), for callers that validate many files; it may be shared. */
  pool?: SetWorkerPool;
  /** Called after each chunk: bytes read so far and transaction sets begun. */
  onProgress?: (p: { bytes: number; sets: number }) => void;
}

/** Below this size, starting workers costs more than it saves. */
export const PARALLEL_MIN_BYTES = 128 << 20;
/** Sets smaller than this on average are checked in line: a worker's per-set cost would not pay. */
const MIN_REMOTE_SET_BYTES = 1 << 20;
/** Each worker costs about 70 MB; more than this rarely pays on one file. */
const MAX_DEFAULT_THREADS = 4;

/** Validates a stream of bytes (a file, an SFTP download, an S3 object body). */
export async function validateStream(source: AsyncIterable<Uint8Array>, options: ValidateOptions = {}): Promise<FileReport> {
  return run(source, options, null);
}

/** The streaming core; with `remote`, some sets are checked by workers, awaited before verdicts. */
async function run(source: AsyncIterable<Uint8Array>, options: ValidateOptions, remote: RemoteContext | null): Promise<FileReport> {
  const envelope = new EnvelopeValidator(options.registry ?? loadRegistry(), options);
  const tokenizer = new Tokenizer(envelope);
  let bytes = 0;
  for await (const chunk of source) {
    if (remote?.failure !== undefined) break;
    bytes += chunk.length;
    tokenizer.push(chunk);
    if (options.onProgress) options.onProgress({ bytes, sets: setsBegun(envelope) });
  }
  tokenizer.end();
  envelope.end(bytes);
  await remote?.drain();
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

export async function validateFile(path: string, options: ValidateOptions = {}): Promise<FileReport> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    size = info.size;
  } catch (err) {
    throw new EdiBridgeError('FILE_UNREADABLE', `cannot read ${path}`, { file: path }, { cause: err });
  }
  const registry = options.registry ?? loadRegistry();
  // Workers load guides from a folder: a registry built in memory is checked in line.
  const schemaDir = registry.dir;
  const wanted = options.threads ?? (size >= PARALLEL_MIN_BYTES ? Math.min(availableParallelism(), MAX_DEFAULT_THREADS) : 1);
  const threads = schemaDir ? wanted : 1;
  const named = { ...options, registry, name: options.name ?? path };
  let stream: ReturnType<typeof createReadStream> | undefined;
  let handle: FileHandle | undefined;
  let own: SetWorkerPool | undefined;
  try {
    stream = createReadStream(path, { highWaterMark: 1 << 20 });
    if (threads <= 1 || !schemaDir) return await run(stream, named, null);
    // Workers read through this descriptor: the bytes the main thread reads, even if the
    // file is moved or replaced meanwhile.
    handle = await open(path, 'r');
    const pool = options.pool ?? (own = new SetWorkerPool(threads - 1));
    const remote = new RemoteContext(pool, handle.fd, schemaDir);
    // The main thread checks every `threads`-th set itself and skims the others; small
    // sets (by the average so far) are checked in line, where a worker would cost more.
    let sets = 0;
    let firstStart = -1;
    const setChecker: SetCheckerFactory = (guide, result, maxErrors) => {
      if (firstStart < 0) firstStart = result.fileOffset;
      const n = sets++;
      const small = n > 0 && (result.fileOffset - firstStart) / n < MIN_REMOTE_SET_BYTES;
      return small || n % threads === threads - 1
        ? inlineChecker(guide, result, maxErrors)
        : new RemoteSetChecker(remote, guide, result, maxErrors);
    };
    return await run(stream, { ...named, setChecker }, remote);
  } catch (err) {
    if (err instanceof EdiBridgeError) throw err;
    throw new EdiBridgeError('FILE_UNREADABLE', `cannot read ${path}`, { file: path }, { cause: err });
  } finally {
    stream?.destroy();
    await own?.close();
    await handle?.close();
  }
}

function setsBegun(envelope: EnvelopeValidator): number {
  let n = 0;
  for (const ic of envelope.interchanges) for (const g of ic.groups) n += g.sets.length;
  return n;
}

function buildReport(file: string, bytes: number, segments: number, envelope: EnvelopeValidator): FileReport {
  const interchanges = envelope.interchanges;
  settle(interchanges);
  const accepted = interchanges.length > 0 && interchanges.every((ic) =>
    ic.status !== 'R' && ic.groups.every((g) => g.status === 'A' || g.status === 'E'));
  return { file, bytes, segments, interchanges, problems: envelope.problems, accepted };
}
