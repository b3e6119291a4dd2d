/**
 * A SetChecker that only notes where its set is, then hands the set to the worker pool
 * when it closes. Its findings are written into the SetResult when the worker answers.
 */
import type { SetChecker } from '../envelope/envelope-validator.js';
import type { SegmentError, SetResult } from '../report.js';
import type { CompiledGuide } from '../schema/compiled.js';
import type { Delimiters } from '../tokenize/delimiters.js';
import type { Segment } from '../tokenize/segment.js';
import type { SetWorkerPool } from './pool.js';

export interface RemoteContext {
  pool: SetWorkerPool;
  path: string;
  /** Every job handed out, to be awaited before verdicts are settled. */
  pending: Array<Promise<void>>;
  nextId: number;
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

  finish(position: number): void {
    const delimiters = this.delimiters;
    if (!delimiters) return;
    const result = this.result;
    const job = this.ctx.pool.run({
      id: ++this.ctx.nextId,
      path: this.ctx.path,
      start: this.start,
      segments: position,
      delimiters,
      functionalId: this.guide.functionalGroup,
      setId: this.guide.transactionSet,
      convention: result.convention,
      maxErrors: this.maxErrors,
    });
    this.ctx.pending.push(job.then((r) => {
      result.errors = r.errors;
      result.errorsTruncated = r.truncated;
    }));
  }
}
