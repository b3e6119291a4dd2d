/**
 * Typed enrollment events read from an 834 (005010X220A1) transaction set.
 *
 * PHI lives only in the fields named for it: `name` / `incorrectName` (names, `ssn`,
 * `id`), `homeAddress`, `mailingAddress`, `demographics` (birthDate, gender, ...),
 * `contact`, and the parties (employer, school, custodial parent, responsible persons).
 * Code that logs or reports must leave those out; {@link memberAuditRef} gives the
 * non-PHI facts that may be written to logs and error messages.
 *
 * Dates are 'YYYY-MM-DD' strings.
 */

/** BGN08: 2 change (update), 4 verify (compare only), RX replace (full file). */
export type FileAction = 'change' | 'verify' | 'replace';

/** INS03 and HD01: 021 add, 001 change, 024 cancel or terminate, 025 reinstate, 030 audit. */
export type MaintenanceType = 'add' | 'change' | 'cancel-or-term' | 'reinstate' | 'audit';

/** INS05: A active, C COBRA, S surviving insured, T tax equity and fiscal responsibility act. */
export type BenefitStatus = 'active' | 'cobra' | 'surviving-insured' | 'tax-equity';

/** One DTP: qualifier (DTP01) and the date, or the range for RD8. */
export interface DateValue {
  qualifier: string;
  /** The date (D8), or the start of the range (RD8); absent when it could not be read. */
  date?: string | undefined;
  /** End of an RD8 range. */
  through?: string | undefined;
}

/** One REF: qualifier (REF01) and value (REF02). */
export interface RefValue {
  qualifier: string;
  value: string;
}

/** An N1 party in the header (sponsor, payer, broker/TPA). */
export interface HeaderParty {
  /** N102 (may be absent: the guide allows the ID alone). */
  name?: string | undefined;
  /** N103: FI federal tax ID, 94 code assigned by the sponsor, XV CMS plan ID, ... */
  idQualifier?: string | undefined;
  /** N104. */
  id?: string | undefined;
}

/** The facts of the set's header (ST, BGN, REF*38, DTP, 1000A/B/C). */
export interface EnrollmentFile {
  /** ST02. */
  control: string;
  /** BGN01: 00 original, 15 re-submission, 22 information copy. */
  purpose: string;
  /** BGN02, unique per file (a repeat is a resend). */
  reference: string;
  /** BGN03. */
  creationDate?: string | undefined;
  /** BGN04. */
  creationTime?: string | undefined;
  /** BGN06, the original reference a re-submission refers to. */
  originalReference?: string | undefined;
  /** BGN08 mapped; absent when BGN08 holds another code (see actionCode). */
  action?: FileAction | undefined;
  /** BGN08 as sent. */
  actionCode?: string | undefined;
  /** REF*38 master policy (group) number. */
  masterPolicy?: string | undefined;
  /** DTP*007 file effective date. */
  effectiveDate?: string | undefined;
  /** Every header DTP (007, 090, 091, 303, 382, 388). */
  dates: DateValue[];
  /** 1000A N1*P5. */
  sponsor?: HeaderParty | undefined;
  /** 1000B N1*IN. */
  payer?: HeaderParty | undefined;
  /** 1000C N1*BO / N1*TV. */
  broker?: (HeaderParty & { role: string }) | undefined;
}

/** NM1 name: PHI. */
export interface PersonName {
  /** NM101. */
  entity: string;
  /** NM102: 1 person, 2 non-person. */
  entityType?: string | undefined;
  last?: string | undefined;
  first?: string | undefined;
  middle?: string | undefined;
  prefix?: string | undefined;
  suffix?: string | undefined;
  /** NM108: 34 SSN, ZZ mutually defined, 24 EIN, FI, ... */
  idQualifier?: string | undefined;
  /** NM109 when NM108 = 34. */
  ssn?: string | undefined;
  /** NM109 when NM108 is not 34. */
  id?: string | undefined;
}

/** PER contact numbers: PHI. */
export interface Contact {
  /** PER01 (IP insured party, ...). */
  function: string;
  name?: string | undefined;
  /** PER03/04, 05/06, 07/08: HP home phone, WP work phone, TE, EM e-mail, ... */
  numbers: Array<{ qualifier: string; number: string }>;
}

