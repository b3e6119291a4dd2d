/**
 * The enrollment rules (DESIGN §3) in one place: each member event of a family is matched,
 * checked against the rules that send it to a person, and applied to the family in memory.
 * Nothing here touches the database: the loader hands in families, the writer stores what
 * changed, so every rule is testable on its own and a set is written in a few statements.
 */
import type { Coverage, FileAction, MaintenanceType, MemberEvent } from '../events.js';
import type { PhiProtector } from '../../phi/protector.js';
import type { ExceptionCategory } from '../../exceptions/categories.js';
import { addDays, addMonths, ageOn, daysBetween, monthsTouched } from './dates.js';
import { classValidOn, planNameKey, type GroupRules } from './group-rules.js';
import { matchMember, sameName } from './match.js';
import {
  CHILD_RELATIONSHIPS,
  memberInForce,
  subscriberOf,
  type Address,
  type Family,
  type MemberField,
  type MemberFields,
  type StoredCoverage,
  type StoredMember,
} from '../../membership/model.js';
import { checkZip } from './zip-check.js';

export interface ApplyContext {
  /** The day the rules run: terminations dated later wait for their date. */
  today: string;
  /** The day the file was received: the retroactivity rules count from it. */
  receivedDate: string;
  /** The set's DTP*007, when given. */
  fileEffectiveDate: string | undefined;
  /** The set's REF*38 master policy (group) number, when given. */
  masterPolicy: string | undefined;
  action: FileAction;
  partnerId: string;
  groups: ReadonlyMap<string, GroupRules>;
  phi: PhiProtector;
}

export type HistoryAction = 'add' | 'change' | 'terminate' | 'cancel' | 'reinstate';

export interface HistoryEntry {
  member: StoredMember;
  action: HistoryAction;
  effectiveDate: string | null;
  changed: string[];
  previous: Record<string, unknown> | null;
  /** The INS position (ST = 1); absent for a member a full file omitted. */
  position: number | undefined;
}

export interface PendingException {
  category: ExceptionCategory;
  /** The INS position (ST = 1); absent for a member the set does not name (full-file omission). */
  position: number | undefined;
  /** The member it is about, when on file or being added (its member ID names it). */
  member?: StoredMember | undefined;
  groupNumber: string | undefined;
  subscriberNumber: string | undefined;
  subgroup: string | undefined;
  classCode: string | undefined;
  description: string;
  /** The event was held by a rule (nothing of it applied), rather than queued beside an applied change. */
  held?: true;
}

export interface RetroEntry {
  member: StoredMember;
  coverage: StoredCoverage | null;
  kind: 'charge' | 'credit';
  effectiveDate: string;
  months: number;
  status: 'pending' | 'review';
}

export interface ApplyCounts {
  added: number;
  changed: number;
  unchanged: number;
  terminated: number;
  cancelled: number;
  reinstated: number;
  /** Member events not applied (each has an exception). */
  held: number;
}

export function emptyCounts(): ApplyCounts {
  return { added: 0, changed: 0, unchanged: 0, terminated: 0, cancelled: 0, reinstated: 0, held: 0 };
}

/** What applying a batch of families produced, besides the changed families themselves. */
export interface ApplyOutput {
  history: HistoryEntry[];
  exceptions: PendingException[];
  retro: RetroEntry[];
  /** Families with a new or reinstated member: their ID cards are (re)issued. */
  cardFamilies: Set<Family>;
  counts: ApplyCounts;
}

export function emptyOutput(): ApplyOutput {
  return { history: [], exceptions: [], retro: [], cardFamilies: new Set(), counts: emptyCounts() };
}

/** Apply order within a family: add, reinstate, terminate, change, audit (then subscriber first, then file order). */
const MAINTENANCE_RANK: Record<MaintenanceType, number> = { add: 0, reinstate: 1, 'cancel-or-term': 2, change: 3, audit: 4 };

export function orderFamilyEvents(events: readonly MemberEvent[]): readonly MemberEvent[] {
  const rank = (e: MemberEvent): number => (e.maintenance ? MAINTENANCE_RANK[e.maintenance] : 5);
  const order = (a: MemberEvent, b: MemberEvent): number => rank(a) - rank(b) || Number(b.subscriber) - Number(a.subscriber) || a.position - b.position;
  // Most families arrive in order already (subscriber first, one kind of change): no copy then.
  for (let i = 1; i < events.length; i++) {
    if (order(events[i - 1]!, events[i]!) > 0) return [...events].sort(order);
  }
  return events;
}

/** A reason an event is held; the category says which person decides. */
class Hold {
  constructor(
    readonly category: ExceptionCategory,
    readonly description: string,
  ) {}
}

const MEDICARE_PLANS = new Set(['A', 'B', 'C', 'D']);
/** COBRA lasts 18 months after a termination or reduction of hours; 36 after the other events. */
const COBRA_36_MONTH_EVENTS = new Set(['3', '4', '5', '6', '7', '8']);
/** A disabled qualified beneficiary extends 18 months to 29. */
const COBRA_DISABILITY_MONTHS = 29;

/** How every hold of a dependent child aged 26 or over coming back into coverage begins. */
const ADULT_CHILD_BACK = 'The file would put a dependent child aged 26 or over back into coverage';

/** Who an exception about an event's member is about, without PHI. */
function whoOf(event: MemberEvent): string {
  if (event.subscriber) return 'the subscriber';
  if (event.relationship === '01') return 'the spouse';
  return CHILD_RELATIONSHIPS.has(event.relationship) ? 'the dependent child' : 'the dependent';
}

/**
 * Dates that cannot be true, a business reject each (the 999 cannot carry them): a birth date
 * after the file was received, a coverage ending before it begins (HD DTP*349 before its
 * DTP*348), an eligibility ending before it begins (DTP*357 before DTP*356).
 */
