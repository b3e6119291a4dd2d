/**
 * Deterministic generator for large 820 (005010X218) premium payment files.
 *
 * Shape per the X218 guide: ISA/GS, then ST sets each holding BPR, TRN, REF*38,
 * DTM*582, 1000A N1*PE (premium receiver), 1000B N1*PR (premium payer), and one
 * 2000B individual remittance per line: ENT*n*2J, 2100B NM1*EY, 2300B
 * RMR*IK*invoice**amount, REF*18 (some), DTM*582. BPR02 is the sum of the set's
 * RMR04 amounts; since BPR precedes the lines, amounts come from their own PRNG
 * stream which is run once to total them and replayed while writing (no buffering).
 */
import { Prng, subSeed } from './prng.js';
import { SegmentWriter } from './writer.js';
import { FILE_DATE, benchEnvelope, gs, ge, iea, isa, setSizes, stControl } from './envelope.js';
import { money, segment as s } from './segment.js';
import type { GenerateResult } from './generate834.js';
import * as fake from './fake.js';

export interface Generate820Options {
  /** Number of 2000B remittance lines (one RMR each) in the whole file. */
  lines: number;
  seed?: number;
  /** Lines per ST/SE transaction set (the last set takes the remainder). */
  setSize?: number;
}

export interface Generate820Result extends GenerateResult {
  /** BPR02 of each set, in order. */
  setTotals: string[];
}

const PERIOD = '20260101-20260131';

/** Premium in cents, $25.00 .. $1,800.00, skewed toward single coverage amounts. */
function premiumCents(amounts: Prng): number {
  return amounts.next() < 0.6 ? amounts.range(2_500, 65_000) : amounts.range(65_000, 180_000);
}

export async function generate820(path: string, options: Generate820Options): Promise<Generate820Result> {
  const lines = Math.floor(options.lines);
  if (!(lines >= 1)) throw new RangeError('generate820: lines must be >= 1');
  const seed = options.seed ?? 820;
  const sizes = setSizes(lines, options.setSize ?? 100_000);
  const env = benchEnvelope(seed, 'RA', '005010X218');

  const w = await SegmentWriter.create(path);
  const setTotals: string[] = [];
  try {
    w.seg(isa(env));
    w.seg(gs(env));
    let lineNo = 0;
    for (let setIdx = 0; setIdx < sizes.length; setIdx++) {
      const setLines = sizes[setIdx] ?? 0;
      const rng = new Prng(subSeed(seed, setIdx * 2));
      const amountSeed = subSeed(seed, setIdx * 2 + 1);

      // Pass 1: total the amounts (cents, exact in a double up to 2^53).
      const totalRng = new Prng(amountSeed);
      let totalCents = 0;
      for (let i = 0; i < setLines; i++) totalCents += premiumCents(totalRng);
      const total = money(totalCents);
      setTotals.push(total);

      const control = stControl(setIdx + 1);
      const payerEin = fake.fakeEin(rng);
      w.setCount = 0;
      w.seg(s('ST', '820', control, '005010X218'));
      // BPR01 C: payment accompanies remittance advice; ACH/CCP with both bank accounts.
      w.seg(s('BPR', 'C', total, 'C', 'ACH', 'CCP', '01', fake.routingNumber(rng), 'DA', rng.digits(10), `1${payerEin}`, '', '01', fake.routingNumber(rng), 'DA', rng.digits(12), FILE_DATE));
      w.seg(s('TRN', '3', `BENCH820${seed}${String(setIdx + 1).padStart(6, '0')}`, `1${payerEin}`));
      w.seg(s('REF', '38', `POLICY${String(setIdx + 1).padStart(4, '0')}`));
      w.seg(s('DTM', '582', '', '', '', 'RD8', PERIOD));
      w.seg(s('N1', 'PE', 'EXAMPLE HEALTH PLAN', 'FI', '990000001'));
      w.seg(s('N1', 'PR', `FAKE EMPLOYER GROUP ${setIdx + 1}`, 'FI', payerEin));

      // Pass 2: replay the same amount stream while writing the lines.
      const amounts = new Prng(amountSeed);
      for (let i = 1; i <= setLines; i++) {
        lineNo++;
        const cents = premiumCents(amounts);
        const employeeId = `E${String(lineNo).padStart(9, '0')}`;
        // ENT01 is N0 1/6: a set of more than 999,999 lines numbers them round again.
        w.seg(s('ENT', String(((i - 1) % 999_999) + 1), '2J', 'EI', employeeId));
        const first = fake.person(rng, fake.surname(rng), rng.chance(0.5) ? 'M' : 'F');
        // NM108 34 (SSN) for some payers, EI (employee id) for others.
        const bySsn = rng.chance(0.4);
        w.seg(s('NM1', 'EY', '1', first.last, first.first, first.middle, '', '', bySsn ? '34' : 'EI', bySsn ? fake.fakeSsn(lineNo) : employeeId));
        // RMR05 (billed amount) is sent by some payers; it differs from the paid amount now and then.
        const billed = rng.chance(0.3) ? money(rng.chance(0.9) ? cents : cents + rng.range(100, 5_000)) : '';
        w.seg(s('RMR', 'IK', `INV${rng.digits(8)}`, '', money(cents), billed));
        if (rng.chance(0.25)) w.seg(s('REF', '18', `PLAN${rng.digits(4)}`));
        w.seg(s('DTM', '582', '', '', '', 'RD8', PERIOD));
        if ((i & 63) === 0) await w.drain();
      }
      w.seg(s('SE', String(w.setCount + 1), control));
      await w.drain();
    }
    w.seg(ge(env, sizes.length));
    w.seg(iea(env));
    const segments = w.totalCount;
    const bytes = await w.close();
    return { path, bytes, segments, sets: sizes.length, items: lines, setTotals };
  } catch (err) {
    await w.abort();
    throw err;
  }
}
