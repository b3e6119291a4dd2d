/**
 * One family as ops see it: found by a member ID we issued or by the employer's subscriber
 * number, with each member's status on a day, coverages, and recent history with its source.
 * The SSN is shown masked (last four digits); the rest is PHI for authorised eyes only and
 * is never logged.
 */
import type { Db } from '../db/db.js';
import type { PhiProtector } from '../phi/protector.js';
import { familyCards, type IdCardView } from './id-cards.js';
import { memberFromTuple, memberTuple, statusOn, type Address, type MemberStatus, type MemberTuple } from './model.js';

export interface MemberView {
  memberId: string;
  subscriber: boolean;
  relationship: string;
  name: { last: string | null; first: string | null; middle: string | null; suffix: string | null };
  birthDate: string | null;
  gender: string | null;
  ssnLast4: string | null;
  status: MemberStatus;
  eligibilityBegin: string;
  eligibilityEnd: string | null;
  subgroup: string | null;
  classCode: string;
  benefitStatus: string;
  homeAddress: Address;
  /** Null: mail goes to the home address. */
  mailingAddress: Address | null;
  coverages: Array<{ insuranceLine: string; planId: string; coverageLevel: string | null; begin: string; end: string | null; cancelled: boolean }>;
  history: Array<{ at: Date; action: string; effectiveDate: string | null; changed: string[]; fileId: string; interchangeControl: string; setControl: string; segmentPosition: number | null }>;
}

export interface FamilyView {
  groupNumber: string;
  subscriberNumber: string;
  members: MemberView[];
  /** ID cards pending or sent (cancelled ones left out), pending first, then newest first. */
  cards: IdCardView[];
}

/** Families holding the member ID or subscriber number (one per group it appears in). */
export async function findFamilies(db: Db, phi: PhiProtector, id: string, on: string, options: { groupNumber?: string; historyLimit?: number } = {}): Promise<FamilyView[]> {
  const keys = await db.query<{ group_number: string; subscriber_number: string }>(
    `select distinct group_number, subscriber_number from member
      where (id = $3::bigint or subscriber_number = $1) and ($2::text is null or group_number = $2)
      order by 1, 2 limit 20`,
    [id, options.groupNumber ?? null, /^EB[0-9]{10}$/.test(id) ? String(Number(id.slice(2))) : null],
  );
  const out: FamilyView[] = [];
  for (const k of keys.rows) {
    const rows = await db.query<{ t: string; ssn_enc: Uint8Array | null }>(
      `select ${memberTuple('m')}::text as t, m.ssn_enc from member m
        where m.group_number = $1 and m.subscriber_number = $2 order by m.is_subscriber desc, m.id`,
      [k.group_number, k.subscriber_number],
    );
    const members = rows.rows.map((r) => memberFromTuple(JSON.parse(r.t) as MemberTuple, r.ssn_enc === null ? null : Buffer.from(r.ssn_enc)));
    const ids = members.map((m) => m.id!);
    const cov = await db.query<{ member_id: string; insurance_line: string; plan_id: string; coverage_level: string | null; begin_date: string; end_date: string | null; cancelled: boolean }>(
      `select member_id::text as member_id, insurance_line, plan_id, coverage_level, begin_date, end_date, cancelled
         from coverage where member_id = any($1::bigint[]) order by insurance_line, begin_date`,
      [ids],
    );
    const hist = await db.query<{ member_id: string; at: Date; action: string; effective_date: string | null; changed: string[]; file_id: string; interchange_control: string; set_control: string; segment_position: number | null }>(
      `select * from (
         select member_id::text as member_id, at, action, effective_date, changed, file_id::text as file_id,
                interchange_control, set_control, segment_position,
                row_number() over (partition by member_id order by id desc) as rn
           from member_history where member_id = any($1::bigint[])) h
        where rn <= $2 order by member_id, at desc`,
      [ids, options.historyLimit ?? 10],
    );
    const cards = await familyCards(db, k.group_number, k.subscriber_number);
    out.push({
      groupNumber: k.group_number,
      subscriberNumber: k.subscriber_number,
      cards,
      members: members.map((m) => {
        const ssn = m.ssnEnc ? phi.decryptSsn(m.ssnEnc) : null;
        return {
          memberId: m.memberId!,
          subscriber: m.isSubscriber,
          relationship: m.relationship,
          name: { last: m.lastName, first: m.firstName, middle: m.middleName, suffix: m.nameSuffix },
          birthDate: m.birthDate,
          gender: m.gender,
          ssnLast4: ssn ? ssn.slice(-4) : null,
          status: statusOn(m, on),
          eligibilityBegin: m.eligibilityBegin,
          eligibilityEnd: m.eligibilityEnd,
          subgroup: m.subgroup,
          classCode: m.classCode,
          benefitStatus: m.benefitStatus,
          homeAddress: m.home,
          mailingAddress: m.mailing,
          coverages: cov.rows.filter((c) => c.member_id === m.id).map((c) => ({
            insuranceLine: c.insurance_line,
            planId: c.plan_id,
            coverageLevel: c.coverage_level,
            begin: c.begin_date,
            end: c.end_date,
            cancelled: c.cancelled,
          })),
          history: hist.rows.filter((h) => h.member_id === m.id).map((h) => ({
            at: h.at,
            action: h.action,
            effectiveDate: h.effective_date,
            changed: h.changed,
            fileId: h.file_id,
            interchangeControl: h.interchange_control,
            setControl: h.set_control,
            segmentPosition: h.segment_position,
          })),
        };
      }),
    });
  }
  return out;
}