function impossibleDate(event: MemberEvent, receivedDate: string): Hold | undefined {
  const who = whoOf(event);
  const birth = event.demographics?.birthDate;
  if (birth !== undefined && birth > receivedDate) {
    return new Hold('birth-date-in-future', `The date of birth of ${who} (DMG02) is after the day the file was received (${receivedDate}); nothing of this member was applied. Send the correct date of birth.`);
  }
  const { eligibilityBegin: begin, eligibilityEnd: end } = event.dates;
  if (begin !== undefined && end !== undefined && end < begin) {
    return new Hold('eligibility-ends-before-begin', `The eligibility of ${who} ends (DTP*357) before it begins (DTP*356); nothing of this member was applied. Correct the eligibility begin or end date.`);
  }
  for (const c of event.coverages) {
    if (c.dates.begin !== undefined && c.dates.end !== undefined && c.dates.end < c.dates.begin) {
      return new Hold('coverage-ends-before-begin', `The ${c.line ?? ''} coverage of ${who} ends (DTP*349) before it begins (DTP*348); nothing of this member was applied. Correct the coverage begin or end date.`);
    }
  }
  return undefined;
}

/** 2000 REF qualifiers read as the member's subgroup and class (see the README). */
export const SUBGROUP_REF = 'DX';
export const CLASS_REF = '17';

export class EnrollmentApplier {
  /** A held subscriber's family: its dependents' events are held with it. */
  private readonly heldFamilies = new Map<Family, ExceptionCategory>();
  /** The INS position of the event being applied (for exceptions raised on the way). */
  private position: number | undefined;
  /**
   * Each event's SSN index, computed once: the batch loader asks for it a batch before the
   * rules do (LOADAHEAD in apply-set.ts), so it lives as long as the event, not the batch.
   */
  private readonly ssnIndexes = new WeakMap<MemberEvent, Buffer | null>();
  /** Sealed SSNs done ahead (on the SSN thread) for events that add a member. */
  private readonly sealedSsns = new WeakMap<MemberEvent, Buffer>();
  /** Members whose retro billing went to a person for the current event (one item each). */
  private readonly retroQueued = new Set<StoredMember>();
  /** Members the set names (matched or added): a full file ends or queues the others. */
  readonly seen = new Set<StoredMember>();

  private out: ApplyOutput = emptyOutput();

  constructor(private readonly ctx: ApplyContext) {}

  /** What the rules produced since the last call (history, exceptions, ...), and a fresh start. */
  takeOutput(): ApplyOutput {
    const out = this.out;
    this.out = emptyOutput();
    return out;
  }

  /** The group a member event belongs to: its REF*1L when that is a group on file, else the set's REF*38. */
  groupNumberOf(event: MemberEvent): string | undefined {
    if (event.groupNumber && this.ctx.groups.has(event.groupNumber)) return event.groupNumber;
    return this.ctx.masterPolicy ?? event.groupNumber;
  }

  /** The SSN index of an event's member, if it gives an SSN. */
  ssnIndexOf(event: MemberEvent): Buffer | null {
    let h = this.ssnIndexes.get(event);
    if (h === undefined) this.ssnIndexes.set(event, (h = event.name?.ssn ? this.ctx.phi.ssnIndex(event.name.ssn) : null));
    return h;
  }

  /** SSN work done ahead for an event (by the SSN thread): its index, and its sealed SSN if sealed. */
  knowSsn(event: MemberEvent, index: Buffer, sealed: Buffer | undefined): void {
    this.ssnIndexes.set(event, index);
    if (sealed) this.sealedSsns.set(event, sealed);
  }

  /** The event's SSN sealed for storage (done ahead when it could be). */
  private sealedSsnOf(event: MemberEvent, ssn: string): Buffer {
    return this.sealedSsns.get(event) ?? this.ctx.phi.encryptSsn(ssn);
  }

  /**
   * Applies one family's events in the fixed order. `ssnElsewhere(hmac)` says whether an SSN
   * is on file in the group for a member of another family.
   */
  applyFamily(family: Family, events: MemberEvent[], ssnElsewhere: (hmac: Buffer) => boolean): void {
    for (const event of orderFamilyEvents(events)) this.applyEvent(family, event, ssnElsewhere);
  }

  private applyEvent(family: Family, event: MemberEvent, ssnElsewhere: (hmac: Buffer) => boolean): void {
    this.position = event.position;
    this.retroQueued.clear();
    const group = this.ctx.groups.get(family.groupNumber);
    const hold = (h: Hold, member?: StoredMember): void => {
      this.out.counts.held++;
      this.exception(h.category, event, family, h.description, member, true);
      if (event.subscriber && !member) this.heldFamilies.set(family, h.category);
    };
    if (!group || group.partnerId !== this.ctx.partnerId) {
      return hold(new Hold('unknown-group', group
        ? 'The group number belongs to another trading partner; the enrollment was not applied. Confirm who sends this group.'
        : 'The group number is not on file; the enrollment was not applied. Add the group to the reference data or correct the file.'));
    }
    if (!event.maintenance) {
      return hold(new Hold('other', 'The maintenance type code is not one of add, change, cancel or terminate, reinstate or audit; the enrollment was not applied.'));
    }
    const ssnHmac = this.ssnIndexOf(event);
    const match = matchMember(family, event, ssnHmac, ssnHmac !== null && ssnElsewhere(ssnHmac));
    const impossible = impossibleDate(event, this.ctx.receivedDate);
    if (impossible) {
      // A business reject: nothing of the member is applied, whoever it turns out to be.
      if (match.kind === 'matched') this.seen.add(match.member);
      else if (match.kind === 'uncertain') for (const m of family.members) this.seen.add(m);
      return hold(impossible, match.kind === 'matched' ? match.member : undefined);
    }
    if (match.kind === 'uncertain') {
      // Unsure who this is: nobody in the family counts as omitted from a full file.
      for (const m of family.members) this.seen.add(m);
      return hold(new Hold('member-match-uncertain', `The enrollment does not match a member on file with certainty: ${match.why}. Nothing was applied.`));
    }
    if (match.kind === 'new') {
      if (event.maintenance !== 'add' && event.maintenance !== 'audit') {
        return hold(new Hold('member-match-uncertain', 'No member on file matches this change, termination or reinstatement; nothing was applied. Check the subscriber number and SSN.'));
      }
      if (!event.subscriber && !subscriberOf(family)) {
        const withSubscriber = this.heldFamilies.get(family);
        return hold(withSubscriber
          ? new Hold(withSubscriber, "Held with the subscriber's enrollment (see the subscriber's exception).")
          : new Hold('member-match-uncertain', 'A dependent was sent for a subscriber who is not on file; nothing was applied.'));
      }
      return this.guard(hold, () => this.add(family, event, group, ssnHmac));
    }
    const member = match.member;
    this.seen.add(member);
    switch (event.maintenance) {
      case 'add':
      case 'audit':
        // A 021 for a member already in force is a change, not a duplicate; for a member whose
        // coverage has ended it is a re-enrollment.
        return this.guard(hold, () =>
          memberInForce(member, this.ctx.today) ? this.change(family, member, event, group) : this.reenroll(family, member, event, group),
        member);
      case 'change':
        return this.guard(hold, () => this.change(family, member, event, group), member);
      case 'cancel-or-term':
        return this.guard(hold, () => this.terminate(family, member, event), member);
      case 'reinstate':
        return this.guard(hold, () => this.reinstate(family, member, event), member);
      default: {
        const never: never = event.maintenance;
        throw new Error(`unhandled maintenance ${String(never)}`);
      }
    }
  }

