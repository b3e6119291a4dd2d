/**
 * The progress line of long work on a terminal: one line on stderr, redrawn at most four
 * times a second, with bytes, sets, members per second and the time left. Without a
 * terminal it draws nothing (logs and pipes stay clean).
 */
import type { Io } from './io.js';

export interface ProgressSample {
  phase: string;
  bytes: number;
  totalBytes: number | undefined;
  sets?: number;
  /** Members (or lines) applied so far. */
  items?: number;
}

const MB = 1 << 20;

export function formatProgress(p: ProgressSample, elapsedMs: number): string {
  const secs = Math.max(elapsedMs / 1000, 0.001);
  const parts = [`${p.phase}: ${(p.bytes / MB).toFixed(1)}${p.totalBytes ? ` of ${(p.totalBytes / MB).toFixed(1)}` : ''} MB`];
  if (p.totalBytes) parts[0] += ` (${Math.min(100, (100 * p.bytes) / p.totalBytes).toFixed(0)}%)`;
  if (p.sets !== undefined) parts.push(`${p.sets} set${p.sets === 1 ? '' : 's'}`);
  if (p.items !== undefined) parts.push(`${p.items.toLocaleString('en-US')} members, ${Math.round(p.items / secs).toLocaleString('en-US')}/s`);
  else parts.push(`${(p.bytes / MB / secs).toFixed(1)} MB/s`);
  if (p.totalBytes && p.bytes > 0 && p.bytes < p.totalBytes) {
    const left = (elapsedMs / 1000) * ((p.totalBytes - p.bytes) / p.bytes);
    parts.push(`${formatDuration(left)} left`);
  }
  return parts.join(', ');
}

function formatDuration(secs: number): string {
  const s = Math.round(secs);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

export interface ProgressLine {
  update(p: ProgressSample): void;
  /** Clears the line (before the report is printed). */
  done(): void;
}

export function progressLine(io: Io, intervalMs = 250): ProgressLine {
  if (!io.interactive) return { update: () => {}, done: () => {} };
  const started = Date.now();
  let phaseStarted = started;
  let phase = '';
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      const t = Date.now();
      if (p.phase !== phase) {
        phase = p.phase;
        phaseStarted = t;
      } else if (t - last < intervalMs) return;
      last = t;
      drawn = true;
      io.err(`\r\u001b[2K${formatProgress(p, t - phaseStarted)}`);
    },
    done() {
      if (drawn) io.err('\r\u001b[2K');
    },
  };
}
