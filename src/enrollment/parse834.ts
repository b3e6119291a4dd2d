/**
 * Streams one 834 transaction set (ST..SE) into MemberEvents, one per 2000 loop, each
 * handed to `onMember` as soon as its loop ends. The set is assumed already validated
 * by the X12 engine: loops are told apart by segment id and qualifier only.
 */
import type { Segment } from '../x12/tokenize/segment.js';
import {
  BENEFIT_STATUSES,
  COVERAGE_DATE_NAMES,
  FILE_ACTIONS,
  MAINTENANCE_TYPES,
  MEMBER_DATE_NAMES,
  type Address,
  type Contact,
  type Coverage,
  type DateValue,
  type Demographics,
  type EnrollmentFile,
  type HeaderParty,
  type MemberEvent,
  type OtherCoverage,
  type Party,
  type PersonName,
  type ReadNote,
  type ReportingCategory,
} from './events.js';

export interface Enrollment834ReaderOptions {
  /** Called with each finished member (the next INS, LE or SE ends its loop). */
  onMember: (event: MemberEvent) => void;
  /** Called once with the header facts, at the first INS (or at the end of a set without one). */
  onHeader?: (header: EnrollmentFile) => void;
}

type Loop =
  | 'header'
  | '1000A'
  | '1000B'
  | '1000C'
  | '1100C'
  | '2000'
  | '2100A'
  | '2100B'
  | '2100C'
  | '2100D'
  | '2100E'
  | '2100F'
  | '2100G'
  | '2100H'
  | '2200'
  | '2300'
  | '2310'
  | '2320'
  | '2330'
  | 'LS'
  | '2700'
  | '2750'
  | 'after-LE';

const RESPONSIBLE_PERSON = new Set(['6Y', '9K', 'E1', 'EI', 'EXS', 'GB', 'GD', 'J6', 'LR', 'QD', 'S1', 'TZ', 'X4']);

/** Sets a property only when the value is present (exactOptionalPropertyTypes-friendly). */
function opt<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | '' | undefined): void {
  if (value !== undefined && value !== '') target[key] = value as T[K];
}

/**
 * Valid dates already converted, so every member with the same date shares one string (the
 * file's effective and coverage dates recur in nearly every member, birth dates often):
 * nothing allocated for it again, nothing for the young-generation collector to copy while
 * its event waits for a batch. Bounded like SHORTTEXT in segment.ts.
 */
const isoDates = new Map<string, string>();
const ISO_DATES_MAX = 32_768;

