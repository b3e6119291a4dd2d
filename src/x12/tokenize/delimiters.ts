/** The separators of one interchange, read from its ISA segment (as byte values). */
export interface Delimiters {
  element: number;
  component: number;
  /** ISA11 in 00501 and later; -1 where the version has none (00401 puts "U" there). */
  repetition: number;
  segment: number;
}

export const CR = 0x0d;
export const LF = 0x0a;

/** Rendering for messages and for the acknowledgements we write back. */
export function describeByte(b: number): string {
  if (b === CR) return 'CR';
  if (b === LF) return 'LF';
  if (b < 0x20 || b > 0x7e) return `0x${b.toString(16).padStart(2, '0')}`;
  return String.fromCharCode(b);
}
