/**
 * The membership model: members and coverages as the enrollment rules change them and the
 * read side shows them, what "in force" means (once, in TypeScript and in SQL), and how a
 * member row maps to and from the JSON tuples the batch loads return.
 *
 * Glossary (used exactly so in src/membership and src/enrollment):
 * - **family**: a subscriber and the dependents that share its (group number, subscriber
 *   number); the unit loaded, ordered and applied together.
 * - **member**: one person of a family (`member` table); `memberId` is the ID we issue.
 * - **coverage**: one insurance line in one plan over a period (`coverage` table).
 * - **held**: an event the rules do not apply; it becomes an exception for a person.
 * - **active on D**: not cancelled, begun on or before D, and not ended before D.
 * - **in force on D**: not cancelled and not ended before D (active, or starting later).
 */

export interface Address {
  line1: string | null;
  line2: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
}

export interface StoredCoverage {
  /** Database id; undefined until inserted. */
  id: string | undefined;
  insuranceLine: string;
  planId: string;
  coverageLevel: string | null;
  beginDate: string;
  endDate: string | null;
  cancelled: boolean;
  /** Changed since loaded (written back when true and `id` is set). */
  dirty: boolean;
}

/** The member columns the rules read and write (PHI included; never logged). */
export interface MemberFields {
  relationship: string;
  /** The encrypted SSN; also null when a batch load left it in the database (see load.ts). */
  ssnEnc: Buffer | null;
  ssnHmac: Buffer | null;
  lastName: string | null;
  firstName: string | null;
  middleName: string | null;
  nameSuffix: string | null;
  birthDate: string | null;
  gender: string | null;
  benefitStatus: string;
  cobraEvent: string | null;
  employmentStatus: string | null;
  handicapped: boolean;
  medicarePlan: string | null;
  hireDate: string | null;
  subgroup: string | null;
  classCode: string;
  home: Address;
  /** Null: mail goes to the home address. */
  mailing: Address | null;
  custodialParent: unknown;
  eligibilityBegin: string;
  eligibilityEnd: string | null;
  cancelled: boolean;
}

export type MemberField = keyof MemberFields;

export interface StoredMember extends MemberFields {
  /** Database id; undefined for a member added in this batch and not yet written. */
  id: string | undefined;
  /** The member ID we issue; known once inserted. */
  memberId: string | undefined;
  groupNumber: string;
  subscriberNumber: string;
  isSubscriber: boolean;
  coverages: StoredCoverage[];
  /** Fields changed since loaded (for the update and the history). */
  changed: Set<MemberField>;
}

export interface Family {
  groupNumber: string;
  subscriberNumber: string;
  members: StoredMember[];
}

export function familyKey(groupNumber: string, subscriberNumber: string): string {
  return `${groupNumber}\u0000${subscriberNumber}`;
}

export function subscriberOf(f: Family): StoredMember | undefined {
  return f.members.find((m) => m.isSubscriber);
}

/** Whether the member is eligible on `on` (not cancelled, begun, not yet ended). */
export function memberActiveOn(m: MemberFields, on: string): boolean {
  return !m.cancelled && m.eligibilityBegin <= on && (m.eligibilityEnd === null || m.eligibilityEnd >= on);
}

/** Not ended for good: active now, or starting later, with no past end date. */
export function memberInForce(m: MemberFields, today: string): boolean {
  return !m.cancelled && (m.eligibilityEnd === null || m.eligibilityEnd >= today);
}

/** memberActiveOn in SQL, for the member table aliased `m` and a date expression `day`. */
export function memberActiveOnSql(m: string, day: string): string {
  return `(not ${m}.cancelled and ${m}.eligibility_begin <= ${day} and (${m}.eligibility_end is null or ${m}.eligibility_end >= ${day}))`;
}

/** memberInForce in SQL, for the member table aliased `m` and a date expression `day`. */
export function memberInForceSql(m: string, day: string): string {
  return `(not ${m}.cancelled and (${m}.eligibility_end is null or ${m}.eligibility_end >= ${day}))`;
}

/** A coverage active on `day`, in SQL, for the coverage table aliased `c`. */
export function coverageActiveOnSql(c: string, day: string): string {
  return `(not ${c}.cancelled and ${c}.begin_date <= ${day} and (${c}.end_date is null or ${c}.end_date >= ${day}))`;
}

export type MemberStatus = 'active' | 'pending' | 'terminated' | 'cancelled';