/** CCYYMMDD → YYYY-MM-DD; undefined when not a valid calendar date. */
export function d8(text: string): string | undefined {
  if (text.length !== 8) return undefined;
  const known = isoDates.get(text);
  if (known !== undefined) return known;
  // Every member has several dates: plain arithmetic, no regex or Date object.
  let y = 0;
  let m = 0;
  let d = 0;
  for (let i = 0; i < 8; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    if (i < 4) y = y * 10 + c;
    else if (i < 6) m = m * 10 + c;
    else d = d * 10 + c;
  }
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  const iso = `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
  if (isoDates.size >= ISO_DATES_MAX) isoDates.clear();
  isoDates.set(text, iso);
  return iso;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

export class Enrollment834Reader {
  private readonly onMember: (event: MemberEvent) => void;
  private readonly onHeader: ((header: EnrollmentFile) => void) | undefined;
  private readonly file: EnrollmentFile = { control: '', purpose: '', reference: '', dates: [] };
  private headerDone = false;
  private loop: Loop = 'header';
  private member: MemberEvent | undefined;
  private party: Party | undefined;
  private coverage: Coverage | undefined;
  private cob: OtherCoverage | undefined;
  private category: ReportingCategory | undefined;
  private ended = false;
  private membersRead = 0;
  /** Things the reader could not map, by position (never with element values). */
  readonly notes: ReadNote[] = [];

  constructor(options: Enrollment834ReaderOptions) {
    this.onMember = options.onMember;
    this.onHeader = options.onHeader;
  }

  /** Header facts; complete once the first INS has been read. */
  get header(): EnrollmentFile | undefined {
    return this.headerDone ? this.file : undefined;
  }

  /** Members delivered so far. */
  get members(): number {
    return this.membersRead;
  }

  /** Feeds one segment of the set; `position` counts from ST = 1. `seg` is not kept. */
  segment(seg: Segment, position: number): void {
    if (this.ended) return;
    switch (seg.id) {
      case 'ST':
        this.file.control = seg.element(2);
        return;
      case 'BGN':
        return this.bgn(seg, position);
      case 'INS':
        return this.ins(seg, position);
      case 'SE':
        return this.end();
      case 'LS':
        this.loop = 'LS';
        return;
      case 'LE':
        this.finishMember();
        this.loop = 'after-LE';
        return;
      default:
        break;
    }
    if (!this.member) return this.headerSegment(seg, position);
    this.memberSegment(this.member, seg, position);
  }

  /** Ends the set: delivers the last member. Called by SE, or by the caller when the set is cut short. */
  end(): void {
    if (this.ended) return;
    this.finishMember();
    this.finishHeader();
    this.ended = true;
  }

  // ---- header ---------------------------------------------------------------

  private bgn(seg: Segment, position: number): void {
    const f = this.file;
    f.purpose = seg.element(1);
    f.reference = seg.element(2);
    opt(f, 'creationDate', d8(seg.element(3)));
    opt(f, 'creationTime', seg.element(4));
    opt(f, 'originalReference', seg.element(6));
    const code = seg.element(8);
    if (code !== '') {
      f.actionCode = code;
      const action = FILE_ACTIONS[code];
      if (action) f.action = action;
      else this.note(seg, position, 'unknown-action', 8);
    }
  }

  private headerSegment(seg: Segment, position: number): void {
    const f = this.file;
    switch (seg.id) {
      case 'REF':
        if (seg.element(1) === '38') f.masterPolicy = seg.element(2);
        return;
      case 'DTP': {
        const dv = this.date(seg, position);
        f.dates.push(dv);
        if (dv.qualifier === '007' && dv.date !== undefined) f.effectiveDate = dv.date;
        return;
      }
      case 'N1': {
        const q = seg.element(1);
        const party: HeaderParty = {};
        opt(party, 'name', seg.element(2));
        opt(party, 'idQualifier', seg.element(3));
        opt(party, 'id', seg.element(4));
        if (q === 'P5') {
          f.sponsor = party;
          this.loop = '1000A';
        } else if (q === 'IN') {
          f.payer = party;
          this.loop = '1000B';
        } else if (q === 'BO' || q === 'TV') {
          f.broker = { ...party, role: q };
          this.loop = '1000C';
        }
        return;
      }
      case 'ACT':
        this.loop = '1100C';
        return;
      default:
        // QTY and other header segments carry nothing the events need. Member content
        // before any INS cannot belong to a member.
        if (this.loop === 'LS' || this.loop === 'after-LE') this.note(seg, position, 'outside-member');
        return;
    }
  }

  private finishHeader(): void {
    if (this.headerDone) return;
    this.headerDone = true;
    this.onHeader?.(this.file);
  }

  // ---- members --------------------------------------------------------------

  private ins(seg: Segment, position: number): void {
    this.finishMember();
    this.finishHeader();
    const code = seg.element(3);
    const m: MemberEvent = {
      position,
      fileOffset: seg.fileOffset,
      control: this.file.control,
      subscriber: seg.element(1) === 'Y',
      relationship: seg.element(2),
      maintenanceCode: code,
      memberIds: [],
      dates: {},
      allDates: [],
      nameCorrection: false,
      responsiblePersons: [],
      disability: false,
      coverages: [],
      hasOtherCoverage: false,
      reportingCategories: [],
    };
    const maintenance = MAINTENANCE_TYPES[code];
    if (maintenance) m.maintenance = maintenance;
    else this.note(seg, position, 'unknown-maintenance', 3);
    opt(m, 'reason', seg.element(4));
    const status = seg.element(5);
    if (status !== '') {
      m.benefitStatusCode = status;
      opt(m, 'benefitStatus', BENEFIT_STATUSES[status]);
    }
    const medicare = components(seg, 6);
    if (medicare[0]) {
      m.medicare = { plan: medicare[0] };
      opt(m.medicare, 'eligibilityReason', medicare[1]);
    }
    opt(m, 'cobraEvent', seg.element(7));
    opt(m, 'employmentStatus', seg.element(8));
    opt(m, 'studentStatus', seg.element(9));
    const handicap = seg.element(10);
    if (handicap === 'Y' || handicap === 'N') m.handicapped = handicap === 'Y';
    if (seg.element(12) !== '') {
      const death = d8(seg.element(12));
      if (death) m.deathDate = death;
      else this.note(seg, position, 'bad-date', 12);
    }
    opt(m, 'confidentiality', seg.element(13));
    opt(m, 'birthSequence', seg.element(17));
    this.member = m;
    this.loop = '2000';
  }

  private finishMember(): void {
    const m = this.member;
    if (!m) return;
    this.member = undefined;
    this.party = undefined;
    this.coverage = undefined;
    this.cob = undefined;
    this.category = undefined;
    this.membersRead++;
    this.onMember(m);
  }

  private memberSegment(m: MemberEvent, seg: Segment, position: number): void {
    switch (seg.id) {
      case 'NM1':
        return this.nm1(m, seg);
      case 'HD':
        return this.hd(m, seg, position);
      case 'COB':
        return this.cobSegment(m, seg);
      case 'DSB':
        m.disability = true;
        this.loop = '2200';
        return;
      case 'LX':
        if (this.loop === 'LS' || this.loop === '2700' || this.loop === '2750') this.loop = '2700';
        else if (this.coverage) {
          this.coverage.providers++;
          this.loop = '2310';
        }
        return;
      case 'N1':
        if (seg.element(1) === '75' && (this.loop === '2700' || this.loop === '2750' || this.loop === 'LS')) {
          const c: ReportingCategory = {};
          opt(c, 'name', seg.element(2));
          m.reportingCategories.push(c);
          this.category = c;
          this.loop = '2750';
        }
        return;
      case 'REF':
        return this.ref(m, seg);
      case 'DTP':
        return this.dtp(m, seg, position);
      case 'PER':
        return this.per(m, seg);
      case 'N3':
      case 'N4':
        return this.address(m, seg);
      case 'DMG':
        return this.dmg(m, seg, position);
      case 'AMT':
        if (this.loop === '2300' && this.coverage) {
          this.coverage.amounts.push({ qualifier: seg.element(1), amount: seg.element(2) });
        }
        return;
      default:
        // EC, ICM, HLH, LUI, IDC, PLA ... carry nothing the events need yet.
        return;
    }
  }

  private nm1(m: MemberEvent, seg: Segment): void {
    const q = seg.element(1);
    // Inside a COB loop every NM1 opens a 2330; inside a 2310 the provider's name.
    if (this.loop === '2320' || this.loop === '2330') {
      if (this.cob) {
        const e: OtherCoverage['entities'][number] = { entity: q };
        opt(e, 'name', seg.element(3));
        opt(e, 'idQualifier', seg.element(8));
        opt(e, 'id', seg.element(9));
        this.cob.entities.push(e);
      }
      this.loop = '2330';
      return;
    }
    if (this.loop === '2310') return;
    const name = personName(seg);
    this.party = undefined;
    if (q === 'IL' || q === '74') {
      m.name = name;
      m.nameCorrection = q === '74';
      this.loop = '2100A';
    } else if (q === '70') {
      m.incorrectName = name;
      this.loop = '2100B';
    } else if (q === '31') {
      this.loop = '2100C';
    } else if (q === '36') {
      this.party = m.employer = { loop: '2100D', name };
      this.loop = '2100D';
    } else if (q === 'M8') {
      this.party = m.school = { loop: '2100E', name };
      this.loop = '2100E';
    } else if (q === 'S3') {
      this.party = m.custodialParent = { loop: '2100F', name };
      this.loop = '2100F';
    } else if (RESPONSIBLE_PERSON.has(q)) {
      this.party = { loop: '2100G', name };
      m.responsiblePersons.push(this.party);
      this.loop = '2100G';
    } else if (q === '45') {
      this.party = m.dropOffLocation = { loop: '2100H', name };
      this.loop = '2100H';
    }
  }

  private hd(m: MemberEvent, seg: Segment, position: number): void {
    const code = seg.element(1);
    const c: Coverage = {
      position,
      fileOffset: seg.fileOffset,
      maintenanceCode: code,
      dates: {},
      allDates: [],
      refs: [],
      amounts: [],
      providers: 0,
      otherCoverage: [],
    };
    opt(c, 'maintenance', MAINTENANCE_TYPES[code]);
    opt(c, 'line', seg.element(3));
    opt(c, 'planDescription', seg.element(4));
    opt(c, 'coverageLevel', seg.element(5));
    opt(c, 'lateEnrollment', seg.element(9));
    m.coverages.push(c);
    this.coverage = c;
    this.cob = undefined;
    this.party = undefined;
    this.loop = '2300';
  }

  private cobSegment(m: MemberEvent, seg: Segment): void {
    const o: OtherCoverage = { payerResponsibility: seg.element(1), refs: [], dates: [], entities: [] };
    opt(o, 'policyNumber', seg.element(2));
    opt(o, 'benefits', seg.element(3));
    m.hasOtherCoverage = true;
    this.coverage?.otherCoverage.push(o);
    this.cob = o;
    this.loop = '2320';
  }

  private ref(m: MemberEvent, seg: Segment): void {
    const r = { qualifier: seg.element(1), value: seg.element(2) };
    switch (this.loop) {
      case '2000':
        if (r.qualifier === '0F') m.subscriberId = r.value;
        else if (r.qualifier === '1L') m.groupNumber = r.value;
        else m.memberIds.push(r);
        return;
      case '2300':
        if (!this.coverage) return;
        this.coverage.refs.push(r);
        if (r.qualifier === '1L') this.coverage.groupNumber = r.value;
        else if (r.qualifier === '17') this.coverage.reportingCategory = r.value;
        return;
      case '2320':
        this.cob?.refs.push(r);
        return;
      case '2750':
        if (this.category) {
          this.category.qualifier = r.qualifier;
          this.category.value = r.value;
        }
        return;
      default:
        return;
    }
  }

  private dtp(m: MemberEvent, seg: Segment, position: number): void {
    const dv = this.date(seg, position);
    switch (this.loop) {
      case '2000': {
        m.allDates.push(dv);
        const key = MEMBER_DATE_NAMES[dv.qualifier];
        if (key && dv.date !== undefined) m.dates[key] = dv.date;
        return;
      }
      case '2300': {
        if (!this.coverage) return;
        this.coverage.allDates.push(dv);
        const key = COVERAGE_DATE_NAMES[dv.qualifier];
        if (key && dv.date !== undefined) this.coverage.dates[key] = dv.date;
        return;
      }
      case '2320':
        this.cob?.dates.push(dv);
        return;
      case '2750':
        if (this.category && dv.date !== undefined) this.category.date = dv.date;
        return;
      default:
        // 2200 disability dates and others: not mapped yet.
        return;
    }
  }

  private per(m: MemberEvent, seg: Segment): void {
    const c: Contact = { function: seg.element(1), numbers: [] };
    opt(c, 'name', seg.element(2));
    for (let i = 3; i <= 7; i += 2) {
      const q = seg.element(i);
      const n = seg.element(i + 1);
      if (q !== '' || n !== '') c.numbers.push({ qualifier: q, number: n });
    }
    if (this.loop === '2100A') m.contact = c;
    else if (this.party) this.party.contact = c;
  }

  private address(m: MemberEvent, seg: Segment): void {
    let target: Address;
    if (this.loop === '2100A') target = m.homeAddress ??= {};
    else if (this.loop === '2100C') target = m.mailingAddress ??= {};
    else if (this.party) target = this.party.address ??= {};
    else return; // 2310 provider, 2330 entity addresses: not mapped.
    if (seg.id === 'N3') {
      opt(target, 'line1', seg.element(1));
      opt(target, 'line2', seg.element(2));
      return;
    }
    opt(target, 'city', seg.element(1));
    opt(target, 'state', seg.element(2));
    opt(target, 'zip', seg.element(3));
    opt(target, 'country', seg.element(4));
    const lq = seg.element(5);
    const lid = seg.element(6);
    if (lq === 'CY') opt(target, 'county', lid);
    else if (lq !== '' || lid !== '') target.location = { qualifier: lq, id: lid };
  }

  private dmg(m: MemberEvent, seg: Segment, position: number): void {
    const d: Demographics = {};
    const raw = seg.element(2);
    if (raw !== '') {
      const birth = seg.element(1) === 'D8' ? d8(raw) : undefined;
      if (birth) d.birthDate = birth;
      else this.note(seg, position, 'bad-date', 2);
    }
    opt(d, 'gender', seg.element(3));
    opt(d, 'maritalStatus', seg.element(4));
    if (seg.element(5) !== '') {
      const race: string[] = [];
      const rep = seg.delimiters.repetition;
      const reps = rep >= 0 ? seg.element(5).split(String.fromCharCode(rep)) : [seg.element(5)];
      const comp = String.fromCharCode(seg.delimiters.component);
      for (const r of reps) {
        const parts = r.split(comp);
        const code = parts[1] ?? parts[0];
        if (code) race.push(code);
      }
      if (race.length > 0) d.race = race;
    }
    opt(d, 'citizenship', seg.element(6));
    if (this.loop === '2100A') m.demographics = d;
    else if (this.loop === '2100B') m.incorrectDemographics = d;
  }

  // ---- helpers --------------------------------------------------------------

  private date(seg: Segment, position: number): DateValue {
    const dv: DateValue = { qualifier: seg.element(1) };
    const format = seg.element(2);
    const text = seg.element(3);
    if (format === 'D8') {
      const d = d8(text);
      if (d) dv.date = d;
      else this.note(seg, position, 'bad-date', 3);
    } else if (format === 'RD8') {
      const [from = '', to = ''] = text.split('-');
      const a = d8(from);
      const b = d8(to);
      if (a && b) {
        dv.date = a;
        dv.through = b;
      } else this.note(seg, position, 'bad-date', 3);
    } else this.note(seg, position, 'bad-date', 2);
    return dv;
  }

  private note(seg: Segment, position: number, code: ReadNote['code'], element?: number): void {
    const n: ReadNote = { position, fileOffset: seg.fileOffset, segmentId: seg.id, code };
    if (element !== undefined) n.element = element;
    this.notes.push(n);
  }
}

function components(seg: Segment, i: number): string[] {
  const text = seg.element(i);
  if (text === '') return [];
  return text.split(String.fromCharCode(seg.delimiters.component));
}

function personName(seg: Segment): PersonName {
  const n: PersonName = { entity: seg.element(1) };
  opt(n, 'entityType', seg.element(2));
  opt(n, 'last', seg.element(3));
  opt(n, 'first', seg.element(4));
  opt(n, 'middle', seg.element(5));
  opt(n, 'prefix', seg.element(6));
  opt(n, 'suffix', seg.element(7));
  const q = seg.element(8);
  const id = seg.element(9);
  if (q !== '') n.idQualifier = q;
  if (id !== '') {
    if (q === '34') n.ssn = id;
    else n.id = id;
  }
  return n;
}
