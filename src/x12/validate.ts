/**
 * validate: bytes in, a FileReport out. Streams the file through the tokenizer and the
 * envelope validator; memory holds one chunk, the open loops and the errors found.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { EdiBridgeError } from './errors.js';
import { EnvelopeValidator, settle, type EnvelopeOptions } from './envelope/envelope-validator.js';
import type { FileReport } from './report.js';
import { loadRegistry, type GuideRegistry } from './schema/registry.js';
import { Tokenizer } from './tokenize/tokenizer.js';

export interface ValidateOptions extends EnvelopeOptions {
  registry?: GuideRegistry;
  /** Name to report the file by. */
  name?: string;
}

export interface ValidationRun {
  report: FileReport;
  /** Segments in the file (for throughput figures). */
  segments: number;
}

/** Validates a stream of bytes (a file, an SFTP download, an S3 object body). */
export async function validateStream(source: AsyncIterable<Uint8Array>, options: ValidateOptions = {}): Promise<FileReport> {
  const envelope = new EnvelopeValidator(options.registry ?? loadRegistry(), options);
  const tokenizer = new Tokenizer(envelope);
  let bytes = 0;
  for await (const chunk of source) {
    bytes += chunk.length;
    tokenizer.push(chunk);
  }
  tokenizer.end();
  envelope.end(bytes);
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
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
  } catch (err) {
    throw new EdiBridgeError('FILE_UNREADABLE', `cannot read ${path}`, { file: path }, { cause: err });
  }
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    return await validateStream(stream, { ...options, name: options.name ?? path });
  } catch (err) {
    if (err instanceof EdiBridgeError) throw err;
    throw new EdiBridgeError('FILE_UNREADABLE', `cannot read ${path}`, { file: path }, { cause: err });
  }
}

function buildReport(file: string, bytes: number, segments: number, envelope: EnvelopeValidator): FileReport {
  const interchanges = envelope.interchanges;
  settle(interchanges);
  const accepted = interchanges.length > 0 && interchanges.every((ic) =>
    ic.status !== 'R' && ic.groups.every((g) => g.status === 'A' || g.status === 'E'));
  return { file, bytes, segments, interchanges, problems: envelope.problems, accepted };
}
