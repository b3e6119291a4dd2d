/**
 * Transaction sets handed to a worker thread: where their bytes are and how to read them.
 * The worker tokenizes exactly `segments` segments from `start` (ST first) and checks them
 * with the set's guide, so its findings are those the in-line check would have made.
 */
import { readSync } from 'node:fs';
import type { SegmentError } from '../report.js';
import type { GuideRegistry } from '../schema/registry.js';
import type { Delimiters } from '../tokenize/delimiters.js';
import type { Segment } from '../tokenize/segment.js';
import { Tokenizer } from '../tokenize/tokenizer.js';
import { SetValidator } from '../validate/set-validator.js';

export interface SetJob {
  /** File offsets: the ST segment, and a bound past the set's last segment. */
  start: number;
  end: number;
  /** Segments from ST on that belong to the set (SE included when present). */
  segments: number;
  delimiters: Delimiters;
  functionalId: string;
  setId: string;
  convention: string;
  maxErrors: number | undefined;
}

/** What goes to a worker: several sets of one file, read through a descriptor the caller holds open. */
export interface SetBatch {
  id: number;
  fd: number;
  schemaDir: string;
  sets: SetJob[];
}

export interface SetFindings {
  errors: SegmentError[];
  truncated: boolean;
}

export interface SetBatchResult {
  id: number;
  results?: SetFindings[];
  error?: string;
}

const READ_SIZE = 1 << 20;

/** Stops reading once the set's last segment is in. */
class Done extends Error {}

export function runSetJob(job: SetJob, fd: number, registry: GuideRegistry, buffer: Uint8Array): SetFindings {
  const guide = registry.find(job.functionalId, job.setId, job.convention);
  if (!guide) throw new Error(`no guide for ${job.setId} ${job.convention}`);
  const validator = new SetValidator(guide, job.maxErrors !== undefined ? { maxErrors: job.maxErrors } : {});
  let position = 0;
  const tokenizer = new Tokenizer({
    segment(seg: Segment) {
      position++;
      if (position === 1) validator.begin(seg);
      else validator.segment(seg, position);
      if (position === job.segments) throw new Done();
    },
    // The main thread's tokenizer reports problems; the same bytes give the same ones.
    problem() {},
  }, { delimiters: job.delimiters, fileOffset: job.start });
  try {
    // Positional reads of the caller's descriptor: no re-open, and the bytes are those
    // the main thread read even if the file is moved meanwhile.
    for (let at = job.start; at < job.end;) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, job.end - at), at);
      if (n === 0) break;
      tokenizer.push(buffer.subarray(0, n));
      at += n;
    }
    tokenizer.end();
  } catch (err) {
    if (!(err instanceof Done)) throw err;
  }
  validator.finish(position);
  return { errors: validator.errors, truncated: validator.truncated };
}

export function newReadBuffer(): Uint8Array {
  return new Uint8Array(READ_SIZE);
}