  /** Runs an apply path; a Hold it throws (before changing anything) becomes an exception. */
  private guard(hold: (h: Hold, member?: StoredMember) => void, run: () => void, member?: StoredMember): void {
    try {
      run();
    } catch (err) {
      if (err instanceof Hold) return hold(err, member);
      throw err;
    }
  }

  // ---- add ------------------------------------------------------------------

  private add(family: Family, event: MemberEvent, group: GroupRules, ssnHmac: Buffer | null): void {
    const fields = this.eventFields(event);
    const coverages = this.coveragesOf(event, group, fields.eligibilityBegin);
    const begin = fields.eligibilityBegin ?? earliest(coverages.map((c) => c.beginDate)) ?? this.ctx.fileEffectiveDate ?? this.ctx.receivedDate;
    const classCode = fields.classCode ?? this.classFromCoverage(event) ?? '1001';
    this.checkEnrollment(event, group, { ...fields, classCode }, begin, null);
    const member: StoredMember = {
      id: undefined,
      memberId: undefined,
      groupNumber: family.groupNumber,
      subscriberNumber: family.subscriberNumber,
      isSubscriber: event.subscriber,
      relationship: event.relationship,
      ssnEnc: event.name?.ssn ? this.sealedSsnOf(event, event.name.ssn) : null,
      ssnHmac,
      lastName: fields.lastName ?? null,
      firstName: fields.firstName ?? null,
      middleName: fields.middleName ?? null,
      nameSuffix: fields.nameSuffix ?? null,
      birthDate: fields.birthDate ?? null,
      gender: fields.gender ?? null,
      benefitStatus: fields.benefitStatus ?? 'A',
      cobraEvent: fields.cobraEvent ?? null,
      employmentStatus: fields.employmentStatus ?? null,
      handicapped: fields.handicapped ?? false,
      medicarePlan: fields.medicarePlan ?? null,
      hireDate: fields.hireDate ?? null,
      subgroup: fields.subgroup ?? null,
      classCode,
      home: fields.home ?? emptyAddress(),
      mailing: fields.mailing ?? null,
      custodialParent: fields.custodialParent ?? null,
      eligibilityBegin: begin,
      eligibilityEnd: this.cobraEnd(event, begin),
      cancelled: false,
      coverages: coverages.map((c) => ({ ...c, endDate: c.endDate ?? this.cobraEnd(event, c.beginDate) })),
      changed: new Set(),
    };
    family.members.push(member);
    this.seen.add(member);
    for (const address of [fields.home, fields.mailing]) {
      // A new member needs an address on file: it is kept, and a person confirms it.
      if (address && this.zipDisagrees(address)) this.zipException(event, family, member);
    }
    this.sideRules(event, family, member);
    for (const c of member.coverages) this.retroCharge(member, c);
    this.out.history.push({ member, action: 'add', effectiveDate: begin, changed: [], previous: null, position: event.position });
    this.out.cardFamilies.add(family);
    this.out.counts.added++;
  }

  /** A 021/030 for a member whose coverage ended: new coverage periods, the member in force again. */
  private reenroll(family: Family, member: StoredMember, event: MemberEvent, group: GroupRules): void {
    const fields = this.eventFields(event);
    const coverages = this.coveragesOf(event, group, fields.eligibilityBegin);
    const begin = fields.eligibilityBegin ?? earliest(coverages.map((c) => c.beginDate)) ?? this.ctx.fileEffectiveDate ?? this.ctx.receivedDate;
    this.checkEnrollment(event, group, { ...fields, classCode: fields.classCode ?? member.classCode }, begin, member);
    if (this.adultChildFrom(member, event, begin)) {
      throw new Hold('dependent-age-26', `${ADULT_CHILD_BACK} (a re-enrollment after coverage ended); nothing was applied. Decide whether the child qualifies (disability or another extension).`);
    }
    const previous = snapshot(member, ['eligibilityBegin', 'eligibilityEnd', 'cancelled']);
    setField(member, 'eligibilityBegin', begin);
    setField(member, 'eligibilityEnd', this.cobraEnd(event, begin));
    setField(member, 'cancelled', false);
    const changed = this.applyFields(member, event, fields, family);
    for (const c of coverages) {
      const added: StoredCoverage = { ...c, endDate: c.endDate ?? this.cobraEnd(event, c.beginDate) };
      if (member.coverages.some((x) => x.insuranceLine === added.insuranceLine && x.beginDate === added.beginDate)) continue;
      member.coverages.push(added);
      this.retroCharge(member, added);
    }
    this.sideRules(event, family, member);
    this.out.history.push({
      member,
      action: 'add',
      effectiveDate: begin,
      changed: [...new Set(['eligibilityBegin', 'eligibilityEnd', 'cancelled', ...changed.names])],
      previous: { ...previous, ...changed.previous },
      position: event.position,
    });
    this.out.cardFamilies.add(family);
    this.out.counts.added++;
  }

  // ---- change ---------------------------------------------------------------

