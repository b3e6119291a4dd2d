/**
 * A tiny X12 writer for the acknowledgements we send. It only knows how to turn values
 * into segments; what goes into them is the TA1 / 999 builders' business.
 *
 * Values are data, never syntax: a delimiter inside a value (possible in an IK404 copy
 * of bad data, or a partner ID) would split the segment for the reader, so it becomes a
 * space. Lengths are cut where the caller gives the standard's maximum, so a copy of an
 * over-long received value cannot make our own acknowledgement invalid.
 */

/** The separators we write with, plus what follows each terminator (line break for people). */
export interface Separators {
  element: string;
  component: string;
  repetition: string;
  segment: string;
  /** Written after every segment terminator; "" for one long line. */
  suffix: string;
}

/** Our outbound separators: `*` `:` `^` `~`, one segment per line. */
export const X12_SEPARATORS: Readonly<Separators> = Object.freeze({
  element: '*',
  component: ':',
  repetition: '^',
  segment: '~',
  suffix: '\n',
});

/** A value with the standard's maximum length for its element. */
export interface Capped {
  readonly text: string;
  readonly max: number;
}

/** One simple element or component. `undefined` and '' are both written as empty. */
export type Component = string | number | Capped | undefined;
/** An element: simple, or a composite given as its components. */
export type Element = Component | readonly Component[];

/** Marks a value to be cut to `max` characters. */
export function capped(text: string | undefined, max: number): Capped {
  return { text: text ?? '', max };
}

/**
 * Replaces delimiter characters, control characters (CR/LF included, which readers strip
 * after terminators) and anything outside printable ASCII with a space, so a value can
 * never end an element early and the acknowledgement stays in the X12 character set.
 */
export function escapeValue(text: string, sep: Readonly<Separators> = X12_SEPARATORS): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    const special =
      ch === sep.element || ch === sep.component || ch === sep.repetition || ch === sep.segment || code < 0x20 || code > 0x7e;
    out += special ? ' ' : ch;
  }
  return out;
}

function component(value: Component, sep: Readonly<Separators>): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'string') return escapeValue(value, sep);
  // Escaping keeps the length (one char for one char), so cutting after it is exact.
  return escapeValue(value.text, sep).slice(0, Math.max(0, value.max));
}

function element(value: Element, sep: Readonly<Separators>): string {
  if (!Array.isArray(value)) return component(value as Component, sep);
  const parts = (value as readonly Component[]).map((c) => component(c, sep));
  // Trailing empty components are dropped, like trailing empty elements.
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.join(sep.component);
}

/** One segment with terminator and suffix; trailing empty elements are trimmed. */
export function formatSegment(id: string, elements: readonly Element[], sep: Readonly<Separators> = X12_SEPARATORS): string {
  const parts = elements.map((e) => element(e, sep));
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return [id, ...parts].join(sep.element) + sep.segment + sep.suffix;
}

/**
 * Collects segments and counts them, so SE01 (segments from ST to SE) and the
 * envelope counts come from what was actually written rather than from arithmetic.
 */
export class SegmentWriter {
  private readonly parts: string[] = [];
  private written = 0;

  constructor(readonly separators: Readonly<Separators> = X12_SEPARATORS) {}

  /** Number of segments written so far. */
  get count(): number {
    return this.written;
  }

  add(id: string, ...elements: Element[]): this {
    this.parts.push(formatSegment(id, elements, this.separators));
    this.written += 1;
    return this;
  }

  /** A segment already laid out by the caller (the fixed-width ISA); the terminator is added here. */
  addRaw(text: string): this {
    this.parts.push(text + this.separators.segment + this.separators.suffix);
    this.written += 1;
    return this;
  }

  toString(): string {
    return this.parts.join('');
  }
}
