/**
 * Member matching with certainty: the one place the rule is written down, as MATCH_RULES.
 * A member event is matched to a stored member only when the identifiers agree; anything
 * short of that is a doubt, goes to a person (`member-match-uncertain`) and nothing of the
 * member is applied, never a guess.
 *
 * The identity of a person is the SSN, the first name, the last name and the birth date.
 * A value missing on either side (no SSN on file, no DMG in a change) is no difference.
 * Names compare by letters and digits, case ignored (`O'NEIL` = `ONEIL`). With the SSNs
 * agreeing, ONE of first name, last name and birth date may differ: a correction, applied
 * as a change (or queued by its own rule: a subscriber's last name, a dependent's birth
 * date). Two differing is another person or a data error. Without an SSN on both sides, a
 * subscriber's first name and birth date must agree. Middle name, suffix, gender, address and
 * every other field are changes, whatever their difference.
 *
 * Subscriber: found by group + REF*0F subscriber number. Dependent: within that family, by
 * SSN; else, among the dependents an SSN cannot rule out (no SSN on both sides), by first
 * name (birth date when several share it).
 */
import type { MemberEvent } from '../events.js';
import { subscriberOf, type Family, type StoredMember } from '../../membership/model.js';

/** same-person: matched (any differences are changes); new: a member to add; doubt: held for a person. */
export type MatchVerdict = 'same-person' | 'new' | 'doubt';

export interface MatchRule {
  who: 'subscriber' | 'dependent';
  /** What the file's member and the record on file show. */
  when: string;
  verdict: MatchVerdict;
  /** What is applied, or why a person decides (a doubt's text goes into its exception). */
  then: string;
}

/** THE matching rule, row by row (README "Enrollment: how an 834 is applied" shows it). */
export const MATCH_RULES = {
  'subscriber-new': {
    who: 'subscriber',
    when: 'no subscriber on file under the subscriber number, and the SSN is not on file in another family of the group',
    verdict: 'new',
    then: 'a 021 or 030 adds the member; a 001, 024 or 025 is a doubt (nothing on file to change)',
  },
  'subscriber-ssn-elsewhere': {
    who: 'subscriber',
    when: 'the SSN sent is on file for a member of another family of the group (and not confirmed on this subscriber)',
    verdict: 'doubt',
    then: 'the SSN is on file for a member under another subscriber number',
  },
  'subscriber-ssn-differs': {
    who: 'subscriber',
    when: 'both sides have an SSN and they differ',
    verdict: 'doubt',
    then: 'the SSN differs from the subscriber on file with this subscriber number',
  },
  'subscriber-same': {
    who: 'subscriber',
    when: 'SSN agrees, or is missing on a side; first name, last name and birth date agree',
    verdict: 'same-person',
    then: 'middle name, suffix, gender, address and other fields that differ are changes, applied',
  },
  'subscriber-first-name': {
    who: 'subscriber',
    when: 'SSN agrees; only the first name differs (last name and birth date agree)',
    verdict: 'same-person',
    then: 'a spelling correction: the first name is changed',
  },
  'subscriber-last-name': {
    who: 'subscriber',
    when: 'SSN agrees, or is missing on a side; only the last name differs',
    verdict: 'same-person',
    then: 'the last name on file is kept and queued (`last-name-change`); the rest is applied',
  },
  'subscriber-birth-date': {
    who: 'subscriber',
    when: 'SSN agrees; only the birth date differs',
    verdict: 'same-person',
    then: 'a correction: the birth date is changed',
  },
  'subscriber-identity-differs': {
    who: 'subscriber',
    when: 'SSN agrees; two or more of first name, last name and birth date differ',
    verdict: 'doubt',
    then: 'the SSN agrees but more than one of first name, last name and birth date differs from the subscriber on file: another person or a data error',
  },
  'subscriber-unconfirmed-first-name': {
    who: 'subscriber',
    when: 'no SSN on both sides; the first name differs',
    verdict: 'doubt',
    then: 'the first name differs from the subscriber on file, and no SSN on both sides confirms the person',
  },
  'subscriber-unconfirmed-birth-date': {
    who: 'subscriber',
    when: 'no SSN on both sides; the birth date differs',
    verdict: 'doubt',
    then: 'the birth date differs from the subscriber on file, and no SSN on both sides confirms the person',
  },
  'dependent-same': {
    who: 'dependent',
    when: 'found by SSN, or by a first name only one dependent has; first name, last name and birth date agree',
    verdict: 'same-person',
    then: 'other fields that differ are changes, applied',
  },
  'dependent-first-name': {
    who: 'dependent',
    when: 'found by SSN; only the first name differs',
    verdict: 'same-person',
    then: 'a spelling correction: the first name is changed',
  },
  'dependent-last-name': {
    who: 'dependent',
    when: 'found by SSN or first name; only the last name differs',
    verdict: 'same-person',
    then: "the dependent's last name is changed",
  },
  'dependent-birth-date': {
    who: 'dependent',
    when: 'found by SSN or by first name with the same relationship; only the birth date differs',
    verdict: 'same-person',
    then: 'the birth date on file is kept and queued (`dependent-birth-date-change`); the rest is applied',
  },
  'dependent-identity-differs': {
    who: 'dependent',
    when: 'found by SSN or first name; two or more of first name, last name and birth date differ',
    verdict: 'doubt',
    then: 'more than one of first name, last name and birth date differs from the dependent on file: another person or a data error',
  },
  'dependent-ssn-shared': {
    who: 'dependent',
    when: 'several dependents of the family have the SSN',
    verdict: 'doubt',
    then: 'several dependents on file share this SSN',
  },
  'dependent-ssn-elsewhere': {
    who: 'dependent',
    when: 'no dependent of the family has the SSN, but a member of another family of the group has',
    verdict: 'doubt',
    then: 'the SSN is on file for a member of another family',
  },
  'dependent-name-other-person': {
    who: 'dependent',
    when: 'one dependent has the first name, with another relationship and another birth date',
    verdict: 'doubt',
    then: 'a dependent on file has this first name but another relationship and birth date',
  },
  'dependent-name-and-birth': {
    who: 'dependent',
    when: 'several dependents have the first name; the birth date picks exactly one',
    verdict: 'same-person',
    then: 'other fields that differ are changes, applied',
  },
  'dependent-name-shared': {
    who: 'dependent',
    when: 'several dependents have the first name; the birth date picks none or several',
    verdict: 'doubt',
    then: 'several dependents on file share this first name',
  },
  'dependent-other-ssn': {
    who: 'dependent',
    when: 'no match by SSN or name, but a dependent with another SSN has this first name and birth date',
    verdict: 'doubt',
    then: 'a dependent on file has this name and birth date but another SSN',
  },
  'dependent-new': {
    who: 'dependent',
    when: 'none of the above: no dependent of the family is this person',
    verdict: 'new',
    then: 'a 021 or 030 adds the dependent; a 001, 024 or 025 is a doubt (nothing on file to change)',
  },
} as const satisfies Record<string, MatchRule>;

