/**
 * One transaction set handed to a worker thread: where its bytes are and how to read them.
 * The worker tokenizes exactly `segments` segments from `start` (ST first) and checks them
 * with the set's guide, so its findings are those the inline check would have made.
 */
import { createReadStream } from 'node:fs';
import type { SegmentError } from '../report.js';
import type { GuideRegistry } from '../schema/registry.js';
import type { Delimiters } from '../tokenize/delimiters.js';
import type { Segment } from '../tokenize/segment.js';
import { Tokenizer } from '../tokenize/tokenizer.js';
import { SetValidator } from '../validate/set-validator.js';

export interface SetJob {
  id: number;
  path: string;
  /** File offset of the ST segment. */
  start: number;
  /** Segments from ST on that belong to the set (SE included when present). */
  segments: number;
  delimiters: Delimiters;
  functionalId: string;
  setId: string;
  convention: string;
  maxErrors: number | undefined;
}

export interface SetJobResult {
  id: number;
  errors: SegmentError[];
  truncated: boolean;
  error?: string;
}

/** Stops the read early once the set's last segment is in. */
class Done extends Error {}

export async function runSetJob(job: SetJob, registry: GuideRegistry): Promise<SetJobResult> {
  const guide = registry.find(job.functionalId, job.setId, job.convention);
  if (!guide) return { id: job.id, errors: [], truncated: false, error: `no guide for ${job.setId} ${job.convention}` };
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
  const stream = createReadStream(job.path, { start: job.start, highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) tokenizer.push(chunk as Uint8Array);
    tokenizer.end();
  } catch (err) {
    if (!(err instanceof Done)) throw err;
  } finally {
    stream.destroy();
  }
  validator.finish(position);
  return { id: job.id, errors: validator.errors, truncated: validator.truncated };
}
