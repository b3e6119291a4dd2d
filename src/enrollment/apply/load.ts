/**
 * Loading what a batch of families needs, in three statements whatever the batch's size,
 * issued together: the families' members, their coverages, and which of the batch's SSNs
 * are on file in the same group under another family.
 *
 * PROBE: each statement joins the batch's keys (unnest) to a LATERAL subquery with OFFSET 0,
 * which the planner cannot turn into a join, so every key is one index probe whatever the
 * statistics say. A batch is loaded inside the transaction that is writing the set, before
 * autovacuum has seen the new rows; with `= any(array)` the planner then chose scans of a
 * whole group or table per batch (measured at one million members: 40 ms a batch on the
 * group's members, 264 ms on all 1.9 M coverages), so a large set grew quadratic.
 */
import type { Db } from '../../db/db.js';
import { familyKey, type Address, type Family, type StoredCoverage, type StoredMember } from './model.js';

interface MemberRow {
  id: string;
  member_id: string;
  group_number: string;
  subscriber_number: string;
  is_subscriber: boolean;
  relationship: string;
  ssn_enc: Buffer | null;
  ssn_hmac: Buffer | null;
  last_name: string | null;
  first_name: string | null;
  middle_name: string | null;
  name_suffix: string | null;
  birth_date: string | null;
  gender: string | null;
  benefit_status: string;
  cobra_event: string | null;
  employment_status: string | null;
  handicapped: boolean;
  medicare_plan: string | null;
  hire_date: string | null;
  subgroup: string | null;
  class_code: string;
  home_line1: string | null;
  home_line2: string | null;
  home_city: string | null;
  home_state: string | null;
  home_zip: string | null;
  mailing_line1: string | null;
  mailing_line2: string | null;
  mailing_city: string | null;
  mailing_state: string | null;
  mailing_zip: string | null;
  custodial_parent: unknown;
  eligibility_begin: string;
  eligibility_end: string | null;
  cancelled: boolean;
}

interface CoverageRow {
  id: string;
  member_id: string;
  insurance_line: string;
  plan_id: string;
  coverage_level: string | null;
  begin_date: string;
  end_date: string | null;
  cancelled: boolean;
}

export const MEMBER_COLUMNS = `id::text as id, member_id, group_number, subscriber_number, is_subscriber, relationship,
  ssn_enc, ssn_hmac, last_name, first_name, middle_name, name_suffix, birth_date, gender, benefit_status,
  cobra_event, employment_status, handicapped, medicare_plan, hire_date, subgroup, class_code,
  home_line1, home_line2, home_city, home_state, home_zip,
  mailing_line1, mailing_line2, mailing_city, mailing_state, mailing_zip,
  custodial_parent, eligibility_begin, eligibility_end, cancelled`;

function buf(v: Uint8Array | null): Buffer | null {
  return v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(v);
}

export function memberFromRow(r: MemberRow): StoredMember {
  const mailing: Address | null =
    r.mailing_line1 === null && r.mailing_city === null && r.mailing_zip === null
      ? null
      : { line1: r.mailing_line1, line2: r.mailing_line2, city: r.mailing_city, state: r.mailing_state, zip: r.mailing_zip };
  return {
    id: r.id,
    memberId: r.member_id,
    groupNumber: r.group_number,
    subscriberNumber: r.subscriber_number,
    isSubscriber: r.is_subscriber,
    relationship: r.relationship,
    ssnEnc: buf(r.ssn_enc),
    ssnHmac: buf(r.ssn_hmac),
    lastName: r.last_name,
    firstName: r.first_name,
    middleName: r.middle_name,
    nameSuffix: r.name_suffix,
    birthDate: r.birth_date,
    gender: r.gender,
    benefitStatus: r.benefit_status,
    cobraEvent: r.cobra_event,
    employmentStatus: r.employment_status,
    handicapped: r.handicapped,
    medicarePlan: r.medicare_plan,
    hireDate: r.hire_date,
    subgroup: r.subgroup,
    classCode: r.class_code,
    home: { line1: r.home_line1, line2: r.home_line2, city: r.home_city, state: r.home_state, zip: r.home_zip },
    mailing,
    custodialParent: r.custodial_parent,
    eligibilityBegin: r.eligibility_begin,
    eligibilityEnd: r.eligibility_end,
    cancelled: r.cancelled,
    coverages: [],
    changed: new Set(),
  };
}

