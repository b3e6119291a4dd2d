/**
 * CSV for spreadsheets (RFC 4180), safe to open: a cell that a spreadsheet would read as a
 * formula (starting with =, +, -, @, tab or carriage return) is prefixed with an apostrophe,
 * which shows it as text; plain numbers such as -13.49 are left as they are. A cell holding
 * a comma, quote or line break is quoted.
 */
const NUMBER = /^[+-]?\d+(\.\d+)?$/;

export function csvCell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s) && !NUMBER.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(cells: ReadonlyArray<string | number | null | undefined>): string {
  return cells.map(csvCell).join(',');
}
