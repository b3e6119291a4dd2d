/**
 * What of a received value a 999 can copy back (AK1: GS01, GS06, GS08; AK2: ST01, ST02,
 * ST03) and still be valid where it stands. The envelope validator decides with these
 * whether a group or set can be named in a 999 at all; the 999 builder writes them.
 */

/** AK101 (element 479) codes that 005010X231A1 admits. */
export const AK101_CODES: ReadonlySet<string> = new Set(['BE', 'HB', 'HC', 'HI', 'HN', 'HP', 'HR', 'HS', 'RA']);
/** AK201 (element 143) codes that 005010X231A1 admits. */
export const AK201_CODES: ReadonlySet<string> = new Set(['270', '271', '276', '277', '278', '820', '834', '835', '837']);

/** The delimiters our acknowledgements are written with (src/ack/writer.ts X12_SEPARATORS). */
const OUR_DELIMITERS = '*:^~';

/**
 * The received value with every delimiter byte (the received interchange's and ours) and
 * every byte outside printable ASCII left out, and trailing spaces trimmed: a GS08 read as
 * `005010` and a component separator is echoed `005010`, never `005010 `.
 */
export function echoValue(value: string, received = ''): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    const code = value.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || OUR_DELIMITERS.includes(ch) || received.includes(ch)) continue;
    out += ch;
  }
  return out.replace(/ +$/, '');
}

/**
 * AK202 (element 329, AN 4/9) for a received ST02. A value too short to stand there is
 * left-padded with zeros to four characters (`1` → `0001`), as translators compare control
 * numbers; one too long is cut to nine. The set's IK5 still says 7 when ST02 was invalid.
 */
export function echoSetControl(value: string, received = ''): string {
  return echoValue(value, received).slice(0, 9).padStart(4, '0');
}

/**
 * Whether a GS can be named in an AK1: GS01 one of `admitted` (the codes AK101 admits),
 * GS06 N0 1/9, GS08 AN 1/12.
 */
export function groupEchoable(functionalId: string, control: string, version: string, received = '', admitted: ReadonlySet<string> = AK101_CODES): boolean {
  const v = echoValue(version, received);
  return admitted.has(echoValue(functionalId, received)) && /^\d{1,9}$/.test(control) && v.length >= 1 && v.length <= 12;
}

/** Whether a set can be named in an AK2: ST01 a code AK201 admits (ST02 and ST03 always can be). */
export function setEchoable(id: string, received = ''): boolean {
  return AK201_CODES.has(echoValue(id, received));
}
