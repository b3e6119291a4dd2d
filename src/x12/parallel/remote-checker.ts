/**
 * A SetChecker that only notes where its set is; when the set closes, it joins a batch
 * for the worker pool. Its findings are written into the SetResult when the worker answers.
 */
import type { SetChecker } from '../envelope/envelope-validator.js';
import type { SegmentError, SetResult } from '../report.js';
import type { CompiledGuide } from '../schema/compiled.js';
import type { Delimiters } from '../tokenize/delimiters.js';
import type { Segment } from '../tokenize/segment.js';
import type { SetWorkerPool } from './pool.js';
import type { SetJob } from './set-job.js';

/** Small sets travel together: one message per this many bytes of sets. */
const BATCH_BYTES = 8 << 20;

export class RemoteContext {
  private jobs: SetJob[] = [];
  private results: SetResult[] = [];
  private bytes = 0;
  private readonly pending: Array<Promise<void>> = [];
  /** The first failure of any batch; reading stops when there is one. */
  failure: unknown;

  constructor(private readonly pool: SetWorkerPool, private readonly fd: number, private readonly schemaDir: string) {}

  add(job: SetJob, result: SetResult): void {
    this.jobs.push(job);
    this.results.push(result);
    this.bytes += job.end - job.start;
    if (this.bytes >= BATCH_BYTES) this.flush();
  }

  flush(): void {
    if (this.jobs.length === 0) return;
    const sets = this.jobs;
    const results = this.results;
    this.jobs = [];
    this.results = [];
    this.bytes = 0;
    this.pending.push(this.pool.run({ fd: this.fd, schemaDir: this.schemaDir, sets }).then(
      (findings) => findings.forEach((f, i) => {
        const r = results[i] as SetResult;
        r.errors = f.errors;
        r.errorsTruncated = f.truncated;
      }),
      // Handled at once (no unhandled rejection); thrown from drain().
      (err: unknown) => {
        this.failure ??= err;
      },
    ));
  }

  /** Sends what is left and waits for every batch; throws the first failure. */
  async drain(): Promise<void> {
    this.flush();
    await Promise.all(this.pending);
    if (this.failure !== undefined) throw this.failure;
  }
}

export class RemoteSetChecker implements SetChecker {
  readonly remote = true;
  readonly errors: SegmentError[] = [];
  readonly truncated = false;
  private start = 0;
  private delimiters: Delimiters | undefined;

  constructor(
    private readonly ctx: RemoteContext,
    private readonly guide: CompiledGuide,
    private readonly result: SetResult,
    private readonly maxErrors: number | undefined,
  ) {}

  begin(st: Segment): void {
    this.start = st.fileOffset;
    this.delimiters = { ...st.delimiters };
  }

  segment(): void {}

  finish(position: number, end: number): void {
    if (!this.delimiters) return;
    this.ctx.add({
      start: this.start,
      end,
      segments: position,
      delimiters: this.delimiters,
      functionalId: this.guide.functionalGroup,
      setId: this.guide.transactionSet,
      // The guide's own version: a set with an unknown ST03 is checked against GS08's guide.
      convention: this.guide.version,
      maxErrors: this.maxErrors,
    }, this.result);
  }
}
