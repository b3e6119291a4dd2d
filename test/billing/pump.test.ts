/**
 * Reading 820 sets for cash application: amounts to the cent without floats, the payment
 * header, each RMR with the member references of its loop and its own period, ADX under an
 * RMR kept out of the totals and a 2000-level ADX counted, the same items whatever the chunk
 * boundaries.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/ingest/source.js';
import { RemittanceFileReader, readSetTotals, remittanceItems, toCents, type RemittanceItem } from '../../src/remittance/pump.js';
import { SAMPLES } from '../support/sample-db.js';
import { build820 } from './build820.js';

function items(bytes: Buffer, chunk: number): RemittanceItem[] {
  const out: RemittanceItem[] = [];
  const reader = new RemittanceFileReader((i) => out.push(i));
  for (let at = 0; at < bytes.length; at += chunk) reader.push(bytes.subarray(at, at + chunk));
  reader.end();
  return out;
}

describe('820 reading', () => {
  it('reads amounts as exact cents', () => {
    expect([toCents('1450.75'), toCents('-12.5'), toCents('100'), toCents('.07'), toCents('0'), toCents('-0.01')]).toEqual([145075, -1250, 10000, 7, 0, -1]);
    expect([toCents('1.234'), toCents('12a'), toCents(''), toCents('-'), toCents('1e3')]).toEqual([null, null, null, null, null]);
    // 0.1 + 0.2 in floats is not 0.3; in cents it is.
    expect((toCents('0.1') ?? 0) + (toCents('0.2') ?? 0)).toBe(toCents('0.3'));
  });

  it('reads the sample payment: header, lines with member references, ADX under an RMR not in the totals', () => {
    const got = items(readFileSync(join(SAMPLES, 'premium-820.x12')), 1 << 16);
    const header = got.find((i) => i.type === 'header');
    expect(header).toMatchObject({ header: { handling: 'C', amountCents: 268440, method: 'ACH', trace: 'ACH20261105001', originator: '1234567890', groupNumber: 'GRP10045', periodStart: '2026-12-01', periodEnd: '2026-12-31', effectiveDate: '2026-11-05' } });
    const lines = got.flatMap((i) => (i.type === 'line' ? [i.line] : []));
    expect(lines).toEqual([
      { loop: 'individual', position: 10, qualifier: 'IK', reference: 'INV-202612-000001', paidCents: 160836, payerBilledCents: null, memberRefs: ['900000001'], periodStart: '2026-12-01' },
      { loop: 'individual', position: 14, qualifier: 'IK', reference: 'INV-202612-000001', paidCents: 107604, payerBilledCents: 108953, memberRefs: ['900000003'], periodStart: '2026-12-01' },
    ]);
    expect(got.at(-1)).toEqual({ type: 'set-end', totals: { lines: 2, paidCents: 268440, loopAdjustmentCents: 0 } });
  });

  it('counts a 2000-level ADX, and gives the same items for any chunk size', async () => {
    const text = Buffer.from(build820([
      { trace: 'T1', loops: [{ kind: 'organization', adx: ['-50', '52'], rmr: [{ reference: 'INV-202612-000001', paid: '10.25' }] }] },
      { trace: 'T2', loops: [{ kind: 'individual', member: 'S1', rmr: [{ qualifier: 'AZ', reference: 'GRP10045', paid: '7' }] }] },
    ]));
    const whole = items(text, text.length);
    expect(whole.filter((i) => i.type === 'loop-adjustment')).toEqual([{ type: 'loop-adjustment', adjustment: expect.objectContaining({ amountCents: -5000, reason: '52', qualifier: null }) }]);
    expect(whole.filter((i) => i.type === 'set-end').map((i) => (i as { totals: unknown }).totals)).toEqual([
      { lines: 1, paidCents: 1025, loopAdjustmentCents: -5000 },
      { lines: 1, paidCents: 700, loopAdjustmentCents: 0 },
    ]);
    for (const chunk of [1, 7, 64]) expect(items(text, chunk)).toEqual(whole);
    // The pump and the totals pass read the same.
    const source = bytesSource('t.x12', text);
    const pumped: RemittanceItem[] = [];
    const pump = remittanceItems(source);
    for (let i = await pump.next(); i; i = await pump.next()) pumped.push(i);
    expect(pumped).toEqual(whole);
    const offsets = whole.flatMap((i) => (i.type === 'set-start' ? [i.place.fileOffset] : []));
    expect([...(await readSetTotals(source, new Set([offsets[1]!]))).values()]).toEqual([{ lines: 1, paidCents: 700, loopAdjustmentCents: 0 }]);
  });
});