/** N3 + N4: PHI. */
export interface Address {
  line1?: string | undefined;
  line2?: string | undefined;
  city?: string | undefined;
  state?: string | undefined;
  zip?: string | undefined;
  country?: string | undefined;
  /** N406 when N405 = CY (county code). */
  county?: string | undefined;
  /** N405/N406 when N405 is not CY. */
  location?: { qualifier: string; id: string } | undefined;
}

/** DMG: PHI. */
export interface Demographics {
  birthDate?: string | undefined;
  /** DMG03: F, M, U. */
  gender?: string | undefined;
  /** DMG04: B, D, I, M, R, S, U, W, X. */
  maritalStatus?: string | undefined;
  /** DMG05 race or ethnicity codes (C05-2 of each repetition). */
  race?: string[] | undefined;
  /** DMG06. */
  citizenship?: string | undefined;
}

/** A person or organisation named in a 2100D-H loop (PHI when a person). */
export interface Party {
  /** The loop: 2100D employer, 2100E school, 2100F custodial parent, 2100G responsible person, 2100H drop-off location. */
  loop: '2100D' | '2100E' | '2100F' | '2100G' | '2100H';
  name: PersonName;
  contact?: Contact | undefined;
  address?: Address | undefined;
}

/** 2320 coordination of benefits (other coverage: queued for a person, never applied). */
export interface OtherCoverage {
  /** COB01: P primary, S secondary, T tertiary, U unknown. */
  payerResponsibility: string;
  /** COB02 policy number of the other insurance. */
  policyNumber?: string | undefined;
  /** COB03: 1 coordination of benefits, 5 unknown, 6 no coverage. */
  benefits?: string | undefined;
  refs: RefValue[];
  dates: DateValue[];
  /** 2330 NM1 entities (insurer, employer, ...): NM101 and name. */
  entities: Array<{ entity: string; name?: string | undefined; idQualifier?: string | undefined; id?: string | undefined }>;
}

/** Named coverage (2300) dates. */
export interface CoverageDates {
  /** 348 benefit begin. */
  begin?: string | undefined;
  /** 349 benefit end. */
  end?: string | undefined;
  /** 303 maintenance effective. */
  maintenanceEffective?: string | undefined;
  /** 343 premium paid to date end. */
  premiumPaidToEnd?: string | undefined;
  /** 543 last premium paid. */
  lastPremiumPaid?: string | undefined;
  /** 695 previous period. */
  previousPeriod?: string | undefined;
  /** 300 enrollment signature. */
  enrollmentSignature?: string | undefined;
}

/** One 2300 health coverage loop. */
export interface Coverage {
  /** Segment position of the HD (ST = 1). */
  position: number;
  fileOffset: number;
  /** HD01 mapped (absent for 002 delete, 026 correction, 032 employee info not applicable). */
  maintenance?: MaintenanceType | undefined;
  /** HD01 as sent. */
  maintenanceCode: string;
  /** HD03 insurance line: HLT, DEN, VIS, PDG, HMO, ... */
  line?: string | undefined;
  /** HD04 plan coverage description. */
  planDescription?: string | undefined;
  /** HD05 coverage level: EMP, ESP, ECH, FAM, IND, SPC, ... */
  coverageLevel?: string | undefined;
  /** HD09 late enrollment indicator. */
  lateEnrollment?: string | undefined;
  dates: CoverageDates;
  /** Every DTP of the loop. */
  allDates: DateValue[];
  /** REF*1L group or policy number in 2300. */
  groupNumber?: string | undefined;
  /** REF*17 client reporting category in 2300. */
  reportingCategory?: string | undefined;
  /** Every REF of the loop. */
  refs: RefValue[];
  /** AMT (premium, copay, ...). */
  amounts: Array<{ qualifier: string; amount: string }>;
  /** Count of 2310 provider loops. */
  providers: number;
  /** 2320 loops under this coverage. */
  otherCoverage: OtherCoverage[];
}

