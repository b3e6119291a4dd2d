/**
 * A file's content as a pull stream of items: a push-style reader (tokenizer and set reader)
 * turns each chunk into items, and the next chunk is read only when the items of the last one
 * are used up, so a handler that awaits the database between items holds back reading and
 * memory stays flat whatever the file's size. Used by the 834 and 820 handlers.
 */
import type { FileSource } from './source.js';

/** What turns chunks into items. */
export interface ChunkReader {
  push(chunk: Uint8Array): void;
  end(): void;
}

export class ItemPump<T extends { type: string }> {
  private items: T[] = [];
  private index = 0;
  private done = false;
  private readonly chunks: AsyncIterator<Buffer>;
  private readonly reader: ChunkReader;
  /** Bytes read so far. */
  bytes = 0;

  constructor(source: FileSource, reader: (emit: (item: T) => void) => ChunkReader, chunkBytes: number) {
    this.chunks = source.open(chunkBytes)[Symbol.asyncIterator]();
    this.reader = reader((item) => this.items.push(item));
  }

  /** The next item of the chunks read so far; undefined when they are used up (then `read`). */
  nextRead(): T | undefined {
    return this.index < this.items.length ? this.items[this.index++] : undefined;
  }

  /** Reads the next chunk into items (once the last ones are used up); false at the end of the file. */
  async read(): Promise<boolean> {
    if (this.done) return false;
    this.items = [];
    this.index = 0;
    const r = await this.chunks.next();
    if (r.done) {
      this.reader.end();
      this.done = true;
    } else {
      this.bytes += r.value.length;
      this.reader.push(r.value);
    }
    return true;
  }

  async next(): Promise<T | undefined> {
    for (;;) {
      const item = this.nextRead();
      if (item !== undefined || !(await this.read())) return item;
    }
  }

  /** Skips to the item of type `endType` (a set not to apply), inclusive. */
  async skipTo(endType: T['type']): Promise<void> {
    for (let it = await this.next(); it && it.type !== endType; it = await this.next()) {
      // skipped
    }
  }
}