  private change(family: Family, member: StoredMember, event: MemberEvent, group: GroupRules): void {
    const fields = this.eventFields(event);
    const effective = event.dates.maintenanceEffective ?? this.ctx.fileEffectiveDate ?? this.ctx.today;
    this.checkEnrollment(event, group, { ...fields, classCode: fields.classCode ?? member.classCode }, effective, member);
    const plans = this.planChanges(event, group, member);
    this.checkAdultChildCoverage(member, event, plans);
    const changed = this.applyFields(member, event, fields, family);
    let coveragesChanged = false;
    for (const p of plans) coveragesChanged = this.applyCoverageChange(member, event, p) || coveragesChanged;
    if (this.ctx.action === 'replace') coveragesChanged = this.omittedCoverages(family, member, event) || coveragesChanged;
    // A member moved to COBRA by a change (INS05 C) gets the continuation's end, as an enrollment in it does.
    const cobraEnd = changed.names.includes('benefitStatus') && member.benefitStatus === 'C' ? this.cobraEnd(event, effective) : null;
    if (cobraEnd !== null) {
      if (member.eligibilityEnd === null || member.eligibilityEnd > cobraEnd) {
        changed.previous['eligibilityEnd'] = member.eligibilityEnd;
        changed.names.push('eligibilityEnd');
        setField(member, 'eligibilityEnd', cobraEnd);
      }
      for (const c of member.coverages) {
        if (!c.cancelled && c.beginDate <= cobraEnd && (c.endDate === null || c.endDate > cobraEnd)) coveragesChanged = endCoverage(c, cobraEnd) || coveragesChanged;
      }
    }
    this.sideRules(event, family, member);
    if (changed.names.length === 0 && !coveragesChanged) {
      this.out.counts.unchanged++;
      return;
    }
    this.out.history.push({
      member,
      action: 'change',
      effectiveDate: effective,
      changed: coveragesChanged ? [...changed.names, 'coverages'] : changed.names,
      previous: changed.names.length ? changed.previous : null,
      position: event.position,
    });
    this.out.counts.changed++;
  }

  /** Copies the event's fields onto the member, except those the rules leave for a person. */
  private applyFields(member: StoredMember, event: MemberEvent, fields: Partial<MemberFields>, family: Family): { names: string[]; previous: Record<string, unknown> } {
    const previous: Record<string, unknown> = {};
    const names: string[] = [];
    const set = <K extends MemberField>(key: K, value: MemberFields[K] | undefined): void => {
      if (value === undefined || sameValue(member[key], value)) return;
      previous[key] = key === 'ssnEnc' || key === 'ssnHmac' ? 'changed' : member[key];
      names.push(key);
      setField(member, key, value);
    };
    const lastNameChanges = fields.lastName !== undefined && member.lastName !== null && !sameName(fields.lastName, member.lastName);
    if (member.isSubscriber && (lastNameChanges || event.nameCorrection)) {
      // A subscriber's last-name change is confirmed by a person (marriage, divorce, fraud).
      this.exception('last-name-change', event, family, "The file changes the subscriber's last name; the name on file was kept until a person confirms the change.", member);
    } else {
      set('lastName', fields.lastName);
    }
    set('firstName', fields.firstName);
    set('middleName', fields.middleName);
    set('nameSuffix', fields.nameSuffix);
    if (!member.isSubscriber && fields.birthDate !== undefined && member.birthDate !== null && fields.birthDate !== member.birthDate) {
      this.exception('dependent-birth-date-change', event, family, "The file changes a dependent's date of birth; the date on file was kept until a person confirms it.", member);
    } else {
      set('birthDate', fields.birthDate);
    }
    if (member.ssnHmac === null && event.name?.ssn) {
      set('ssnHmac', this.ssnIndexOf(event));
      set('ssnEnc', this.sealedSsnOf(event, event.name.ssn));
    }
    set('gender', fields.gender);
    set('benefitStatus', fields.benefitStatus);
    set('cobraEvent', fields.cobraEvent);
    set('employmentStatus', fields.employmentStatus);
    set('handicapped', fields.handicapped);
    set('medicarePlan', fields.medicarePlan);
    set('hireDate', fields.hireDate);
    set('subgroup', fields.subgroup);
    set('classCode', fields.classCode);
    set('custodialParent', fields.custodialParent);
    // Addresses: a separate mailing address stays when only home changes; with none on file,
    // mail follows home (mailing null). An address whose ZIP disagrees is not applied.
    if (fields.home) {
      if (this.zipDisagrees(fields.home)) this.zipException(event, family, member);
      else set('home', fields.home);
    }
    if (fields.mailing) {
      if (this.zipDisagrees(fields.mailing)) this.zipException(event, family, member);
      else set('mailing', sameAddress(fields.mailing, member.home) ? null : fields.mailing);
    }
    return { names, previous };
  }

  // ---- terminate / cancel -----------------------------------------------------

  private terminate(family: Family, member: StoredMember, event: MemberEvent): void {
    const lineEnds = event.coverages.filter((c) => c.maintenanceCode === '024');
    const memberLevel = event.dates.eligibilityEnd;
    if (memberLevel === undefined && lineEnds.length > 0 && lineEnds.length < activeLines(member, this.ctx.today)) {
      // Only some lines end: a coverage change, not the member's termination.
      const checked = lineEnds.map((c) => ({ c, end: this.validTermDate(c.dates.end, member) }));
      let changed = false;
      for (const { c, end } of checked) changed = this.endLine(member, c.line, end) || changed;
      this.recordTermination(member, event, checked[0]!.end, changed, 'change');
      return;
    }
    const end = this.validTermDate(memberLevel ?? latest(lineEnds.map((c) => c.dates.end)), member);
    const affected = [member];
    if (member.isSubscriber) {
      for (const dep of family.members) {
        if (dep === member || (!memberInForce(dep, this.ctx.today) && dep.eligibilityEnd !== null && dep.eligibilityEnd <= end)) continue;
        if (this.isAdultChild(dep, end)) {
          this.exception('dependent-age-26', event, family, "The subscriber was terminated; a dependent child aged 26 or over is never terminated automatically. Decide the child's coverage.", dep);
          continue;
        }
        affected.push(dep);
      }
    }
    for (const m of affected) {
      const changed = this.endMember(m, end);
      this.recordTermination(m, event, end, changed, m.cancelled ? 'cancel' : 'terminate');
    }
  }