function coverageFromRow(r: CoverageRow): StoredCoverage {
  return {
    id: r.id,
    insuranceLine: r.insurance_line,
    planId: r.plan_id,
    coverageLevel: r.coverage_level,
    beginDate: r.begin_date,
    endDate: r.end_date,
    cancelled: r.cancelled,
    dirty: false,
  };
}

/** Both results once both have settled, so that neither failure is left unobserved. */
export async function bothSettled<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [x, y] = await Promise.allSettled([a, b]);
  if (x.status === 'rejected') throw x.reason;
  if (y.status === 'rejected') throw y.reason;
  return [x.value, y.value];
}

/**
 * The families with these keys, with their members and coverages (a key not on file gets an
 * empty family). Both statements are issued at once (coverages are found through the
 * families too), so a batch's loads cost one wait, not two.
 */
export async function loadFamilies(db: Db, keys: ReadonlyArray<{ groupNumber: string; subscriberNumber: string }>): Promise<Map<string, Family>> {
  const families = new Map<string, Family>();
  for (const k of keys) {
    const key = familyKey(k.groupNumber, k.subscriberNumber);
    if (!families.has(key)) families.set(key, { groupNumber: k.groupNumber, subscriberNumber: k.subscriberNumber, members: [] });
  }
  if (families.size === 0) return families;
  const groups = [...families.values()].map((f) => f.groupNumber);
  const numbers = [...families.values()].map((f) => f.subscriberNumber);
  // One index probe per family (see PROBE): member_family_key_idx on its first two columns.
  const memberRows = db.query<MemberRow>(
    `select ${MEMBER_COLUMNS} from unnest($1::text[], $2::text[]) as k(g, s)
       cross join lateral (select * from member x where x.group_number = k.g and x.subscriber_number = k.s offset 0) m
      order by m.is_subscriber desc, m.id`,
    [groups, numbers],
  );
  // One index probe per family, then one per member (see PROBE).
  const coverageRows = db.query<CoverageRow>(
    `select c.id::text as id, c.member_id::text as member_id, c.insurance_line, c.plan_id, c.coverage_level, c.begin_date, c.end_date, c.cancelled
       from unnest($1::text[], $2::text[]) as k(g, s)
       cross join lateral (select x.id from member x where x.group_number = k.g and x.subscriber_number = k.s offset 0) m
       cross join lateral (select * from coverage y where y.member_id = m.id offset 0) c`,
    [groups, numbers],
  );
  const [members, coverages] = await bothSettled(memberRows, coverageRows);
  const rows = members.rows;
  if (rows.length === 0) return families;
  const byId = new Map<string, StoredMember>();
  for (const r of rows) {
    const m = memberFromRow(r);
    byId.set(r.id, m);
    families.get(familyKey(r.group_number, r.subscriber_number))!.members.push(m);
  }
  for (const r of coverages.rows) byId.get(r.member_id)?.coverages.push(coverageFromRow(r));
  for (const m of byId.values()) m.coverages.sort((a, b) => (a.beginDate < b.beginDate ? -1 : a.beginDate > b.beginDate ? 1 : Number(a.id) - Number(b.id)));
  return families;
}

/**
 * For SSN indexes (hex) in groups: the family keys on file holding each, so a matcher can
 * ask whether an SSN belongs to another family of the same group.
 */
export async function loadSsnOwners(db: Db, items: ReadonlyArray<{ groupNumber: string; ssnHmacHex: string }>): Promise<Map<string, Set<string>>> {
  const owners = new Map<string, Set<string>>();
  if (items.length === 0) return owners;
  // One probe of member_ssn_hmac_idx per SSN (see PROBE).
  const { rows } = await db.query<{ h: string; group_number: string; subscriber_number: string }>(
    `select k.h, m.group_number, m.subscriber_number from unnest($1::text[]) as k(h)
       cross join lateral (select x.group_number, x.subscriber_number from member x where x.ssn_hmac = decode(k.h, 'hex') offset 0) m
      where m.group_number = any($2::text[])`,
    [items.map((i) => i.ssnHmacHex), [...new Set(items.map((i) => i.groupNumber))]],
  );
  for (const r of rows) {
    const key = `${r.group_number}\u0000${r.h}`;
    let set = owners.get(key);
    if (!set) owners.set(key, (set = new Set()));
    set.add(familyKey(r.group_number, r.subscriber_number));
  }
  return owners;
}
