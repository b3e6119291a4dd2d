/**
 * The outbound interchange (ISA/IEA) and functional group (GS/GE) around our
 * acknowledgements. We answer as the receiver of the interchange we acknowledge, so the
 * sender and receiver IDs swap places.
 *
 * The clock and the control-number allocator come from the caller: tests fix them, and
 * production keeps control numbers unique per partner (in the database, not in memory).
 */
import { ID_QUALIFIERS } from '../x12/envelope/isa.js';
import type { InterchangeResult } from '../x12/report.js';
import { SegmentWriter, X12_SEPARATORS, escapeValue, type Separators } from './writer.js';

export interface AckContext {
  now: () => Date;
  /**
   * Our interchange ID, used where the received ISA07/08 cannot be echoed (blank,
   * invalid qualifier, bytes outside the character set). Defaults to ZZ/EDIBRIDGE.
   */
  ourId?: { qualifier: string; id: string };
  /**
   * The partner's interchange ID, used where the received ISA05/06 cannot be echoed (a file
   * from a partner's own mailbox whose ISA is unreadable). Defaults to ZZ/UNKNOWN.
   */
  theirId?: { qualifier: string; id: string };
  /** Next interchange / group control number, 1 … 999 999 999. */
  nextControlNumber: () => number;
  /** Written after each segment terminator; "\n" by default. */
  suffix?: string;
}

const MAX_CONTROL = 999_999_999;

/**
 * An in-memory allocator: fine for tests and one-off CLI runs. It forgets on restart, so a
 * long-running service must allocate from storage instead.
 */
export function memoryControlNumbers(start = 1): () => number {
  let next = Math.min(Math.max(1, Math.trunc(start)), MAX_CONTROL);
  return () => {
    const n = next;
    next = n >= MAX_CONTROL ? 1 : n + 1; // wrap: ISA13 has nine digits
    return n;
  };
}

/** System clock and an in-memory allocator. */
export function defaultAckContext(): AckContext {
  return { now: () => new Date(), nextControlNumber: memoryControlNumbers() };
}

/** One outbound interchange while it is being written. */
export interface OutboundInterchange {
  readonly writer: SegmentWriter;
  readonly control: number;
  /** One instant for the whole interchange, so ISA and GS dates agree. */
  readonly at: Date;
  readonly ctx: AckContext;
  /** Our ID and the partner's as written in the ISA (GS fallbacks). */
  readonly us: string;
  readonly them: string;
  groups: number;
}

/** One outbound functional group while it is being written. */
export interface OutboundGroup {
  readonly control: number;
  sets: number;
}

function takeControlNumber(ctx: AckContext): number {
  const n = ctx.nextControlNumber();
  if (!Number.isInteger(n) || n < 1 || n > MAX_CONTROL) {
    throw new RangeError(`control number allocator returned ${String(n)}; expected an integer 1..${MAX_CONTROL}`);
  }
  return n;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

// Dates are written in UTC so an acknowledgement does not depend on the host's time zone.
export function yymmdd(d: Date): string {
  return two(d.getUTCFullYear() % 100) + two(d.getUTCMonth() + 1) + two(d.getUTCDate());
}

export function ccyymmdd(d: Date): string {
  return String(d.getUTCFullYear()).padStart(4, '0') + two(d.getUTCMonth() + 1) + two(d.getUTCDate());
}

export function hhmm(d: Date): string {
  return two(d.getUTCHours()) + two(d.getUTCMinutes());
}

/** ISA fields are fixed width: escape, cut, then pad with spaces. */
function fixed(value: string, width: number, sep: Readonly<Separators>): string {
  return escapeValue(value.trim(), sep).slice(0, width).padEnd(width, ' ');
}

function separatorsFor(ctx: AckContext): Separators {
  return { ...X12_SEPARATORS, suffix: ctx.suffix ?? X12_SEPARATORS.suffix };
}

/** Usable as sent: printable, not blank, fits, and none of our own delimiters in it. */
const echoable = (id: string, max: number): boolean => /^[ -~]+$/.test(id) && !/[*:^~]/.test(id) && id.trim() !== '' && id.length <= max;

/** A party's ISA qualifier and ID as received when usable, else the fallback. */
function party(qualifier: string, id: string, fallback: { qualifier: string; id: string }): { qualifier: string; id: string } {
  return ID_QUALIFIERS.has(qualifier) && echoable(id, 15) ? { qualifier, id } : fallback;
}

/** Writes our ISA in answer to `received` and returns the open interchange. */
export function openInterchange(received: InterchangeResult, ctx: AckContext): OutboundInterchange {
  const sep = separatorsFor(ctx);
  const writer = new SegmentWriter(sep);
  const control = takeControlNumber(ctx);
  const at = ctx.now();
  // Echo the partner's usage so test traffic stays test traffic; an unreadable ISA15 gets P,
  // the value their production system listens on.
  const usage = received.usage === 'T' ? 'T' : 'P';
  // We answer as the receiver; where the received IDs are unusable, say who we are and
  // that the partner could not be read rather than echo an invalid header.
  const ours = ctx.ourId ?? { qualifier: 'ZZ', id: 'EDIBRIDGE' };
  // An interchange addressed to someone else (TA105 009) is answered from our own ID.
  const misaddressed = received.note === '009' || received.otherNotes.includes('009');
  const us = misaddressed ? ours : party(received.receiverQualifier, received.receiver, ours);
  const them = party(received.senderQualifier, received.sender, ctx.theirId ?? { qualifier: 'ZZ', id: 'UNKNOWN' });
  const isa = [
    'ISA',
    '00',
    ' '.repeat(10),
    '00',
    ' '.repeat(10),
    fixed(us.qualifier, 2, sep),
    fixed(us.id, 15, sep),
    fixed(them.qualifier, 2, sep),
    fixed(them.id, 15, sep),
    yymmdd(at),
    hhmm(at),
    sep.repetition, // ISA11 is the repetition separator itself, written raw
    '00501',
    String(control).padStart(9, '0'),
    '0', // we never ask for a TA1 on an acknowledgement
    usage,
    sep.component, // ISA16, written raw
  ].join(sep.element);
  writer.addRaw(isa);
  return { writer, control, at, ctx, groups: 0, us: us.id.trim(), them: them.id.trim() };
}

/** Writes IEA (count of groups, our ISA13) and returns the whole interchange text. */
export function closeInterchange(ix: OutboundInterchange): string {
  ix.writer.add('IEA', ix.groups, String(ix.control).padStart(9, '0'));
  return ix.writer.toString();
}

/** Writes GS; `sender`/`receiver` are ours to give (already swapped by the caller). */
export function openGroup(
  ix: OutboundInterchange,
  functionalId: string,
  sender: string,
  receiver: string,
  version: string,
): OutboundGroup {
  const control = takeControlNumber(ix.ctx);
  // GS02/GS03 fall back to the interchange IDs where the received group left them unusable.
  ix.writer.add(
    'GS',
    functionalId,
    { text: echoable(sender, 15) ? sender : ix.us, max: 15 },
    { text: echoable(receiver, 15) ? receiver : ix.them, max: 15 },
    ccyymmdd(ix.at),
    hhmm(ix.at),
    control,
    'X',
    version,
  );
  ix.groups += 1;
  return { control, sets: 0 };
}

/** Writes GE (count of sets, our GS06). */
export function closeGroup(ix: OutboundInterchange, group: OutboundGroup): void {
  ix.writer.add('GE', group.sets, group.control);
}
