/**
 * A small pool of worker threads that check transaction sets in parallel. Jobs are tiny
 * (a file range); each worker reads its set from the file itself, so nothing large
 * crosses threads and memory stays flat.
 */
import { Worker } from 'node:worker_threads';
import { X12Error } from '../errors.js';
import type { SetJob, SetJobResult } from './set-job.js';

export class SetWorkerPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: SetJob[] = [];
  private readonly waiting = new Map<number, { resolve: (r: SetJobResult) => void; reject: (e: unknown) => void; worker?: Worker }>();

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL('./set-worker.js', import.meta.url));
      worker.on('message', (r: SetJobResult) => this.done(worker, r));
      worker.on('error', (err) => this.failAll(err));
      this.all.push(worker);
      this.idle.push(worker);
    }
  }

  run(job: SetJob): Promise<SetJobResult> {
    return new Promise((resolve, reject) => {
      this.waiting.set(job.id, { resolve, reject });
      this.queue.push(job);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const job = this.queue.shift() as SetJob;
      const w = this.waiting.get(job.id);
      if (w) w.worker = worker;
      worker.postMessage(job);
    }
  }

  private done(worker: Worker, r: SetJobResult): void {
    const w = this.waiting.get(r.id);
    this.waiting.delete(r.id);
    this.idle.push(worker);
    this.dispatch();
    if (!w) return;
    if (r.error) w.reject(new X12Error('INTERNAL', `set check failed in a worker: ${r.error}`, { set: String(r.id) }));
    else w.resolve(r);
  }

  private failAll(err: unknown): void {
    for (const w of this.waiting.values()) w.reject(new X12Error('INTERNAL', 'a set-check worker stopped', {}, { cause: err }));
    this.waiting.clear();
  }
}
