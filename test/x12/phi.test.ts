/**
 * PHI stays out of what edibridge prints: the bytes of a mangled segment (a name, an
 * SSN, an address) must not reach the text or JSON report as a "segment ID" or message.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toJsonReport } from '../../src/report/json.js';
import { formatReport } from '../../src/report/text.js';
import { validateBytes } from '../../src/x12/validate.js';

const sample = readFileSync(join(import.meta.dirname, '../../samples/enrollment-834.x12'), 'latin1');

function reports(text: string): string {
  const report = validateBytes(Buffer.from(text, 'latin1'));
  return `${formatReport(report)}\n${JSON.stringify(toJsonReport(report))}`;
}

describe('no PHI in reports', () => {
  it('does not show a segment whose separators were lost (its whole text would be the "ID")', () => {
    const mangled = sample.replace('NM1*IL*1*SAMPLE*ALEX*Q***34*900000001~', 'NM1 IL 1 SAMPLE ALEX Q   34 900000001~')
      .replace('N3*100 EXAMPLE STREET~', 'N3 100 EXAMPLE STREET~');
    const out = reports(mangled);
    expect(out).toMatch(/Unrecognized segment ID/);
    for (const phi of ['SAMPLE', 'ALEX', '900000001', 'EXAMPLE STREET', '19850214']) expect(out).not.toContain(phi);
  });

  it('does not show the first bytes of a line outside any set', () => {
    const stray = sample.replace('GE*1*4711~', '123456789 DOE JANE~GE*1*4711~');
    const out = reports(stray);
    expect(out).toMatch(/outside any transaction set/);
    expect(out).not.toMatch(/123|DOE|JANE/);
  });

  it('keeps bad element values out, reporting their length only', () => {
    const bad = sample.replace('DMG*D8*19850214*F~', 'DMG*D8*19851314*F~');
    const out = reports(bad);
    expect(out).toMatch(/Invalid date/);
    expect(out).not.toContain('19851314');
  });
});
