/**
 * Seeded PRNG (mulberry32) so the generated bench files are byte-identical for a
 * given seed: cached files stay valid and the test suite can assert on contents.
 * Not cryptographic; it only has to be fast and well spread.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    // Mix the seed once so small seeds (1, 2, 3...) do not start in similar states.
    this.state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Zero-padded decimal string of exactly `width` random digits. */
  digits(width: number): string {
    let out = '';
    for (let i = 0; i < width; i++) out += String.fromCharCode(48 + this.int(10));
    return out;
  }
}

/** Derive an independent stream seed from a base seed and a label (set number etc.). */
export function subSeed(seed: number, label: number): number {
  return (Math.imul(seed + 0x632be5ab, 0x2c1b3c6d) ^ Math.imul(label + 1, 0x297a2d39)) >>> 0;
}