  /** The termination date, or a Hold: missing, before the start, or so far out it means open-ended. */
  private validTermDate(end: string | undefined, member: StoredMember): string {
    if (end === undefined) {
      throw new Hold('invalid-termination-date', 'A termination came without a valid end date; nothing was applied. Send the date coverage ends.');
    }
    if (end < member.eligibilityBegin) {
      throw new Hold('invalid-termination-date', 'A termination ends before the coverage begins; nothing was applied. Correct the end date.');
    }
    if (end > addMonths(this.ctx.today, 12)) {
      throw new Hold('invalid-termination-date', 'A termination is dated more than a year ahead, which reads as open-ended coverage; nothing was applied. Confirm the end date.');
    }
    return end;
  }

  /** Ends (or, when it ends the day it begins, cancels) the member and its coverages. */
  private endMember(m: StoredMember, end: string): boolean {
    const wasEnd = m.eligibilityEnd;
    const wasCancelled = m.cancelled;
    if (end <= m.eligibilityBegin) {
      // Ends the day it begins: no period of coverage, a cancellation.
      setField(m, 'cancelled', true);
      setField(m, 'eligibilityEnd', m.eligibilityBegin);
    } else if (m.eligibilityEnd === null || m.eligibilityEnd > end) {
      setField(m, 'eligibilityEnd', end);
    }
    for (const c of m.coverages) endCoverage(c, end);
    return wasEnd !== m.eligibilityEnd || wasCancelled !== m.cancelled;
  }

  private endLine(member: StoredMember, line: string | undefined, end: string): boolean {
    let changed = false;
    for (const c of member.coverages) if (c.insuranceLine === line) changed = endCoverage(c, end) || changed;
    return changed;
  }

  private recordTermination(m: StoredMember, event: MemberEvent | undefined, end: string, changed: boolean, action: HistoryAction): void {
    if (!changed) {
      this.out.counts.unchanged++;
      return;
    }
    // Ending some lines only changes coverages; ending the member changes its eligibility too.
    const fields = action === 'change' ? ['coverages'] : ['eligibilityEnd', 'coverages'];
    this.out.history.push({ member: m, action, effectiveDate: end, changed: fields, previous: null, position: event?.position });
    if (action === 'cancel') this.out.counts.cancelled++;
    else if (action === 'terminate') this.out.counts.terminated++;
    else this.out.counts.changed++;
    this.retroCredit(m, end);
  }

  // ---- reinstate ----------------------------------------------------------------

  private reinstate(family: Family, member: StoredMember, event: MemberEvent): void {
    if (memberInForce(member, this.ctx.today) && member.eligibilityEnd === null) {
      this.out.counts.unchanged++;
      return;
    }
    const priorEnd = member.eligibilityEnd;
    const targets = [member];
    if (member.isSubscriber) {
      // Dependents ended with the subscriber come back with it.
      for (const dep of family.members) {
        if (dep !== member && !dep.isSubscriber && dep.eligibilityEnd === priorEnd && dep.cancelled === member.cancelled) targets.push(dep);
      }
    }
    const resume = priorEnd === null ? member.eligibilityBegin : addDays(priorEnd, 1);
    if (this.adultChildFrom(member, event, resume)) {
      throw new Hold('dependent-age-26', `${ADULT_CHILD_BACK} (a reinstatement); nothing was applied. Decide whether the child qualifies (disability or another extension).`);
    }
    for (const m of targets) {
      if (m !== member && this.adultChildFrom(m, undefined, resume)) {
        this.exception('dependent-age-26', event, family, 'The subscriber was reinstated; a dependent child aged 26 or over is not reinstated automatically.', m);
        continue;
      }
      const previous = { eligibilityEnd: m.eligibilityEnd, cancelled: m.cancelled };
      for (const c of m.coverages) {
        if ((c.endDate === priorEnd && !c.cancelled) || (c.cancelled && m.cancelled)) {
          c.endDate = null;
          c.cancelled = false;
          c.dirty = true;
        }
      }
      setField(m, 'eligibilityEnd', null);
      setField(m, 'cancelled', false);
      // Coverage restored over a past gap is premium owed for those months.
      if (priorEnd !== null && !previous.cancelled) this.retro(m, null, 'charge', addDays(priorEnd, 1), addDays(priorEnd, 1));
      this.out.history.push({ member: m, action: 'reinstate', effectiveDate: priorEnd, changed: ['eligibilityEnd', 'cancelled', 'coverages'], previous, position: event.position });
      this.out.counts.reinstated++;
    }
    this.out.cardFamilies.add(family);
  }

  // ---- rules that hold an enrollment for a person ---------------------------------

  /** Throws a Hold when an enrollment or change must go to a person before anything changes. */
  private checkEnrollment(event: MemberEvent, group: GroupRules, fields: Partial<MemberFields> & { classCode: string }, effective: string, existing: StoredMember | null): void {
    const medicare = fields.medicarePlan;
    if (medicare && existing?.medicarePlan !== medicare) {
      throw new Hold('medicare', 'A Medicare enrollment goes to a person (coordination with Medicare, premium and plan eligibility); nothing was applied.');
    }
    if (event.benefitStatusCode === 'C' && !group.cobraSelfAdministered && existing?.benefitStatus !== 'C') {
      throw new Hold('cobra-not-self-administered', 'A COBRA enrollment for a group that does not administer its own COBRA goes to a person; nothing was applied.');
    }
    const birth = fields.birthDate ?? existing?.birthDate ?? null;
    if (!existing && CHILD_RELATIONSHIPS.has(event.relationship) && birth && ageOn(birth, effective) >= 26) {
      throw new Hold('dependent-age-26', 'A dependent child aged 26 or over on the effective date goes to a person (disability or other extension); nothing was applied.');
    }
    const hire = fields.hireDate ?? existing?.hireDate ?? null;
    const classChanges = !existing || fields.classCode !== existing.classCode || (fields.hireDate !== undefined && fields.hireDate !== existing.hireDate);
    if (classChanges) {
      const period = group.classes.get(fields.classCode);
      if (!period) throw new Hold('class-not-valid', 'The class is not one of the group\'s classes; nothing was applied.');
      if (!classValidOn(period, effective)) {
        // Hired before the class existed and covered before it takes effect: which class
        // applies in between is a person's decision.
        if (hire && period.from > hire && period.from > effective) {
          throw new Hold('class-after-hire', "The member's class takes effect after the hire date and after the coverage begins; nothing was applied until a person sets the class.");
        }
        throw new Hold('class-not-valid', 'The class is not valid on the effective date; nothing was applied.');
      }
    }
    const subgroup = fields.subgroup;
    if (subgroup !== undefined && subgroup !== null && subgroup !== existing?.subgroup && !group.subgroups.has(subgroup)) {
      throw new Hold('class-not-valid', "The subgroup is not one of the group's subgroups; nothing was applied.");
    }
  }

