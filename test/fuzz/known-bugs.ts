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

export const KNOWN_BUGS = {
  'ak1-ak2-echo-invalid-values':
    'Accepted deviation, not a bug: AK1/AK2 copy GS01/GS06/GS08 and ST01/ST02/ST03 exactly as received, because the 999 ' +
    'must name the group and set it answers. When the received value is itself the fault (a non-HIPAA ST01 "934", a ' +
    'one-character ST02, an unknown GS01), our own 999 guide flags the echoed element (AK101/AK201 HIPAA code lists, AK202 AN 4/9).',
} as const;
export type KnownBug = keyof typeof KNOWN_BUGS;

export const knownHits = new Map<KnownBug, number>();
export function hit(bug: KnownBug): void {
  knownHits.set(bug, (knownHits.get(bug) ?? 0) + 1);
}

/** Counts a hit unless disabled (FUZZ_DISABLE); a disabled one fails as a plain violation. */
function known(bug: KnownBug): KnownBug | null {
  if (DISABLED.has(bug)) return null;
  hit(bug);
  return bug;
}

/** Explains why an acknowledgement's read-back interchange is not clean, or null (no open bug explains one now). */
export function explainEnvelope(_original: InterchangeResult, _readBack: InterchangeResult, _strict = STRICT): KnownBug[] | null {
  return null;
}

/** Explains one element error in the read-back of a 999 we wrote, or null. */
export function explain999Error(original: InterchangeResult, segmentId: string, strict = STRICT): KnownBug | null {
  if (strict) return null;
  const acked = original.groups.filter((g) => g.acknowledge);
  if (segmentId === 'AK1' && acked.some((g) => g.codes.length > 0)) return known('ak1-ak2-echo-invalid-values');
  // AK201 only admits the HIPAA set IDs, so any flagged set (a duplicate ST*999 in a BE group…) can trip it.
  if (segmentId === 'AK2' && acked.some((g) => g.codes.length > 0 || g.sets.some((s) => s.codes.length > 0))) {
    return known('ak1-ak2-echo-invalid-values');
  }
  return null;
}

/** Explains a difference between the in-memory and the streamed report, or null (no open bug explains one now). */
export function explainChunking(_data: Uint8Array, _whole: FileReport, _streamed: FileReport, _strict = STRICT): KnownBug | null {
  return null;
}
