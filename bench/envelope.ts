/**
 * Interchange and functional-group envelopes shared by the 834 and 820 generators.
 * The ISA is fixed-width (106 bytes with its terminator), so fields are padded here.
 */

export interface EnvelopeParams {
  sender: string;
  receiver: string;
  /** CCYYMMDD */
  date: string;
  /** HHMM */
  time: string;
  control: number;
  /** GS01 functional identifier: BE (834), RA (820). */
  functionalId: string;
  /** GS08, e.g. 005010X220A1 */
  version: string;
}

/** The generated files' fixed date and time (CCYYMMDD, HHMM): same bytes every run. */
export const FILE_DATE = '20260101';
export const FILE_TIME = '1200';

/** The envelope of a generated file of the given kind. */
export function benchEnvelope(seed: number, functionalId: string, version: string): EnvelopeParams {
  return {
    sender: 'FAKESPONSOR',
    receiver: 'EXAMPLEPLAN',
    date: FILE_DATE,
    time: FILE_TIME,
    control: 1 + (seed % 999_999),
    functionalId,
    version,
  };
}

const pad = (s: string, n: number): string => s.padEnd(n, ' ').slice(0, n);

export function isa(p: EnvelopeParams): string {
  return [
    'ISA', '00', pad('', 10), '00', pad('', 10),
    'ZZ', pad(p.sender, 15), 'ZZ', pad(p.receiver, 15),
    p.date.slice(2), p.time, '^', '00501',
    String(p.control).padStart(9, '0'), '0', 'T', ':',
  ].join('*');
}

export function gs(p: EnvelopeParams): string {
  return `GS*${p.functionalId}*${p.sender}*${p.receiver}*${p.date}*${p.time}*${p.control}*X*${p.version}`;
}

export function ge(p: EnvelopeParams, sets: number): string {
  return `GE*${sets}*${p.control}`;
}

export function iea(p: EnvelopeParams): string {
  return `IEA*1*${String(p.control).padStart(9, '0')}`;
}

/** ST02: 4–9 digit control number, unique within the group. */
export const stControl = (setNo: number): string => String(setNo).padStart(4, '0');

/** Split `total` items into sets of at most `setSize`, at least one set. */
export function setSizes(total: number, setSize: number): number[] {
  const size = Math.max(1, Math.floor(setSize));
  const out: number[] = [];
  for (let left = total; left > 0; left -= size) out.push(Math.min(size, left));
  return out.length > 0 ? out : [0];
}
