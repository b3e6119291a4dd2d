/**
 * The check every acknowledgement passes before it is written: a TA1 or a 999 that a
 * partner's translator would reject must never leave. A 999 is read back with our own
 * validator against 005010X231A1 (ISA/GS/ST envelopes, every segment and element of the
 * guide, AK1/AK2 code lists, IK303 as AN 1/4); a TA1 by its envelope and its fields (TA101
 * nine digits, TA102 YYMMDD, TA103 HHMM, TA104 A/E/R, TA105 three digits).
 *
 * Faults are described by segment, position, element and code, never by value: an IK404
 * carries a copy of the partner's data.
 */
import { EdiBridgeError, type ErrorContext } from '../core/errors.js';
import { isValidDateText, isValidTimeText } from '../x12/validate/values.js';
import { validateBytes } from '../x12/validate.js';
import { ACK_999_CONVENTION } from './ack999.js';

export type AcknowledgementKind = 'TA1' | '999';

/** Why the acknowledgement is not valid (empty: it is). */
export function checkAcknowledgement(text: string, kind: AcknowledgementKind): string[] {
  const faults: string[] = [];
  const report = validateBytes(new Uint8Array(Buffer.from(text, 'latin1')), { name: kind });
  for (const p of report.problems) faults.push(`file: ${p.kind}`);
  if (report.interchanges.length !== 1) faults.push(`${report.interchanges.length} interchanges, not one`);
  const ic = report.interchanges[0];
  if (!ic) return faults;
  if (ic.note !== '000') faults.push(`interchange: TA105 ${[ic.note, ...ic.otherNotes].join(',')}`);
  if (kind === 'TA1') {
    if (ic.groups.length > 0) faults.push('a TA1 interchange holds functional groups');
    faults.push(...ta1Faults(text));
    return faults;
  }
  if (ic.groups.length === 0) faults.push('a 999 interchange holds no functional group');
  for (const g of ic.groups) {
    if (g.functionalId !== 'FA') faults.push(`group ${g.control}: GS01 is not FA`);
    if (g.codes.length > 0) faults.push(`group ${g.control}: AK9 ${g.codes.join(',')}`);
    if (g.sets.length === 0) faults.push(`group ${g.control}: no transaction set`);
    for (const s of g.sets) {
      if (s.id !== '999' || s.convention !== ACK_999_CONVENTION) faults.push(`set ${s.control}: not a 999 of ${ACK_999_CONVENTION}`);
      for (const c of s.codes) if (c !== '5' && c !== 'I5') faults.push(`set ${s.control}: IK5 ${c}`);
      for (const e of s.errors) {
        const where = `${e.segmentId} at ${e.position}${e.loopId ? ` (loop ${e.loopId})` : ''}`;
        if (e.elements.length === 0) faults.push(`${where}: IK304 ${e.code}`);
        for (const x of e.elements) {
          const pos = `${x.position}${x.component ? `-${x.component}` : ''}${x.repetition ? `.${x.repetition}` : ''}`;
          faults.push(`${where}: element ${pos} IK403 ${x.code}`);
        }
      }
      if (s.errorsTruncated) faults.push(`set ${s.control}: more errors than are kept`);
    }
  }
  return faults;
}

/** TA1 field syntax, read with the separators of the acknowledgement's own ISA. */
function ta1Faults(text: string): string[] {
  if (text.length < 106 || !text.startsWith('ISA')) return ['no ISA to read the separators from'];
  const es = text[3] as string;
  const term = text[105] as string;
  const segments = text
    .split(term)
    .map((s) => s.replace(/^[\r\n]+/, ''))
    .filter((s) => s.length > 0);
  const ta1 = segments.filter((s) => s.startsWith(`TA1${es}`));
  if (ta1.length !== 1) return [`${ta1.length} TA1 segments, not one`];
  const e = (ta1[0] as string).split(es);
  const faults: string[] = [];
  if (e.length !== 6) faults.push(`TA1 has ${e.length - 1} elements, not 5`);
  const [, control = '', date = '', time = '', ack = '', note = ''] = e;
  if (!/^\d{9}$/.test(control)) faults.push('TA101 is not nine digits');
  if (!/^\d{6}$/.test(date) || !isValidDateText(date)) faults.push('TA102 is not a YYMMDD date');
  if (!/^\d{4}$/.test(time) || !isValidTimeText(time)) faults.push('TA103 is not an HHMM time');
  if (!['A', 'E', 'R'].includes(ack)) faults.push('TA104 is not A, E or R');
  if (!/^\d{3}$/.test(note)) faults.push('TA105 is not three digits');
  return faults;
}

/** Throws when the acknowledgement is not valid; `context` names it (no element values). */
export function assertAcknowledgement(text: string, kind: AcknowledgementKind, context: ErrorContext = {}): void {
  const faults = checkAcknowledgement(text, kind);
  if (faults.length === 0) return;
  throw new EdiBridgeError(
    'INTERNAL',
    `our ${kind} acknowledgement is not valid ${kind === '999' ? ACK_999_CONVENTION : 'X12'}: ${faults.slice(0, 10).join('; ')}`,
    { ...context, kind, faults: faults.length },
  );
}
