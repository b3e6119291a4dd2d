/**
 * Buffered segment writer: segments are appended to a string and flushed to disk
 * in ~1 MiB chunks, so generating a multi-hundred-MB file keeps memory flat.
 * Writes go to a temporary name and are renamed on close, so an interrupted run
 * never leaves a file the bench cache would mistake for a finished one.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';

const FLUSH_AT = 1 << 20;

export class SegmentWriter {
  private buf = '';
  private written = 0;
  /** Segments written since the last `resetCount()` (ST..SE counting). */
  setCount = 0;
  /** Segments written in total. */
  totalCount = 0;

  private constructor(
    private readonly handle: FileHandle,
    private readonly tmpPath: string,
    private readonly finalPath: string,
    private readonly terminator: string,
  ) {}

  static async create(path: string, terminator = '~\n'): Promise<SegmentWriter> {
    const tmpPath = `${path}.tmp-${process.pid}`;
    const handle = await open(tmpPath, 'w');
    return new SegmentWriter(handle, tmpPath, path, terminator);
  }

  /** Append one segment (without its terminator). Synchronous: call `drain()` now and then. */
  seg(text: string): void {
    this.buf += text + this.terminator;
    this.setCount++;
    this.totalCount++;
  }

  /** Write the buffer out once it has grown past the chunk size (one await per loop, not per segment). */
  async drain(): Promise<void> {
    if (this.buf.length >= FLUSH_AT) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    // X12 content here is ASCII, so latin1 is an exact and cheaper encoding than utf8.
    const chunk = Buffer.from(this.buf, 'latin1');
    this.buf = '';
    await this.handle.write(chunk);
    this.written += chunk.length;
  }

  /** Flush, close and move into place; returns the file size in bytes. */
  async close(): Promise<number> {
    await this.flush();
    await this.handle.close();
    await rename(this.tmpPath, this.finalPath);
    return this.written;
  }

  /** Close and delete the partial file (generation failed). */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.tmpPath, { force: true });
  }
}
