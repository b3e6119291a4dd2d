/**
 * MEMORY: the process's garbage-collection policy, set by the `edibridge` launcher (and the
 * ingest bench's child, to measure what the command does) before any work.
 *
 * An ingest is a long batch job with a flat working set: two batches, the reference data and
 * the ZIP table, 50–90 MB live. Left to itself, V8 lets the old generation grow to about four
 * times the live heap between full collections, so identical 1,000,000-member runs peaked
 * anywhere from 272 to 537 MB RSS (the code of session 6 too: 272 and 512 MB on the same RX
 * file). Capped at twice the live heap, the 1M change and full-file runs peaked at 247–251
 * and 251–254 MB, for more frequent full collections (18 instead of 7 in a 100,000-member run).
 */
import { setFlagsFromString } from 'node:v8';

/** Percent the old generation may grow past the live heap before the next full collection. */
export const HEAP_GROWING_PERCENT = 100;

export function capHeapGrowth(): void {
  // Read by V8 whenever it sets the next collection's limit, so it holds from the next one on.
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
