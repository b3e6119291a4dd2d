/**
 * Checks one value's bytes against an element definition: character set, length
 * (for numbers: digits only), type (N/R/DT/TM) and code list. Works on bytes so a
 * valid value costs no string.
 */
import type { Ik403 } from '../codes.js';
import { TypeKind, type CompiledElement } from '../schema/compiled.js';
import { packString } from '../tokenize/segment.js';

/**
 * Faults as bits, so the common case (no fault) allocates nothing; see maskCodes.
 * A repetition or component separator inside a simple value is reported as too many
 * repetitions / components.
 */
export const F_CHAR = 1;
export const F_SHORT = 2;
export const F_LONG = 4;
export const F_CODE = 8;
export const F_DATE = 16;
export const F_TIME = 32;
export const F_REPEAT = 64;
export const F_COMPONENT = 128;

const MASK_CODES: Array<[number, Ik403]> = [
  [F_REPEAT, '12'], [F_COMPONENT, '13'], [F_CHAR, '6'], [F_SHORT, '4'], [F_LONG, '5'], [F_CODE, '7'], [F_DATE, '8'], [F_TIME, '9'],
];

export function maskCodes(mask: number): Ik403[] {
  const out: Ik403[] = [];
  for (const [bit, code] of MASK_CODES) if (mask & bit) out.push(code);
  return out;
}

/** Checks buf[s, e) against def; returns 0 when valid, else F_* bits. */
export function checkValue(def: CompiledElement, buf: Uint8Array, s: number, e: number, component: number, repetition: number, scan: boolean): number {
  switch (def.kind) {
    case TypeKind.Text:
      return checkText(def, buf, s, e, component, repetition, scan);
    case TypeKind.Date:
      return checkDate(def, buf, s, e);
    case TypeKind.Time:
      return checkTime(def, buf, s, e);
    case TypeKind.Decimal:
      return checkNumber(def, buf, s, e, true);
    case TypeKind.Binary:
      return 0;
    default:
      return checkNumber(def, buf, s, e, false);
  }
}

/** `scan` false: the tokenizer saw no special byte in the segment, so skip the character loop. */
function checkText(def: CompiledElement, buf: Uint8Array, s: number, e: number, component: number, repetition: number, scan: boolean): number {
  let mask = 0;
  if (scan) for (let i = s; i < e; i++) {
    const b = buf[i] as number;
    if (b < 0x20 || b > 0x7e) mask |= F_CHAR;
    else if (b === component) mask |= F_COMPONENT;
    else if (b === repetition) mask |= F_REPEAT;
  }
  const len = e - s;
  if (len < def.min) mask |= F_SHORT;
  else if (len > def.max) mask |= F_LONG;
  if (def.codes !== null && !def.codes.hasBytes(buf, s, e)) mask |= F_CODE;
  return mask;
}

function checkNumber(def: CompiledElement, buf: Uint8Array, s: number, e: number, decimal: boolean): number {
  let i = s;
  if (buf[i] === 0x2d) i++; // a minus sign does not count toward length
  let digits = 0;
  let points = 0;
  let mask = 0;
  for (; i < e; i++) {
    const b = buf[i] as number;
    if (b >= 0x30 && b <= 0x39) digits++;
    else if (b === 0x2e && decimal && points === 0) points++;
    else mask = F_CHAR;
  }
  if (digits === 0) mask = F_CHAR;
  if (digits < def.min) mask |= F_SHORT;
  else if (digits > def.max) mask |= F_LONG;
  if (def.codes !== null && !def.codes.hasBytes(buf, s, e)) mask |= F_CODE;
  return mask;
}

/** Two ASCII digits at i as a number, or -1. */
function d2(buf: Uint8Array, i: number): number {
  const a = (buf[i] as number) - 0x30;
  const b = (buf[i + 1] as number) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A date or time written as text (ISA09/ISA10, TA102/TA103), checked as bytes are. */
export function isValidDateText(s: string): boolean {
  return isValidDate(textBytes(s), 0, s.length);
}

export function isValidTimeText(s: string): boolean {
  return isValidTime(textBytes(s), 0, s.length);
}

function textBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}

/** CCYYMMDD or YYMMDD, a real calendar date. */
export function isValidDate(buf: Uint8Array, s: number, e: number): boolean {
  let year: number;
  let o: number;
  if (e - s === 8) {
    const c = d2(buf, s);
    const y = d2(buf, s + 2);
    if (c < 0 || y < 0) return false;
    year = c * 100 + y;
    o = s + 4;
  } else if (e - s === 6) {
    const y = d2(buf, s);
    if (y < 0) return false;
    year = 2000 + y;
    o = s + 2;
  } else return false;
  const month = d2(buf, o);
  const day = d2(buf, o + 2);
  if (month < 1 || month > 12 || day < 1) return false;
  if (day <= (DAYS[month] as number)) return true;
  return month === 2 && day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** HHMM, HHMMSS or HHMMSSd..d. */
export function isValidTime(buf: Uint8Array, s: number, e: number): boolean {
  const len = e - s;
  if (len !== 4 && len !== 6 && len !== 7 && len !== 8) return false;
  const hh = d2(buf, s);
  const mm = d2(buf, s + 2);
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59) return false;
  if (len >= 6) {
    const ss = d2(buf, s + 4);
    if (ss < 0 || ss > 59) return false;
    for (let i = s + 6; i < e; i++) if ((buf[i] as number) < 0x30 || (buf[i] as number) > 0x39) return false;
  }
  return true;
}

function checkDate(def: CompiledElement, buf: Uint8Array, s: number, e: number): number {
  const len = e - s;
  if (len < def.min) return F_SHORT;
  if (len > def.max) return F_LONG;
  return isValidDate(buf, s, e) ? 0 : F_DATE;
}

function checkTime(def: CompiledElement, buf: Uint8Array, s: number, e: number): number {
  const len = e - s;
  if (len < def.min) return F_SHORT;
  if (len > def.max) return F_LONG;
  return isValidTime(buf, s, e) ? 0 : F_TIME;
}

/**
 * DTP/DTM-style pairs: the format qualifier (element 1250) says how the value
 * (element 1251) is written; D8 is a date, RD8 a date range. `format` is packed (packBytes).
 */
const FORMAT_D8 = packString('D8');
const FORMAT_RD8 = packString('RD8');
const FORMAT_DT = packString('DT');

export function checkDateTimePeriod(format: number, buf: Uint8Array, s: number, e: number): boolean {
  switch (format) {
    case FORMAT_D8:
      return e - s === 8 && isValidDate(buf, s, e);
    case FORMAT_RD8:
      return e - s === 17 && buf[s + 8] === 0x2d && isValidDate(buf, s, s + 8) && isValidDate(buf, s + 9, e) &&
        compareBytes(buf, s, s + 9, 8) <= 0;
    case FORMAT_DT:
      return e - s === 12 && isValidDate(buf, s, s + 8) && isValidTime(buf, s + 8, e);
    default:
      return true;
  }
}

function compareBytes(buf: Uint8Array, a: number, b: number, n: number): number {
  for (let i = 0; i < n; i++) {
    const d = (buf[a + i] as number) - (buf[b + i] as number);
    if (d !== 0) return d;
  }
  return 0;
}
