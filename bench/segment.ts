/**
 * Build one segment from its tag and elements, dropping trailing empty elements
 * (X12 forbids trailing separators; empty elements in the middle stay positional).
 */
export function segment(tag: string, ...elements: string[]): string {
  let end = elements.length;
  while (end > 0 && elements[end - 1] === '') end--;
  let out = tag;
  for (let i = 0; i < end; i++) out += '*' + (elements[i] ?? '');
  return out;
}

/** Integer cents as an X12 R (decimal) value: 12345 → "123.45". */
export function money(cents: number): string {
  const whole = Math.floor(cents / 100);
  const frac = cents % 100;
  return `${whole}.${frac < 10 ? '0' : ''}${frac}`;
}
