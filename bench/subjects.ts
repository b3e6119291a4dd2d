/**
 * The things being measured. Each runs inside its own child process (see child.ts)
 * and returns the number of segments it saw, so the table can show that every
 * subject really read the whole file.
 */
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import type { Readable, Transform } from 'node:stream';
import { validateFile } from '../src/x12/validate.js';

export const SUBJECT_NAMES = ['floor', 'x12-parser', 'node-x12', 'edibridge-1-thread', 'edibridge'] as const;
export type SubjectName = (typeof SUBJECT_NAMES)[number];

export interface SubjectOutput {
  segments: number;
  /** Only the validator has an opinion on acceptance. */
  accepted?: boolean;
}

/** Prepared subject: setup (imports) happens before the clock starts; `run` is timed. */
export type Prepared = (path: string) => Promise<SubjectOutput>;

/** Thrown when a subject cannot be loaded at all (reported as "not available"). */
export class NotAvailable extends Error {}

/** One read-chunk size (the fs default, as the peers' READMEs use) for every streaming subject. */
export const READ_CHUNK = 64 * 1024;

const read = (path: string): Readable => createReadStream(path, { highWaterMark: READ_CHUNK });

/** Count segments of a Transform that emits one object per segment, filtering by a predicate. */
async function countObjects(path: string, parser: Transform, keep: (o: unknown) => boolean): Promise<number> {
  let n = 0;
  const source = read(path);
  const failed = new Promise<never>((_, reject) => {
    source.once('error', reject);
    parser.once('error', reject);
  });
  parser.on('data', (o: unknown) => {
    if (keep(o)) n++;
  });
  source.pipe(parser);
  await Promise.race([once(parser, 'end'), failed]);
  return n;
}

/**
 * floor: the cheapest possible pass over the bytes. The segment terminator is the
 * byte after ISA16 (offset 105), as the ISA defines it; nothing else is assumed.
 */
async function prepareFloor(): Promise<Prepared> {
  return async (path) => {
    let terminator = -1;
    let n = 0;
    for await (const chunk of read(path) as AsyncIterable<Buffer>) {
      if (terminator < 0) {
        const t = chunk[105];
        if (t === undefined) throw new Error('file shorter than an ISA segment');
        terminator = t;
      }
      for (let i = chunk.indexOf(terminator); i !== -1; i = chunk.indexOf(terminator, i + 1)) n++;
    }
    return { segments: n };
  };
}

/**
 * x12-parser: a Transform stream emitting `{ name, '1': ..., '2': ... }` per segment.
 * Its flush turns the trailing newline after the last `~` into a nameless segment,
 * so empty names are not counted.
 */
async function prepareX12Parser(): Promise<Prepared> {
  const { X12parser } = await import('x12-parser');
  return async (path) => ({ segments: await countObjects(path, new X12parser(), (o) => (o as { name?: string }).name !== '') });
}

/**
 * node-x12: X12Parser is also a Transform stream emitting X12Segment objects. Non-strict
 * mode, because its stream path re-checks the ISA length on every chunk (strict throws,
 * non-strict logs a bogus diagnostic per chunk). Known defect (1.7.1): when a chunk ends
 * exactly on a terminator it prepends the previous chunk's tail again, so a few segments
 * come out garbled; the count stays right, so this only measures its speed.
 */
async function prepareNodeX12(): Promise<Prepared> {
  const { X12Parser } = await import('node-x12');
  return async (path) => ({ segments: await countObjects(path, new X12Parser(false), () => true) });
}

/**
 * edibridge validate: with the default threads (sets checked in parallel on a machine
 * with more than one core), and on one thread, so the gain and its cost in memory show.
 */
function prepareEdibridge(threads: number | undefined): Promise<Prepared> {
  return Promise.resolve(async (path: string) => {
    const r = await validateFile(path, threads === undefined ? {} : { threads });
    return { segments: r.segments, accepted: r.accepted };
  });
}

export function prepare(name: SubjectName): Promise<Prepared> {
  switch (name) {
    case 'floor':
      return prepareFloor();
    case 'x12-parser':
      return prepareX12Parser();
    case 'node-x12':
      return prepareNodeX12();
    case 'edibridge':
      return prepareEdibridge(undefined);
    case 'edibridge-1-thread':
      return prepareEdibridge(1);
  }
}

export function isSubjectName(s: string): s is SubjectName {
  return (SUBJECT_NAMES as readonly string[]).includes(s);
}