  /** Rules that queue something for a person without holding the rest of the event. */
  private sideRules(event: MemberEvent, family: Family, member: StoredMember): void {
    if (event.hasOtherCoverage) {
      this.exception('other-coverage', event, family, 'Other or prior coverage (coordination of benefits) was reported; it is recorded by a person, not applied automatically.', member);
    }
  }

  private isAdultChild(m: StoredMember, on: string): boolean {
    return !m.isSubscriber && CHILD_RELATIONSHIPS.has(m.relationship) && m.birthDate !== null && ageOn(m.birthDate, on) >= 26;
  }

  /**
   * Whether coverage that would start again on `resume` covers a dependent child aged 26 or
   * over: the age on `resume`, or today when later. The birth date on file, else the file's.
   */
  private adultChildFrom(m: StoredMember, event: MemberEvent | undefined, resume: string): boolean {
    const birth = m.birthDate ?? event?.demographics?.birthDate ?? null;
    const on = resume > this.ctx.today ? resume : this.ctx.today;
    return !m.isSubscriber && CHILD_RELATIONSHIPS.has(m.relationship) && birth !== null && ageOn(birth, on) >= 26;
  }

  /**
   * A change (001, or a 021/030 for a member in force) that would put a dependent child aged
   * 26 or over back into coverage, or keep it covered longer, goes to a person: a line
   * reopened (HD 025), a line opened that the child does not have now, or an end date on file
   * cleared or moved later (a far-future end reads as open-ended).
   */
  private checkAdultChildCoverage(member: StoredMember, event: MemberEvent, plans: Array<{ c: Coverage; planId: string | null }>): void {
    if (member.isSubscriber || !CHILD_RELATIONSHIPS.has(member.relationship)) return;
    for (const { c, planId } of plans) {
      if (c.maintenanceCode === '024') continue;
      const current = member.coverages.find((x) => x.insuranceLine === c.line && !x.cancelled && (x.endDate === null || x.endDate >= this.ctx.today));
      let resume: string | undefined;
      if (c.maintenanceCode === '025') {
        const ended = member.coverages.filter((x) => x.insuranceLine === c.line && x.endDate !== null).sort((a, b) => (a.endDate! < b.endDate! ? 1 : -1))[0];
        if (ended && !current) resume = ended.cancelled ? ended.beginDate : addDays(ended.endDate!, 1);
      } else if (!current) {
        resume = c.dates.begin ?? c.dates.maintenanceEffective ?? event.dates.maintenanceEffective ?? this.ctx.fileEffectiveDate ?? this.ctx.today;
      } else if (current.endDate !== null) {
        const samePlan = current.planId === planId && current.coverageLevel === (c.coverageLevel ?? current.coverageLevel);
        const end = c.dates.end !== undefined ? this.openEnd(c.dates.end) : samePlan ? current.endDate : null;
        if (end === null || end > current.endDate) resume = addDays(current.endDate, 1);
      }
      if (resume !== undefined && this.adultChildFrom(member, event, resume)) {
        throw new Hold('dependent-age-26', `${ADULT_CHILD_BACK} (a change that reopens, opens or extends the ${c.line ?? ''} coverage); nothing was applied. Decide whether the child qualifies (disability or another extension).`);
      }
    }
  }

  // ---- coverages -----------------------------------------------------------------

  /** The event's 2300 loops as coverages to open (add / re-enrollment). */
  private coveragesOf(event: MemberEvent, group: GroupRules, eligibilityBegin: string | undefined): StoredCoverage[] {
    const out: StoredCoverage[] = [];
    for (const c of event.coverages) {
      if (c.maintenanceCode === '024') continue;
      const planId = this.planOf(c, group);
      const begin = c.dates.begin ?? eligibilityBegin ?? event.dates.maintenanceEffective ?? this.ctx.fileEffectiveDate ?? this.ctx.receivedDate;
      const end = this.openEnd(c.dates.end);
      if (end !== null && end < begin) {
        throw new Hold('invalid-termination-date', 'A coverage ends before it begins; nothing was applied. Correct the coverage dates.');
      }
      out.push({ id: undefined, insuranceLine: c.line ?? '', planId, coverageLevel: c.coverageLevel ?? null, beginDate: begin, endDate: end, cancelled: false, dirty: false });
    }
    return out;
  }

  /** A far-future end date (more than a year out) means open-ended. */
  private openEnd(end: string | undefined): string | null {
    if (end === undefined || end > addMonths(this.ctx.today, 12)) return null;
    return end;
  }

  /**
   * HD04 (trimmed) when it is the id of a plan the group offers on HD03's line, or one of the
   * group's names for a plan on that line (case ignored); with no HD04, the group's only plan
   * on that line. Never a guess: anything else is `unknown-plan`.
   */
  private planOf(c: Coverage, group: GroupRules): string {
    const named = c.planDescription?.trim();
    if (named) {
      if (group.plans.get(named) === c.line) return named;
      const byName = c.line === undefined ? undefined : group.planNames.get(planNameKey(c.line, named));
      if (byName !== undefined) return byName;
    } else {
      const onLine = [...group.plans].filter(([, line]) => line === c.line);
      if (onLine.length === 1) return onLine[0]![0];
    }
    throw new Hold('unknown-plan', named
      ? "A coverage's plan (HD04) is neither a plan the group offers on that insurance line nor one of the group's names for one; nothing was applied. Correct the plan in the file, or add the name to the group's plan_names in the reference data."
      : 'A coverage gives no plan (HD04) and the group offers more than one plan, or none, on that insurance line; nothing was applied. Send the plan.');
  }

