/**
 * Checks one value's bytes against an element definition: character set, length
 * (for numbers: digits only), type (N/R/DT/TM) and code list. Works on bytes so a
 * valid value costs no string.
 */
import type { Ik403 } from '../codes.js';
import type { CompiledElement } from '../schema/compiled.js';

/** X12 basic and extended character sets: printable ASCII. */
const isPrintable = (b: number): boolean => b >= 0x20 && b <= 0x7e;
const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;

/** Appends the codes of every fault in buf[s, e) to `out` (usually none). */
export function checkValue(def: CompiledElement, buf: Uint8Array, s: number, e: number, component: number, out: Ik403[]): void {
  switch (def.type) {
    case 'AN':
    case 'ID':
      return checkText(def, buf, s, e, component, out);
    case 'DT':
      return checkDate(def, buf, s, e, out);
    case 'TM':
      return checkTime(def, buf, s, e, out);
    case 'R':
      return checkNumber(def, buf, s, e, true, out);
    case 'B':
      return;
    default:
      return checkNumber(def, buf, s, e, false, out);
  }
}

function checkText(def: CompiledElement, buf: Uint8Array, s: number, e: number, component: number, out: Ik403[]): void {
  let bad = false;
  for (let i = s; i < e; i++) {
    const b = buf[i] as number;
    if (!isPrintable(b) || b === component) {
      bad = true;
      break;
    }
  }
  if (bad) out.push('6');
  const len = e - s;
  if (len < def.min) out.push('4');
  else if (len > def.max) out.push('5');
  if (def.codes && !def.codes.hasBytes(buf, s, e)) out.push('7');
}

function checkNumber(def: CompiledElement, buf: Uint8Array, s: number, e: number, decimal: boolean, out: Ik403[]): void {
  let i = s;
  if (buf[i] === 0x2d) i++; // minus sign does not count toward length
  let digits = 0;
  let points = 0;
  let bad = i >= e;
  for (; i < e; i++) {
    const b = buf[i] as number;
    if (isDigit(b)) digits++;
    else if (b === 0x2e && decimal && points === 0) points++;
    else bad = true;
  }
  if (bad || digits === 0) out.push('6');
  if (digits < def.min) out.push('4');
  else if (digits > def.max) out.push('5');
  if (def.codes && !def.codes.hasBytes(buf, s, e)) out.push('7');
}

function digitsAt(buf: Uint8Array, s: number, n: number): number {
  let v = 0;
  for (let i = s; i < s + n; i++) {
    const b = buf[i] as number;
    if (!isDigit(b)) return -1;
    v = v * 10 + (b - 0x30);
  }
  return v;
}

export function isValidDate(buf: Uint8Array, s: number, e: number): boolean {
  const len = e - s;
  if (len !== 8 && len !== 6) return false;
  const year = len === 8 ? digitsAt(buf, s, 4) : 2000 + digitsAt(buf, s, 2);
  const off = len === 8 ? s + 4 : s + 2;
  const month = digitsAt(buf, off, 2);
  const day = digitsAt(buf, off + 2, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
  return day <= days;
}

export function isValidTime(buf: Uint8Array, s: number, e: number): boolean {
  const len = e - s;
  if (len !== 4 && len !== 6 && len !== 7 && len !== 8) return false;
  const hh = digitsAt(buf, s, 2);
  const mm = digitsAt(buf, s + 2, 2);
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59) return false;
  if (len >= 6) {
    const ss = digitsAt(buf, s + 4, 2);
    if (ss < 0 || ss > 59) return false;
    if (len > 6 && digitsAt(buf, s + 6, len - 6) < 0) return false;
  }
  return true;
}

function checkDate(def: CompiledElement, buf: Uint8Array, s: number, e: number, out: Ik403[]): void {
  const len = e - s;
  if (len < def.min) out.push('4');
  else if (len > def.max) out.push('5');
  else if (!isValidDate(buf, s, e)) out.push('8');
}

function checkTime(def: CompiledElement, buf: Uint8Array, s: number, e: number, out: Ik403[]): void {
  const len = e - s;
  if (len < def.min) out.push('4');
  else if (len > def.max) out.push('5');
  else if (!isValidTime(buf, s, e)) out.push('9');
}

/**
 * DTP/DTM-style pairs: the format qualifier (element 1250) says how the value
 * (element 1251) is written; D8 is a date, RD8 a date range.
 */
export function checkDateTimePeriod(format: string, buf: Uint8Array, s: number, e: number): boolean {
  switch (format) {
    case 'D8':
      return e - s === 8 && isValidDate(buf, s, e);
    case 'RD8':
      return e - s === 17 && buf[s + 8] === 0x2d && isValidDate(buf, s, s + 8) && isValidDate(buf, s + 9, e) &&
        compareBytes(buf, s, s + 9, 8) <= 0;
    case 'DT':
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
