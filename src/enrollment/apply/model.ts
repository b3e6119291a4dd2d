/**
 * The membership model as the apply rules see it: members and coverages loaded for a
 * family, changed in memory by the rules, and written back in batches.
 *
 * Glossary (used exactly so in src/enrollment/apply):
 * - **family**: a subscriber and the dependents that share its (group number, subscriber
 *   number); the unit loaded, ordered and applied together.
 * - **member**: one person of a family (`member` table); `memberId` is the ID we issue.
 * - **coverage**: one insurance line in one plan over a period (`coverage` table).
 * - **held**: an event the rules do not apply; it becomes an exception for a person.
 * - **active on D**: not cancelled, begun on or before D, and not ended before D.
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

/** INS02 codes of children: child, stepchild, foster child, ward, no-financial-responsibility child. */
export const CHILD_RELATIONSHIPS: ReadonlySet<string> = new Set(['19', '17', '10', '15', '43']);

/** Family composition categories for enrollment totals. */
export type Composition = 'employee' | 'employee-spouse' | 'employee-children' | 'family';