  private planChanges(event: MemberEvent, group: GroupRules, member: StoredMember): Array<{ c: Coverage; planId: string | null }> {
    return event.coverages.map((c) => {
      if (c.maintenanceCode === '024') {
        this.validTermDate(c.dates.end, member);
        return { c, planId: null };
      }
      if (c.maintenanceCode === '025') return { c, planId: null };
      return { c, planId: this.planOf(c, group) };
    });
  }

  /** One HD of a change: end a line (024), reopen it (025), or open / switch plan or level. */
  private applyCoverageChange(member: StoredMember, event: MemberEvent, p: { c: Coverage; planId: string | null }): boolean {
    const { c } = p;
    if (c.maintenanceCode === '024') return this.endLine(member, c.line, c.dates.end!);
    const current = member.coverages.find((x) => x.insuranceLine === c.line && !x.cancelled && (x.endDate === null || x.endDate >= this.ctx.today));
    if (c.maintenanceCode === '025') {
      const ended = member.coverages.filter((x) => x.insuranceLine === c.line && x.endDate !== null).sort((a, b) => (a.endDate! < b.endDate! ? 1 : -1))[0];
      if (!ended || current) return false;
      ended.endDate = null;
      ended.cancelled = false;
      ended.dirty = true;
      return true;
    }
    const planId = p.planId!;
    const begin = c.dates.begin ?? c.dates.maintenanceEffective ?? event.dates.maintenanceEffective ?? this.ctx.fileEffectiveDate ?? this.ctx.today;
    const end = this.openEnd(c.dates.end);
    if (current && current.planId === planId && current.coverageLevel === (c.coverageLevel ?? current.coverageLevel)) {
      if (c.dates.end === undefined || current.endDate === end) return false;
      current.endDate = end;
      current.dirty = true;
      return true;
    }
    if (current && begin <= current.beginDate) {
      // The coverage on file has not started yet: corrected in place.
      current.planId = planId;
      current.coverageLevel = c.coverageLevel ?? current.coverageLevel;
      current.beginDate = begin;
      current.endDate = end;
      current.dirty = true;
      return true;
    }
    if (current) endCoverage(current, addDays(begin, -1));
    if (member.coverages.some((x) => x.insuranceLine === c.line && x.beginDate === begin)) return current !== undefined;
    const added: StoredCoverage = { id: undefined, insuranceLine: c.line ?? '', planId, coverageLevel: c.coverageLevel ?? null, beginDate: begin, endDate: end, cancelled: false, dirty: false };
    member.coverages.push(added);
    this.retroCharge(member, added);
    return true;
  }

  /** In a full file, lines the member's record no longer lists: ended or queued, per the group. */
  private omittedCoverages(family: Family, member: StoredMember, event: MemberEvent): boolean {
    if (event.coverages.length === 0) return false;
    const listed = new Set(event.coverages.map((c) => c.line));
    const omitted = member.coverages.filter((c) => !listed.has(c.insuranceLine) && !c.cancelled && (c.endDate === null || c.endDate >= this.ctx.today));
    if (omitted.length === 0) return false;
    if (this.ctx.groups.get(family.groupNumber)?.omittedMembers !== 'terminate') {
      this.exception('possible-unintended-termination', event, family, 'The full file no longer lists one of this member\'s coverages; it stays in force until a person confirms it should end.', member);
      return false;
    }
    const end = this.omissionEndDate();
    for (const c of omitted) endCoverage(c, end);
    return true;
  }

  /**
   * A member in force that a full file does not name: ended the day before the file takes
   * effect when its group says so, otherwise queued as a possible unintended termination.
   * A dependent child aged 26 or over is never ended automatically.
   */
  omit(family: Family, member: StoredMember): void {
    this.position = undefined;
    this.retroQueued.clear();
    const group = this.ctx.groups.get(family.groupNumber);
    if (this.isAdultChild(member, this.ctx.today)) {
      this.exception('dependent-age-26', undefined, family, 'A full file no longer lists a dependent child aged 26 or over; such a child is never terminated automatically. Decide the coverage.', member);
    } else if (group?.omittedMembers === 'terminate') {
      const end = this.omissionEndDate();
      const changed = this.endMember(member, end);
      this.recordTermination(member, undefined, end, changed, member.cancelled ? 'cancel' : 'terminate');
    } else {
      this.exception('possible-unintended-termination', undefined, family, 'A full file no longer lists this member, who is still covered. Omissions are the most common cause of coverage gaps: confirm with the employer before ending the coverage.', member);
    }
  }

  /** Where a full file ends what it omits: the day before its effective date (or receipt). */
  omissionEndDate(): string {
    return addDays(this.ctx.fileEffectiveDate ?? this.ctx.receivedDate, -1);
  }

  // ---- retroactivity -------------------------------------------------------------

  /** Coverage that began more than 30 days before the file arrived is billed back. */
  private retroCharge(member: StoredMember, c: StoredCoverage): void {
    this.retro(member, c, 'charge', c.beginDate, c.beginDate);
  }

  /** A termination dated more than 30 days before the file arrived refunds the months after it. */
  private retroCredit(member: StoredMember, end: string): void {
    this.retro(member, null, 'credit', end, addDays(end, 1));
  }

  private retro(member: StoredMember, coverage: StoredCoverage | null, kind: 'charge' | 'credit', effective: string, from: string): void {
    const received = this.ctx.receivedDate;
    if (daysBetween(effective, received) <= 30) return;
    const months = monthsTouched(from, received);
    if (months < 1) return;
    const old = effective < addMonths(received, -6);
    this.out.retro.push({ member, coverage, kind, effectiveDate: effective, months, status: old ? 'review' : 'pending' });
    if (old && !this.retroQueued.has(member)) {
      this.retroQueued.add(member);
      this.out.exceptions.push({
        category: 'retro-beyond-six-months',
        position: this.position,
        member,
        groupNumber: member.groupNumber,
        subscriberNumber: member.subscriberNumber,
        subgroup: member.subgroup ?? undefined,
        classCode: member.classCode,
        description: `The change was applied, but it takes effect more than six months before the file arrived: the ${kind === 'charge' ? 'premium owed' : 'premium refund'} for those months is a billing decision for a person.`,
      });
    }
  }

