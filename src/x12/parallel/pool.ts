/**
 * A small pool of worker threads that check transaction sets. Messages are tiny (file
 * ranges); each worker reads its sets through a descriptor the caller keeps open, so
 * nothing large crosses threads and memory stays flat. The pool numbers the batches, so
 * callers may share it; a worker that dies fails only its own batch and is replaced.
 */
import { Worker } from 'node:worker_threads';
import { X12Error } from '../errors.js';
import type { SetBatch, SetBatchResult, SetFindings } from './set-job.js';

interface Pending {
  batch: SetBatch;
  resolve: (r: SetFindings[]) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  running: Pending | null;
}

export class SetWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private closed = false;

  constructor(readonly size: number) {
    try {
      for (let i = 0; i < size; i++) this.slots.push(this.spawn());
    } catch (err) {
      void this.close();
      throw err;
    }
  }

  run(batch: Omit<SetBatch, 'id'>): Promise<SetFindings[]> {
    if (this.closed) return Promise.reject(new X12Error('INTERNAL', 'the set-check pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ batch: { ...batch, id: ++this.nextId }, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const stopped = new X12Error('INTERNAL', 'the set-check pool was closed before the work was done');
    for (const p of this.queue.splice(0)) p.reject(stopped);
    for (const slot of this.slots) slot.running?.reject(stopped);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./set-worker.js', import.meta.url));
    const slot: Slot = { worker, running: null };
    worker.on('message', (r: SetBatchResult) => this.done(slot, r));
    worker.on('error', (err) => this.lost(slot, err));
    worker.on('exit', (code) => {
      if (!this.closed) this.lost(slot, new Error(`exited with code ${code}`));
    });
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.running || this.queue.length === 0) continue;
      const next = this.queue.shift() as Pending;
      slot.running = next;
      slot.worker.postMessage(next.batch);
    }
  }

  private done(slot: Slot, r: SetBatchResult): void {
    const p = slot.running;
    slot.running = null;
    this.dispatch();
    if (!p || p.batch.id !== r.id) return;
    if (r.error !== undefined || !r.results) p.reject(new X12Error('INTERNAL', `set check failed in a worker: ${r.error ?? 'no results'}`));
    else p.resolve(r.results);
  }

  /** A worker died: fail its batch only, and put a new worker in its place. */
  private lost(slot: Slot, err: unknown): void {
    const p = slot.running;
    slot.running = null;
    p?.reject(new X12Error('INTERNAL', 'a set-check worker stopped', {}, { cause: err }));
    if (this.closed) return;
    const i = this.slots.indexOf(slot);
    if (i >= 0) {
      slot.worker.removeAllListeners();
      void slot.worker.terminate();
      this.slots[i] = this.spawn();
    }
    this.dispatch();
  }
}
