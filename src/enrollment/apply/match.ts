/**
 * Member matching with certainty. A member event is matched to a stored member only when
 * the identifiers agree; anything short of that is `uncertain` and goes to a person,
 * never a guess:
 * - subscriber: found by subscriber number; the SSN must agree when both sides have one,
 *   otherwise the first name and birth date must; an SSN already on file under another
 *   subscriber number is never a new member;
 * - dependent: within the family, by SSN; else by first name (and birth date when several
 *   share it). A dependent matched on SSN or on a unique name whose birth date differs is a
 *   birth-date change (itself queued for a person by the rules).
 */
import type { MemberEvent } from '../events.js';
import { subscriberOf, type Family, type StoredMember } from '../../membership/model.js';

export type Match =
  | { kind: 'matched'; member: StoredMember }
  | { kind: 'new' }
  | { kind: 'uncertain'; why: string };

export function sameName(a: string | null | undefined, b: string | null | undefined): boolean {
  return normaliseName(a) === normaliseName(b);
}

function normaliseName(s: string | null | undefined): string {
  return (s ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a !== null && b !== null && a.equals(b);
}

/**
 * `ssnHmac`: the event's SSN index, if it has one. `ssnElsewhere`: that SSN is on file in
 * the group for a member of another family.
 */
export function matchMember(family: Family, event: MemberEvent, ssnHmac: Buffer | null, ssnElsewhere: boolean): Match {
  const first = event.name?.first;
  const birth = event.demographics?.birthDate;
  if (event.subscriber) {
    const s = subscriberOf(family);
    if (!s) {
      if (ssnElsewhere) return { kind: 'uncertain', why: 'the SSN is on file for a member under another subscriber number' };
      return { kind: 'new' };
    }
    if (ssnHmac && s.ssnHmac) {
      return sameBytes(ssnHmac, s.ssnHmac)
        ? { kind: 'matched', member: s }
        : { kind: 'uncertain', why: 'the SSN differs from the subscriber on file with this subscriber number' };
    }
    if (ssnElsewhere) return { kind: 'uncertain', why: 'the SSN is on file for a member under another subscriber number' };
    if ((first && s.firstName && !sameName(first, s.firstName)) || (birth && s.birthDate && birth !== s.birthDate)) {
      return { kind: 'uncertain', why: 'the first name or birth date differs from the subscriber on file, and no SSN on both sides confirms the person' };
    }
    return { kind: 'matched', member: s };
  }
  const deps = family.members.filter((m) => !m.isSubscriber);
  if (ssnHmac) {
    const bySsn = deps.filter((d) => sameBytes(ssnHmac, d.ssnHmac));
    if (bySsn.length === 1) return { kind: 'matched', member: bySsn[0]! };
    if (bySsn.length > 1) return { kind: 'uncertain', why: 'several dependents on file share this SSN' };
    if (ssnElsewhere) return { kind: 'uncertain', why: 'the SSN is on file for a member of another family' };
  }
  // Only dependents whose SSN cannot rule them out.
  const open = deps.filter((d) => !(ssnHmac && d.ssnHmac));
  const byName = first ? open.filter((d) => sameName(first, d.firstName)) : [];
  if (byName.length === 1) {
    const d = byName[0]!;
    if (d.relationship !== event.relationship && !(birth && d.birthDate === birth)) {
      return { kind: 'uncertain', why: 'a dependent on file has this first name but another relationship and birth date' };
    }
    return { kind: 'matched', member: d };
  }
  if (byName.length > 1) {
    const byBirth = birth ? byName.filter((d) => d.birthDate === birth) : [];
    if (byBirth.length === 1) return { kind: 'matched', member: byBirth[0]! };
    return { kind: 'uncertain', why: 'several dependents on file share this first name' };
  }
  if (ssnHmac && first && birth) {
    const twin = deps.find((d) => d.ssnHmac && !sameBytes(ssnHmac, d.ssnHmac) && sameName(first, d.firstName) && d.birthDate === birth);
    if (twin) return { kind: 'uncertain', why: 'a dependent on file has this name and birth date but another SSN' };
  }
  return { kind: 'new' };
}