  // ---- event fields --------------------------------------------------------------

  private eventFields(event: MemberEvent): Partial<MemberFields> & { eligibilityBegin?: string } {
    const f: Partial<MemberFields> & { eligibilityBegin?: string } = {};
    const put = <K extends keyof typeof f>(key: K, value: (typeof f)[K] | undefined): void => {
      if (value !== undefined) f[key] = value;
    };
    const n = event.name;
    if (n) {
      put('lastName', n.last);
      put('firstName', n.first);
      put('middleName', n.middle);
      put('nameSuffix', n.suffix);
    }
    put('birthDate', event.demographics?.birthDate);
    put('gender', event.demographics?.gender);
    put('benefitStatus', event.benefitStatusCode);
    put('cobraEvent', event.cobraEvent);
    put('employmentStatus', event.employmentStatus);
    if (event.handicapped !== undefined) put('handicapped', event.handicapped);
    const medicare = event.medicare?.plan;
    if (medicare && MEDICARE_PLANS.has(medicare)) put('medicarePlan', medicare);
    else if (event.dates.medicareBegin && medicare !== 'E') put('medicarePlan', 'D');
    put('hireDate', event.dates.hire ?? event.dates.adjustedHire);
    put('subgroup', event.memberIds.find((r) => r.qualifier === SUBGROUP_REF)?.value);
    put('classCode', event.memberIds.find((r) => r.qualifier === CLASS_REF)?.value);
    if (event.homeAddress) put('home', toAddress(event.homeAddress));
    if (event.mailingAddress) put('mailing', toAddress(event.mailingAddress));
    if (event.custodialParent) put('custodialParent', { name: event.custodialParent.name, address: event.custodialParent.address ?? null });
    put('eligibilityBegin', event.dates.eligibilityBegin);
    return f;
  }

  private classFromCoverage(event: MemberEvent): string | undefined {
    return event.coverages.find((c) => c.reportingCategory)?.reportingCategory;
  }

  /** COBRA coverage lasts 18, 29 or 36 months by qualifying event, unless the file ends it sooner. */
  private cobraEnd(event: MemberEvent, begin: string): string | null {
    if (event.benefitStatusCode !== 'C') return null;
    if (event.dates.cobraEnd) return event.dates.cobraEnd;
    const start = event.dates.cobraBegin ?? begin;
    const months = COBRA_36_MONTH_EVENTS.has(event.cobraEvent ?? '') ? 36 : event.disability || event.handicapped ? COBRA_DISABILITY_MONTHS : 18;
    return addDays(addMonths(start, months), -1);
  }

  private zipDisagrees(a: Address): boolean {
    const v = checkZip(a);
    return v === 'state-mismatch' || v === 'city-mismatch';
  }

  private zipException(event: MemberEvent, family: Family, member: StoredMember): void {
    this.exception('zip-state-mismatch', event, family, member.id === undefined
      ? 'The city or state does not agree with the ZIP code; the address was kept as sent until a person confirms it.'
      : 'The city or state does not agree with the ZIP code; the address on file was kept until a person confirms the new one.', member);
  }

  private exception(category: ExceptionCategory, event: MemberEvent | undefined, family: Family, description: string, member?: StoredMember, held?: true): void {
    this.out.exceptions.push({
      ...(held ? { held } : {}),
      category,
      position: event?.position,
      member,
      groupNumber: family.groupNumber || undefined,
      subscriberNumber: family.subscriberNumber || undefined,
      subgroup: (member?.subgroup ?? event?.memberIds.find((r) => r.qualifier === SUBGROUP_REF)?.value) ?? undefined,
      classCode: (member?.classCode ?? event?.memberIds.find((r) => r.qualifier === CLASS_REF)?.value) ?? undefined,
      description,
    });
  }
}

function endCoverage(c: StoredCoverage, end: string): boolean {
  if (c.cancelled) return false;
  if (end < c.beginDate) {
    // Ends before it began: never in force.
    c.cancelled = true;
    c.endDate = c.beginDate;
  } else if (end === c.beginDate && c.endDate !== end) {
    c.cancelled = true;
    c.endDate = end;
  } else if (c.endDate === null || c.endDate > end) {
    c.endDate = end;
  } else {
    return false;
  }
  c.dirty = true;
  return true;
}

function activeLines(m: StoredMember, today: string): number {
  return new Set(m.coverages.filter((c) => !c.cancelled && (c.endDate === null || c.endDate >= today)).map((c) => c.insuranceLine)).size;
}

function setField<K extends MemberField>(m: StoredMember, key: K, value: MemberFields[K]): void {
  const fields: MemberFields = m;
  if (sameValue(fields[key], value)) return;
  fields[key] = value;
  m.changed.add(key);
}

function snapshot(m: StoredMember, keys: MemberField[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, m[k]]));
}

/** Deep equality for field values: primitives, buffers, and plain objects (addresses, parties). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  // Compared key by key, keys with undefined values left out: a full file compares every
  // member's addresses, so no JSON text and no key arrays here.
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    if (!sameValue(x[k], y[k])) return false;
    defined++;
  }
  for (const k in y) if (y[k] !== undefined) defined--;
  return defined === 0;
}

function toAddress(a: { line1?: string | undefined; line2?: string | undefined; city?: string | undefined; state?: string | undefined; zip?: string | undefined }): Address {
  return { line1: a.line1 ?? null, line2: a.line2 ?? null, city: a.city ?? null, state: a.state ?? null, zip: a.zip ?? null };
}

function emptyAddress(): Address {
  return { line1: null, line2: null, city: null, state: null, zip: null };
}

function sameAddress(a: Address, b: Address): boolean {
  return a.line1 === b.line1 && a.line2 === b.line2 && a.city === b.city && a.state === b.state && a.zip === b.zip;
}

function earliest(dates: string[]): string | undefined {
  return dates.length ? dates.reduce((a, b) => (a < b ? a : b)) : undefined;
}

function latest(dates: Array<string | undefined>): string | undefined {
  const d = dates.filter((x): x is string => x !== undefined);
  return d.length ? d.reduce((a, b) => (a > b ? a : b)) : undefined;
}