/** Named member (2000) dates. */
export interface MemberDates {
  /** 356 eligibility begin. */
  eligibilityBegin?: string | undefined;
  /** 357 eligibility end. */
  eligibilityEnd?: string | undefined;
  /** 336 employment begin (hire). */
  hire?: string | undefined;
  /** 337 employment end. */
  employmentEnd?: string | undefined;
  /** 303 maintenance effective. */
  maintenanceEffective?: string | undefined;
  /** 050 received. */
  received?: string | undefined;
  /** 286 retirement. */
  retirement?: string | undefined;
  /** 296 initial disability period return to work. */
  returnToWork?: string | undefined;
  /** 297 initial disability period last day worked. */
  lastDayWorked?: string | undefined;
  /** 300 enrollment signature. */
  enrollmentSignature?: string | undefined;
  /** 301 COBRA qualifying event. */
  cobraQualifyingEvent?: string | undefined;
  /** 338 Medicare begin. */
  medicareBegin?: string | undefined;
  /** 339 Medicare end. */
  medicareEnd?: string | undefined;
  /** 340 COBRA begin. */
  cobraBegin?: string | undefined;
  /** 341 COBRA end. */
  cobraEnd?: string | undefined;
  /** 383 adjusted hire. */
  adjustedHire?: string | undefined;
  /** 473 Medicaid begin. */
  medicaidBegin?: string | undefined;
  /** 474 Medicaid end. */
  medicaidEnd?: string | undefined;
}

/** INS06 Medicare status (C052). */
export interface MedicareStatus {
  /** INS06-1: A part A, B part B, C A and B, D Medicare, E no Medicare. */
  plan: string;
  /** INS06-2: 0 age, 1 disability, 2 ESRD. */
  eligibilityReason?: string | undefined;
}

/** 2700/2750 reporting category. */
export interface ReportingCategory {
  /** N102 of N1*75: the category's name. */
  name?: string | undefined;
  /** REF01 of the 2750 REF. */
  qualifier?: string | undefined;
  /** REF02 of the 2750 REF: the value. */
  value?: string | undefined;
  /** DTP*007 of the 2750. */
  date?: string | undefined;
}

/** One member (loop 2000), ready to match and apply. */
export interface MemberEvent {
  /** Segment position of the INS, counting ST as 1 (for exception records). */
  position: number;
  /** Byte offset of the INS in the file. */
  fileOffset: number;
  /** ST02 of the set. */
  control: string;
  /** INS01 = Y. */
  subscriber: boolean;
  /** INS02: 18 self, 01 spouse, 19 child, 15 ward, ... */
  relationship: string;
  /** INS03 mapped (absent for a code outside the five). */
  maintenance?: MaintenanceType | undefined;
  /** INS03 as sent. */
  maintenanceCode: string;
  /** INS04 maintenance reason (XN, 07 termination, 25 change, AI no reason, ...). */
  reason?: string | undefined;
  /** INS05 mapped. */
  benefitStatus?: BenefitStatus | undefined;
  /** INS05 as sent. */
  benefitStatusCode?: string | undefined;
  /** INS06. */
  medicare?: MedicareStatus | undefined;
  /** INS07 COBRA qualifying event code (1 termination, 2 hours reduced, ...). */
  cobraEvent?: string | undefined;
  /** INS08 employment status (FT, PT, AC, TE, RT, ...). */
  employmentStatus?: string | undefined;
  /** INS09 student status (F, N, P). */
  studentStatus?: string | undefined;
  /** INS10 handicap indicator. */
  handicapped?: boolean | undefined;
  /** INS12 death date: PHI. */
  deathDate?: string | undefined;
  /** INS13 confidentiality code. */
  confidentiality?: string | undefined;
  /** INS17 birth sequence number. */
  birthSequence?: string | undefined;
  /** REF*0F subscriber number. */
  subscriberId?: string | undefined;
  /** REF*1L group or policy number. */
  groupNumber?: string | undefined;
  /** The other 2000 REFs (17, 23, 3H, 4A, 6O, ABB, DX, F6, P5, Q4, QQ, ZZ, ...). */
  memberIds: RefValue[];
  dates: MemberDates;
  /** Every 2000 DTP. */
  allDates: DateValue[];
  /** 2100A NM1*IL / NM1*74: PHI. */
  name?: PersonName | undefined;
  /** NM101 = 74: the 2100A is a name correction (2100B holds the name being corrected). */
  nameCorrection: boolean;
  /** 2100B NM1*70 incorrect member name and its DMG: PHI. */
  incorrectName?: PersonName | undefined;
  incorrectDemographics?: Demographics | undefined;
  /** 2100A PER: PHI. */
  contact?: Contact | undefined;
  /** 2100A N3/N4, the residence: PHI. */
  homeAddress?: Address | undefined;
  /** 2100C NM1*31 + N3/N4: PHI. */
  mailingAddress?: Address | undefined;
  /** 2100A DMG: PHI. */
  demographics?: Demographics | undefined;
  /** 2100D member employer. */
  employer?: Party | undefined;
  /** 2100E member school. */
  school?: Party | undefined;
  /** 2100F NM1*S3 custodial parent (a child's ID card goes there): PHI. */
  custodialParent?: Party | undefined;
  /** 2100G responsible persons (NM101 6Y, 9K, E1, ... QD, S1, TZ, X4): PHI. */
  responsiblePersons: Party[];
  /** 2100H drop-off location. */
  dropOffLocation?: Party | undefined;
  /** 2200 disability loops present. */
  disability: boolean;
  /** 2300 loops. */
  coverages: Coverage[];
  /** A 2320 COB loop in any coverage (other coverage is queued for a person). */
  hasOtherCoverage: boolean;
  /** 2700/2750 reporting categories. */
  reportingCategories: ReportingCategory[];
}

