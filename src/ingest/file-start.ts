/** How a file the ingest cannot take starts (no readable ISA), in the words of the reports. */
import { FILE_START_BYTES, describeFileStart, type FileStart } from '../report/file-start.js';
import type { FileSource } from './source.js';

export async function describeSourceStart(source: FileSource, size: number): Promise<FileStart> {
  const head: Buffer[] = [];
  let n = 0;
  for await (const chunk of source.open(FILE_START_BYTES)) {
    head.push(chunk);
    n += chunk.length;
    if (n >= FILE_START_BYTES) break;
  }
  return describeFileStart(Buffer.concat(head).subarray(0, FILE_START_BYTES), size);
}
