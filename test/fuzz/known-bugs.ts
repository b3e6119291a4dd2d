/**
 * Violations the fuzzer may meet that are explained: open engine bugs (none now) and
 * accepted deviations, each with its reason.
 *
 * The properties hold every input to the full rule, but a violation that one of these
 * classifiers explains precisely is counted instead of failed, so the suite stays green
 * while the bug is open and the fuzzer keeps looking for *other* bugs. Each bug also has a
 * minimal `it.skip` case in regressions.test.ts: once its fix lands, un-skip that case and
 * delete the classifier here (a stale classifier could hide a regression).
 *
 * FUZZ_STRICT=1 turns every classifier off; FUZZ_DISABLE=bug-a,bug-b turns off some, so
 * fast-check shrinks and prints their failures.
 */
import type { FileReport, InterchangeResult } from '../../src/x12/report.js';

export const STRICT = process.env['FUZZ_STRICT'] === '1';
const DISABLED = new Set((process.env['FUZZ_DISABLE'] ?? '').split(',').filter(Boolean));

export const KNOWN_BUGS: Readonly<Record<string, string>> = {};
export type KnownBug = string;

export const knownHits = new Map<KnownBug, number>();
export function hit(bug: KnownBug): void {
  knownHits.set(bug, (knownHits.get(bug) ?? 0) + 1);
}

/** Counts a hit unless disabled (FUZZ_DISABLE); a disabled one fails as a plain violation. */
export function known(bug: KnownBug): KnownBug | null {
  if (DISABLED.has(bug)) return null;
  hit(bug);
  return bug;
}

/** Explains why an acknowledgement's read-back interchange is not clean, or null (no open bug explains one now). */
export function explainEnvelope(_original: InterchangeResult, _readBack: InterchangeResult, _strict = STRICT): KnownBug[] | null {
  return null;
}

/** Explains a difference between the in-memory and the streamed report, or null (no open bug explains one now). */
export function explainChunking(_data: Uint8Array, _whole: FileReport, _streamed: FileReport, _strict = STRICT): KnownBug | null {
  return null;
}