/** A fact about the set the reader could not map (never holds element values). */
export interface ReadNote {
  position: number;
  fileOffset: number;
  segmentId: string;
  element?: number | undefined;
  code: 'bad-date' | 'unknown-maintenance' | 'unknown-action' | 'outside-member';
}

/** The facts about a member that may appear in logs and error messages (no PHI). */
export function memberAuditRef(m: MemberEvent): {
  control: string;
  position: number;
  fileOffset: number;
  subscriber: boolean;
  relationship: string;
  maintenanceCode: string;
} {
  return {
    control: m.control,
    position: m.position,
    fileOffset: m.fileOffset,
    subscriber: m.subscriber,
    relationship: m.relationship,
    maintenanceCode: m.maintenanceCode,
  };
}

export const MAINTENANCE_TYPES: Readonly<Record<string, MaintenanceType>> = {
  '021': 'add',
  '001': 'change',
  '024': 'cancel-or-term',
  '025': 'reinstate',
  '030': 'audit',
};

export const FILE_ACTIONS: Readonly<Record<string, FileAction>> = {
  '2': 'change',
  '4': 'verify',
  RX: 'replace',
};

export const BENEFIT_STATUSES: Readonly<Record<string, BenefitStatus>> = {
  A: 'active',
  C: 'cobra',
  S: 'surviving-insured',
  T: 'tax-equity',
};

export const MEMBER_DATE_NAMES: Readonly<Record<string, keyof MemberDates>> = {
  '356': 'eligibilityBegin',
  '357': 'eligibilityEnd',
  '336': 'hire',
  '337': 'employmentEnd',
  '303': 'maintenanceEffective',
  '050': 'received',
  '286': 'retirement',
  '296': 'returnToWork',
  '297': 'lastDayWorked',
  '300': 'enrollmentSignature',
  '301': 'cobraQualifyingEvent',
  '338': 'medicareBegin',
  '339': 'medicareEnd',
  '340': 'cobraBegin',
  '341': 'cobraEnd',
  '383': 'adjustedHire',
  '473': 'medicaidBegin',
  '474': 'medicaidEnd',
};

export const COVERAGE_DATE_NAMES: Readonly<Record<string, keyof CoverageDates>> = {
  '348': 'begin',
  '349': 'end',
  '303': 'maintenanceEffective',
  '343': 'premiumPaidToEnd',
  '543': 'lastPremiumPaid',
  '695': 'previousPeriod',
  '300': 'enrollmentSignature',
};
