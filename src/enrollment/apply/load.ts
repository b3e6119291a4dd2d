/**
 * Loading what a batch of families needs, in three statements whatever the batch's size:
 * the families' members, their coverages, and which of the batch's SSNs are on file in the
 * same group under another family.
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

/** The families with these keys, with their members and coverages (a key not on file gets an empty family). */
export async function loadFamilies(db: Db, keys: ReadonlyArray<{ groupNumber: string; subscriberNumber: string }>): Promise<Map<string, Family>> {
  const families = new Map<string, Family>();
  for (const k of keys) {
    const key = familyKey(k.groupNumber, k.subscriberNumber);
    if (!families.has(key)) families.set(key, { groupNumber: k.groupNumber, subscriberNumber: k.subscriberNumber, members: [] });
  }
  if (families.size === 0) return families;
  const groups = [...families.values()].map((f) => f.groupNumber);
  const numbers = [...families.values()].map((f) => f.subscriberNumber);
  // Arrays on both index columns (an index scan whatever the statistics say, even inside a
  // transaction that has just written the rows), then the exact pairs.
  const { rows } = await db.query<MemberRow>(
    `select ${MEMBER_COLUMNS} from member m
      where m.group_number = any($1::text[]) and m.subscriber_number = any($2::text[])
        and m.group_number || chr(1) || m.subscriber_number = any($3::text[])
      order by m.is_subscriber desc, m.id`,
    [[...new Set(groups)], numbers, groups.map((g, i) => `${g}\u0001${numbers[i]}`)],
  );
  if (rows.length === 0) return families;
  const byId = new Map<string, StoredMember>();
  for (const r of rows) {
    const m = memberFromRow(r);
    byId.set(r.id, m);
    families.get(familyKey(r.group_number, r.subscriber_number))!.members.push(m);
  }
  const cov = await db.query<CoverageRow>(
    `select id::text as id, member_id::text as member_id, insurance_line, plan_id, coverage_level, begin_date, end_date, cancelled
       from coverage where member_id = any($1::bigint[])`,
    [[...byId.keys()]],
  );
  for (const r of cov.rows) byId.get(r.member_id)?.coverages.push(coverageFromRow(r));
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
  const { rows } = await db.query<{ h: string; group_number: string; subscriber_number: string }>(
    `select encode(m.ssn_hmac, 'hex') as h, m.group_number, m.subscriber_number from member m
      where m.ssn_hmac = any(array(select decode(x, 'hex') from unnest($1::text[]) as u(x)))
        and m.group_number = any($2::text[])`,
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
