/** The progress line of long work: drawn on a terminal only, with bytes, sets, rate and time left. */
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { formatProgress, progressLine } from '../../src/cli/progress.js';

const MB = 1 << 20;

function io(interactive: boolean): Io & { text: () => string } {
  let err = '';
  return { out: () => {}, err: (t) => void (err += t), now: () => new Date(), env: {}, interactive, text: () => err };
}

describe('progress line', () => {
  it('says how far, how fast and how long is left', () => {
    const validating = formatProgress({ phase: 'validate', bytes: 50 * MB, totalBytes: 200 * MB, sets: 3 }, 10_000);
    expect(validating).toBe('validate: 50.0 of 200.0 MB (25%), 3 sets, 5.0 MB/s, 30 s left');
    const applying = formatProgress({ phase: 'apply', bytes: 100 * MB, totalBytes: 200 * MB, items: 250_000 }, 20_000);
    expect(applying).toBe('apply: 100.0 of 200.0 MB (50%), 250,000 members, 12,500/s, 20 s left');
    expect(formatProgress({ phase: 'apply', bytes: 10 * MB, totalBytes: 10 * MB, items: 5 }, 1000)).not.toMatch(/left/);
  });

  it('draws nothing without a terminal', () => {
    const quiet = io(false);
    const line = progressLine(quiet, 0);
    line.update({ phase: 'validate', bytes: MB, totalBytes: 2 * MB, sets: 1 });
    line.done();
    expect(quiet.text()).toBe('');
  });

  it('on a terminal redraws one line and clears it when done', () => {
    const tty = io(true);
    const line = progressLine(tty, 0);
    line.update({ phase: 'validate', bytes: MB, totalBytes: 2 * MB, sets: 1 });
    line.update({ phase: 'validate', bytes: 2 * MB, totalBytes: 2 * MB, sets: 2 });
    line.done();
    const text = tty.text();
    expect(text.split('\r\u001b[2K').filter(Boolean).map((s) => s.split(',')[0])).toEqual(['validate: 1.0 of 2.0 MB (50%)', 'validate: 2.0 of 2.0 MB (100%)']);
    expect(text.endsWith('\r\u001b[2K')).toBe(true);
    expect(text).not.toContain('\n');
  });
});
