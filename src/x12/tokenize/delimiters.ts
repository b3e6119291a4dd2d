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
