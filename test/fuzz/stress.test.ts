/**
 * Hostile inputs of realistic size: they must be answered (a report and at least one
 * acknowledgement), without throwing, in bounded time.
 */
import { describe, expect, it } from 'vitest';
import { ascii } from './corpus.js';
import { run, type Outcome } from './oracles.js';

const LIMIT_MS = Number(process.env['FUZZ_STRESS_LIMIT_MS'] ?? 10_000);
const MB = 1024 * 1024;

/** xorshift32: the same "random" file on every run. */
function randomBytes(n: number, seed = 0x9e3779b9): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

function repeated(fragment: string, bytes: number): Uint8Array {
  const f = ascii(fragment);
  const out = new Uint8Array(bytes);
  for (let o = 0; o < bytes; o += f.length) out.set(f.subarray(0, Math.min(f.length, bytes - o)), o);
  return out;
}

function answered(name: string, data: Uint8Array): Outcome {
  const t0 = performance.now();
  const { report, acks } = run(data);
  const ms = performance.now() - t0;
  console.info(`${name}: ${(data.length / MB).toFixed(1)} MB → ${report.interchanges.length} interchange(s), ` +
    `${report.problems.length} problem(s), ${acks.length} acknowledgement(s) in ${ms.toFixed(0)} ms`);
  expect(report.interchanges.length).toBeGreaterThan(0);
  expect(acks.length).toBeGreaterThan(0);
  expect(report.accepted).toBe(false);
  expect(ms).toBeLessThan(LIMIT_MS);
  return { report, acks };
}

const ISA = 'ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260102*0304*^*00501*000000001*0*P*:~';

describe('stress', () => {
  it('20 MB of random bytes', () => {
    answered('random', randomBytes(20 * MB));
  }, 60_000);

  it.each([
    ['ISA', 'ISA'],
    ['ISA* (16 separators, bad ISA16)', 'ISA****************A'],
    ['partial ISA header', 'ISA*00*          *00*          *ZZ*'],
    ['complete ISA, no trailer', ISA],
    ['ISA + GS, no trailers', `${ISA}GS*BE*A*B*20260102*0304*1*X*005010X220A1~`],
  ])('5 MB of repeated %s fragments', (_name, fragment) => {
    answered(`repeated ${JSON.stringify(fragment.slice(0, 24))}`, repeated(fragment, 5 * MB));
  }, 60_000);

  // Every unreadable ISA used to become an interchange with a TA1 of its own: 5 MB of "ISA*"
  // made 1 310 720 of them (~1 GB heap). At most 100 are answered now, the rest reported once.
  it.each([
    ['ISA*', 'ISA*'],
    ['ISA~', 'ISA~'],
  ])('5 MB of repeated %s fragments is answered with at most 100 TA1s', (_name, fragment) => {
    const o = answered(`repeated ${JSON.stringify(fragment)}`, repeated(fragment, 5 * MB));
    expect(o.report.interchanges.length).toBeLessThanOrEqual(100);
  }, 60_000);
});
