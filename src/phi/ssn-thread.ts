/**
 * A batch's SSN work on a worker thread: the blind indexes (HMAC) of every SSN it names and
 * the sealed SSNs of the members it adds, computed while the main thread applies the batch
 * before. The worker holds its own PhiProtector over the same key, so its answers are
 * byte for byte those of the main thread's (see ssn-worker.ts). Answers come back in two
 * transferred buffers, one message per batch; nothing here is ever logged.
 */
import { Worker } from 'node:worker_threads';
import { EdiBridgeError } from '../core/errors.js';

export interface SsnWork {
  /** SSNs to index, in order. */
  index: readonly string[];
  /** SSNs to seal, in order. */
  seal: readonly string[];
}

export interface SsnWorkResult {
  /** One 32-byte index per `index` entry. */
  indexes: Buffer[];
  /** One sealed SSN per `seal` entry. */
  sealed: Buffer[];
}

/** What crosses the thread boundary, each way. */
export interface SsnRequest extends SsnWork {
  id: number;
}

export interface SsnReply {
  id: number;
  indexes?: ArrayBuffer;
  sealed?: ArrayBuffer;
  /** End offset in `sealed` of each sealed SSN. */
  sealedEnds?: Uint32Array;
  error?: string;
}

export const SSN_INDEX_BYTES = 32;

interface Pending {
  id: number;
  resolve: (r: SsnWorkResult) => void;
  reject: (e: unknown) => void;
}

export class SsnThread {
  private readonly worker: Worker;
  /** Requests in the order sent; the worker answers in that order. */
  private readonly pending: Pending[] = [];
  private nextId = 0;
  private failure: EdiBridgeError | undefined;
  private closed = false;

  constructor(masterKey: Uint8Array) {
    this.worker = new Worker(new URL('./ssn-worker.js', import.meta.url), {
      workerData: { key: masterKey },
      // It keeps nothing between batches: a small heap keeps its memory small.
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 },
    });
    // Only outstanding work keeps the process alive (ref'd while a request waits).
    this.worker.unref();
    this.worker.on('message', (r: SsnReply) => this.answer(r));
    this.worker.on('error', (err) => this.fail(new EdiBridgeError('INTERNAL', 'the SSN thread failed', {}, { cause: err })));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new EdiBridgeError('INTERNAL', `the SSN thread exited (code ${code})`, {}));
    });
  }

  run(work: SsnWork): Promise<SsnWorkResult> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new EdiBridgeError('INTERNAL', 'the SSN thread is closed', {}));
    if (work.index.length === 0 && work.seal.length === 0) return Promise.resolve({ indexes: [], sealed: [] });
    return new Promise((resolve, reject) => {
      const id = ++this.nextId;
      if (this.pending.length === 0) this.worker.ref();
      this.pending.push({ id, resolve, reject });
      const request: SsnRequest = { id, index: work.index, seal: work.seal };
      this.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new EdiBridgeError('INTERNAL', 'the SSN thread was closed before its work was done', {}));
    await this.worker.terminate();
  }

  private answer(r: SsnReply): void {
    const p = this.pending.shift();
    if (this.pending.length === 0) this.worker.unref();
    if (!p) return;
    if (p.id !== r.id || r.error !== undefined || !r.indexes || !r.sealed || !r.sealedEnds) {
      p.reject(new EdiBridgeError('INTERNAL', `the SSN thread could not do its work${r.error ? `: ${r.error}` : ''}`, {}));
      return;
    }
    const indexes: Buffer[] = [];
    for (let at = 0; at < r.indexes.byteLength; at += SSN_INDEX_BYTES) indexes.push(Buffer.from(r.indexes, at, SSN_INDEX_BYTES));
    const sealed: Buffer[] = [];
    let from = 0;
    for (const end of r.sealedEnds) {
      sealed.push(Buffer.from(r.sealed, from, end - from));
      from = end;
    }
    p.resolve({ indexes, sealed });
  }

  /** Fails every request waiting, and every later one. */
  private fail(err: EdiBridgeError): void {
    this.failure ??= err;
    for (const p of this.pending.splice(0)) p.reject(err);
    this.worker.unref();
  }
}