export type MatchRuleId = keyof typeof MATCH_RULES;

export type Match =
  | { kind: 'matched'; member: StoredMember; rule: MatchRuleId }
  | { kind: 'new'; rule: MatchRuleId }
  | { kind: 'uncertain'; why: string; rule: MatchRuleId };

export function sameName(a: string | null | undefined, b: string | null | undefined): boolean {
  return normaliseName(a) === normaliseName(b);
}

function normaliseName(s: string | null | undefined): string {
  return (s ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a !== null && b !== null && a.equals(b);
}

type IdentityField = 'first' | 'last' | 'birth';

/** The identity fields (besides the SSN) in which the event and the stored member differ; a value missing on a side is no difference. */
function identityDifferences(event: MemberEvent, m: StoredMember): IdentityField[] {
  const out: IdentityField[] = [];
  const first = event.name?.first;
  const last = event.name?.last;
  const birth = event.demographics?.birthDate;
  if (first && m.firstName && !sameName(first, m.firstName)) out.push('first');
  if (last && m.lastName && !sameName(last, m.lastName)) out.push('last');
  if (birth && m.birthDate && birth !== m.birthDate) out.push('birth');
  return out;
}

function verdict(rule: MatchRuleId, member?: StoredMember): Match {
  const r: MatchRule = MATCH_RULES[rule];
  if (r.verdict === 'doubt') return { kind: 'uncertain', why: r.then, rule };
  if (r.verdict === 'new') return { kind: 'new', rule };
  return { kind: 'matched', member: member!, rule };
}

/** A found member judged by its identity differences (one may differ, two are a doubt). */
function judged(who: 'subscriber' | 'dependent', event: MemberEvent, m: StoredMember): Match {
  const diffs = identityDifferences(event, m);
  if (diffs.length >= 2) return verdict(`${who}-identity-differs`);
  const d = diffs[0];
  return verdict(d === 'first' ? `${who}-first-name` : d === 'last' ? `${who}-last-name` : d === 'birth' ? `${who}-birth-date` : `${who}-same`, m);
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
    if (!s) return verdict(ssnElsewhere ? 'subscriber-ssn-elsewhere' : 'subscriber-new');
    if (ssnHmac && s.ssnHmac) {
      if (!sameBytes(ssnHmac, s.ssnHmac)) return verdict('subscriber-ssn-differs');
      return judged('subscriber', event, s);
    }
    if (ssnElsewhere) return verdict('subscriber-ssn-elsewhere');
    if (first && s.firstName && !sameName(first, s.firstName)) return verdict('subscriber-unconfirmed-first-name');
    if (birth && s.birthDate && birth !== s.birthDate) return verdict('subscriber-unconfirmed-birth-date');
    return judged('subscriber', event, s);
  }
  const deps = family.members.filter((m) => !m.isSubscriber);
  if (ssnHmac) {
    const bySsn = deps.filter((d) => sameBytes(ssnHmac, d.ssnHmac));
    if (bySsn.length === 1) return judged('dependent', event, bySsn[0]!);
    if (bySsn.length > 1) return verdict('dependent-ssn-shared');
    if (ssnElsewhere) return verdict('dependent-ssn-elsewhere');
  }
  // Only dependents whose SSN cannot rule them out.
  const open = deps.filter((d) => !(ssnHmac && d.ssnHmac));
  const byName = first ? open.filter((d) => sameName(first, d.firstName)) : [];
  if (byName.length === 1) {
    const d = byName[0]!;
    if (d.relationship !== event.relationship && !(birth && d.birthDate === birth)) return verdict('dependent-name-other-person');
    return judged('dependent', event, d);
  }
  if (byName.length > 1) {
    const byBirth = birth ? byName.filter((d) => d.birthDate === birth) : [];
    if (byBirth.length !== 1) return verdict('dependent-name-shared');
    const m = judged('dependent', event, byBirth[0]!);
    return m.kind === 'matched' ? { ...m, rule: 'dependent-name-and-birth' } : m;
  }
  if (ssnHmac && first && birth) {
    const twin = deps.find((d) => d.ssnHmac && !sameBytes(ssnHmac, d.ssnHmac) && sameName(first, d.firstName) && d.birthDate === birth);
    if (twin) return verdict('dependent-other-ssn');
  }
  return verdict('dependent-new');
}