/** A member's status on a day, as ops read it. */
export function statusOn(m: MemberFields, on: string): MemberStatus {
  if (m.cancelled) return 'cancelled';
  if (memberActiveOn(m, on)) return 'active';
  return m.eligibilityBegin > on ? 'pending' : 'terminated';
}

/** INS02 codes of children: child, stepchild, foster child, ward, no-financial-responsibility child. */
export const CHILD_RELATIONSHIPS: ReadonlySet<string> = new Set(['19', '17', '10', '15', '43']);

/** Family composition categories for enrollment totals. */
export type Composition = 'employee' | 'employee-spouse' | 'employee-children' | 'family';

type Text = string | null;

/** A member as a JSON array in MemberTuple's order; `m` is the member table's alias. */
export function memberTuple(m: string): string {
  return `json_build_array(${m}.id::text, ${m}.member_id, ${m}.group_number, ${m}.subscriber_number, ${m}.is_subscriber, ${m}.relationship,
    encode(${m}.ssn_hmac, 'hex'), ${m}.last_name, ${m}.first_name, ${m}.middle_name, ${m}.name_suffix, ${m}.birth_date, ${m}.gender, ${m}.benefit_status,
    ${m}.cobra_event, ${m}.employment_status, ${m}.handicapped, ${m}.medicare_plan, ${m}.hire_date, ${m}.subgroup, ${m}.class_code,
    ${m}.home_line1, ${m}.home_line2, ${m}.home_city, ${m}.home_state, ${m}.home_zip,
    ${m}.mailing_line1, ${m}.mailing_line2, ${m}.mailing_city, ${m}.mailing_state, ${m}.mailing_zip,
    ${m}.custodial_parent, ${m}.eligibility_begin, ${m}.eligibility_end, ${m}.cancelled)`;
}

/** What memberTuple yields, position by position. */
export type MemberTuple = [
  id: string, memberId: string, groupNumber: string, subscriberNumber: string, isSubscriber: boolean, relationship: string,
  ssnHmacHex: Text, lastName: Text, firstName: Text, middleName: Text, nameSuffix: Text, birthDate: Text, gender: Text, benefitStatus: string,
  cobraEvent: Text, employmentStatus: Text, handicapped: boolean, medicarePlan: Text, hireDate: Text, subgroup: Text, classCode: string,
  homeLine1: Text, homeLine2: Text, homeCity: Text, homeState: Text, homeZip: Text,
  mailingLine1: Text, mailingLine2: Text, mailingCity: Text, mailingState: Text, mailingZip: Text,
  custodialParent: unknown, eligibilityBegin: string, eligibilityEnd: Text, cancelled: boolean,
];

/**
 * A stored member from its tuple. `ssnEnc` is what the caller fetched beside it: the apply
 * path never decrypts an SSN, so it leaves the ciphertext in the database (null here; the
 * write path then keeps the stored one, see write.ts).
 */
export function memberFromTuple(t: MemberTuple, ssnEnc: Buffer | null = null): StoredMember {
  const mailing: Address | null =
    t[26] === null && t[28] === null && t[30] === null ? null : { line1: t[26], line2: t[27], city: t[28], state: t[29], zip: t[30] };
  return {
    id: t[0],
    memberId: t[1],
    groupNumber: t[2],
    subscriberNumber: t[3],
    isSubscriber: t[4],
    relationship: t[5],
    ssnEnc,
    ssnHmac: t[6] === null ? null : Buffer.from(t[6], 'hex'),
    lastName: t[7],
    firstName: t[8],
    middleName: t[9],
    nameSuffix: t[10],
    birthDate: t[11],
    gender: t[12],
    benefitStatus: t[13],
    cobraEvent: t[14],
    employmentStatus: t[15],
    handicapped: t[16],
    medicarePlan: t[17],
    hireDate: t[18],
    subgroup: t[19],
    classCode: t[20],
    home: { line1: t[21], line2: t[22], city: t[23], state: t[24], zip: t[25] },
    mailing,
    custodialParent: t[31],
    eligibilityBegin: t[32],
    eligibilityEnd: t[33],
    cancelled: t[34],
    coverages: [],
    changed: new Set(),
  };
}

/** A coverage as a JSON array: id, member id, line, plan, level, begin, end, cancelled. */
export type CoverageTuple = [id: string, memberId: string, insuranceLine: string, planId: string, coverageLevel: Text, beginDate: string, endDate: Text, cancelled: boolean];

export function coverageFromTuple(t: CoverageTuple): StoredCoverage {
  return { id: t[0], insuranceLine: t[2], planId: t[3], coverageLevel: t[4], beginDate: t[5], endDate: t[6], cancelled: t[7], dirty: false };
}
