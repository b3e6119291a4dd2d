/**
 * Re-running an exception's held change: once ops have fixed what held it (the plan or group
 * loaded in the reference data, the member on file corrected), the item's 834 change is
 * applied again through the same rules, and the result is recorded on the item.
 *
 * - The file's bytes are read again from the archive (inbound_file.archive_key, checked
 *   against the file's SHA-256), and the set the item names (ST02, at the offset the set was
 *   recorded at) is read up to its members.
 * - The events re-run are those of the item's family (group + subscriber number of the event
 *   at the item's segment position) that are still held: the item's own, and each event of the
 *   family in that set with another open or in-progress item of a held category (a new
 *   subscriber's dependents are held with it, so they come back with it). Events of the family
 *   that were applied are never applied twice, and an item a person closed stays closed.
 * - They are applied in one transaction through the enrollment applier, with the file's
 *   received date (retroactivity, age 26, impossible dates count from it) and today for the
 *   rest, exactly as the ingest does; history, retro adjustments and ID cards name the
 *   original file, set and segment position.
 * - Each item re-run gets a `rerun` event (exception_event.kind, migration 000016): what was
 *   applied, or the hold that still stands (category and description). An item whose change
 *   was applied is resolved ("re-run applied the change"); one still held keeps its state,
 *   and its new hold is that note, never a second item. Exceptions the applied change raises
 *   beside it (a retroactive charge past six months, a ZIP mismatch) are recorded as the
 *   ingest records them, once per file position, category and member.
 *
 * Two re-runs of one family are serialised by locking its items; the second finds the item
 * resolved and is refused, so a held change is applied once.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ErrorContext } from '../core/errors.js';
import type { Db } from '../db/db.js';
import { emptyCounts, EnrollmentApplier, type ApplyCounts, type PendingException } from '../enrollment/apply/applier.js';
import { isoDay } from '../enrollment/apply/dates.js';
import { loadGroupRules } from '../enrollment/apply/group-rules.js';
import { loadFamilies, loadSsnOwners } from '../enrollment/apply/load.js';
import { writeBatch } from '../enrollment/apply/write.js';
import type { EnrollmentFile, MemberEvent } from '../enrollment/events.js';
import { EnrollmentFileReader } from '../enrollment/read-file.js';
import { familyKey } from '../membership/model.js';
import type { PhiProtector } from '../phi/protector.js';
import type { ObjectStore } from '../transport/store/object-store.js';
import { type ExceptionCategory, type ExceptionState, isFinalState } from './categories.js';
import { ExceptionQueueError, getException, transitionException, type ExceptionRecord } from './store.js';

/** The categories the 834 rules hold a change under (nothing of the member applied): these can be re-run. */
export const RERUNNABLE_CATEGORIES = [
  'unknown-group',
  'unknown-plan',
  'member-match-uncertain',
  'medicare',
  'cobra-not-self-administered',
  'class-after-hire',
  'class-not-valid',
  'dependent-age-26',
  'invalid-termination-date',
  'birth-date-in-future',
  'coverage-ends-before-begin',
  'eligibility-ends-before-begin',
] as const satisfies readonly ExceptionCategory[];

const RERUNNABLE: ReadonlySet<string> = new Set(RERUNNABLE_CATEGORIES);

const PAYMENT_CATEGORIES: ReadonlySet<string> = new Set<ExceptionCategory>([
  'unknown-invoice',
  'unknown-member',
  'member-not-covered',
  'paid-billed-mismatch',
  'duplicate-payment',
  'payment-total-mismatch',
  'terminated-group-payment',
]);
const TRANSFER_CATEGORIES: ReadonlySet<string> = new Set<ExceptionCategory>(['unreadable-file', 'sender-mismatch', 'duplicate-interchange', 'host-key-changed']);
/** Queued beside a change the rules applied: a person decides, there is nothing held. */
const QUEUED_CATEGORIES: ReadonlySet<string> = new Set<ExceptionCategory>([
  'last-name-change',
  'dependent-birth-date-change',
  'other-coverage',
  'zip-state-mismatch',
  'retro-beyond-six-months',
  'possible-unintended-termination',
]);

/** Why a re-run was refused (stable; `code` is INVALID_STATE, NOT_FOUND for an unknown item). */
export type RerunRefusal =
  /** The item is resolved or rejected. */
  | 'FINAL_STATE'
  /** Its category holds no 834 change (a payment, a transfer, a queued decision, …). */
  | 'NOT_RERUNNABLE'
  /** It names no file, set or segment position. */
  | 'NO_SOURCE'
  /** Its file has no archived copy (ingested from a local path), or the copy is not the file's bytes. */
  | 'NO_ARCHIVED_COPY'
  /** The set is not an 834 applied from that file, or the file does not hold it. */
  | 'SET_NOT_FOUND'
  /** The set has no member at the item's position, or another family's. */
  | 'EVENT_NOT_FOUND';

/** A refused re-run: `refusal` says why; the context holds ids, states and positions only (never a subscriber ID). */
export class ExceptionRerunError extends ExceptionQueueError {
  constructor(
    readonly refusal: RerunRefusal,
    message: string,
    context: ErrorContext = {},
  ) {
    super('ILLEGAL_TRANSITION', message, { ...context, refusal });
  }
}

const Actor = z.string().trim().min(1, 'must name who acts').max(100);
const Id = z.string().regex(/^[1-9][0-9]{0,18}$/, 'must be an exception id');

export const RerunInput = z.object({ id: Id, actor: Actor }).strict();
export type RerunInput = z.infer<typeof RerunInput>;

/** What a re-run needs: the database, the archive the file is read from, the PHI key, the clock. */
export interface RerunDeps {
  db: Db;
  store: ObjectStore;
  phi: PhiProtector;
  now: () => Date;
}

/** Another item of the family re-run with this one (a dependent held with its subscriber). */
export interface RerunSibling {
  id: string;
  outcome: 'applied' | 'held';
  state: ExceptionState;
}

export interface RerunResult {
  /** The item after the re-run (resolved when applied). */
  item: ExceptionRecord;
  outcome: 'applied' | 'held';
  /** What the rules did with the events re-run (the family's, see the module comment). */
  counts: ApplyCounts;
  /** Held: the hold that still stands (category: description). Applied: "re-run applied the change". */
  reason?: string;
  /** The new hold, when still held. */
  hold?: { category: ExceptionCategory; description: string };
  /** Other items of the family whose events were re-run with it. */
  others: RerunSibling[];
}

export const RERUN_APPLIED_REASON = 're-run applied the change';

interface FileRow {
  partner: string;
  archive_key: string | null;
  sha256: string;
  received_at: Date;
}

interface SetRow {
  file_offset: string;
  interchange_control: string;
  status: string;
}

interface LockedItem {
  id: string;
  state: ExceptionState;
  category: ExceptionCategory;
  segment_position: number;
  member_id: string | null;
}

function refuseCategory(item: ExceptionRecord): never {
  const which = `exception ${item.id} (${item.category})`;
  const allowed = `only an 834 change held by the enrollment rules can be re-run (categories: ${RERUNNABLE_CATEGORIES.join(', ')})`;
  const why = PAYMENT_CATEGORIES.has(item.category)
    ? 'is about a payment (820): money in suspense is not re-run'
    : TRANSFER_CATEGORIES.has(item.category)
      ? 'is about a transfer, not a change in a file'
      : QUEUED_CATEGORIES.has(item.category)
        ? 'was queued beside a change the rules applied: there is no held change'
        : 'holds no 834 change';
  throw new ExceptionRerunError('NOT_RERUNNABLE', `${which} cannot be re-run: it ${why}; ${allowed}`, { exception: item.id, category: item.category });
}

/** Re-runs the held change of exception `id` (see the module comment). */
export async function rerunException(deps: RerunDeps, input: RerunInput): Promise<RerunResult> {
  const { id, actor } = RerunInput.parse(input);
  const { db } = deps;
  const item = await getException(db, id);
  if (!item) throw new ExceptionQueueError('NOT_FOUND', `no exception ${id}`, { exception: id });
  checkItem(item);
  const fileId = item.fileId!;
  const setControl = item.setControl!;
  const position = item.segmentPosition!;

  const file = (await db.query<FileRow>('select partner, archive_key, sha256, received_at from inbound_file where id = $1::bigint', [fileId])).rows[0];
  if (!file) throw new ExceptionRerunError('NO_SOURCE', `exception ${id}: its file ${fileId} is not on file`, { exception: id, file: fileId });
  if (!file.archive_key) {
    throw new ExceptionRerunError('NO_ARCHIVED_COPY', `exception ${id}: file ${fileId} was ingested from a local path and has no archived copy to re-run from`, { exception: id, file: fileId });
  }
  const sets = (
    await db.query<SetRow>(
      `select file_offset::text as file_offset, interchange_control, status from inbound_set
        where file_id = $1::bigint and set_control = $2 and transaction_set = '834' order by file_offset`,
      [fileId, setControl],
    )
  ).rows;
  const applied = sets.filter((s) => s.status === 'applied');
  if (applied.length !== 1) {
    const why = applied.length > 1 ? `holds ${applied.length} applied 834 sets with ST02 ${setControl}: the item cannot tell which` : `has no 834 set with ST02 ${setControl} that was applied${sets.length ? ` (it was ${sets.map((s) => s.status).join(', ')})` : ''}`;
    throw new ExceptionRerunError('SET_NOT_FOUND', `exception ${id}: file ${fileId} ${why}`, { exception: id, file: fileId, set: setControl });
  }
  const set = applied[0]!;
  const read = await readSet(deps.store, file, Number(set.file_offset), (e) => (e.subscriberId ?? null) === item.subscriberId || e.position === position);
  if (!read) {
    throw new ExceptionRerunError('NO_ARCHIVED_COPY', `exception ${id}: the archived copy of file ${fileId} is not the file received (its SHA-256 differs)`, { exception: id, file: fileId });
  }
  if (!read.header) throw new ExceptionRerunError('SET_NOT_FOUND', `exception ${id}: the archived file ${fileId} has no 834 set with ST02 ${setControl} at its recorded place`, { exception: id, file: fileId, set: setControl });
  const header = read.header;
  const target = read.events.find((e) => e.position === position);
  if (!target || (target.subscriberId ?? null) !== item.subscriberId) {
    throw new ExceptionRerunError('EVENT_NOT_FOUND', `exception ${id}: set ${setControl} of file ${fileId} has no member of the item's family at segment ${position}`, {
      exception: id,
      file: fileId,
      set: setControl,
      segment: position,
    });
  }

  const today = isoDay(deps.now());
  const receivedDate = isoDay(file.received_at);
  return db.transaction(async (tx) => {
    const groups = await loadGroupRules(tx);
    const applier = new EnrollmentApplier({
      today,
      receivedDate,
      fileEffectiveDate: header.effectiveDate,
      masterPolicy: header.masterPolicy,
      action: header.action ?? 'change',
      partnerId: file.partner,
      groups,
      phi: deps.phi,
    });
    const groupNumber = applier.groupNumberOf(target) ?? '';
    const subscriberNumber = target.subscriberId ?? '';
    const key = familyKey(groupNumber, subscriberNumber);
    const familyEvents = read.events.filter((e) => familyKey(applier.groupNumberOf(e) ?? '', e.subscriberId ?? '') === key);
    const byPosition = new Map(familyEvents.map((e) => [e.position, e]));

    // The family's held items in this set, locked in id order (two re-runs of one family wait
    // for each other; the second sees what the first did).
    const locked = (
      await tx.query<LockedItem>(
        `select id::text as id, state, category, segment_position, member_id from exception
          where id = $1::bigint
             or (file_id = $2::bigint and set_control = $3 and segment_position = any($4::int[])
                 and state in ('open', 'in_progress') and category = any($5::text[]))
          order by id for update`,
        [id, fileId, setControl, [...byPosition.keys()], [...RERUNNABLE_CATEGORIES]],
      )
    ).rows;
    const self = locked.find((r) => r.id === id);
    if (!self) throw new ExceptionQueueError('NOT_FOUND', `no exception ${id}`, { exception: id });
    if (isFinalState(self.state)) {
      throw new ExceptionRerunError('FINAL_STATE', `exception ${id} is ${self.state}: it cannot be re-run`, { exception: id, state: self.state });
    }

    const families = await loadFamilies(tx, [{ groupNumber, subscriberNumber }]);
    const family = families.get(key)!;
    // A dependent-age-26 item on a subscriber's event about one of its children was queued
    // beside the subscriber's applied termination or reinstatement: nothing of it is held.
    const queuedChild = (r: LockedItem): boolean =>
      r.category === 'dependent-age-26' && r.member_id !== null && byPosition.get(r.segment_position)?.subscriber === true &&
      family.members.some((m) => m.memberId === r.member_id && !m.isSubscriber);
    if (queuedChild(self)) {
      throw new ExceptionRerunError(
        'NOT_RERUNNABLE',
        `exception ${id} (dependent-age-26) was queued beside the subscriber's change, which was applied: there is no held change to re-run; decide the child's coverage and resolve the item`,
        { exception: id, category: self.category },
      );
    }
    const items = locked.filter((r) => !isFinalState(r.state) && !queuedChild(r));
    const events = [...new Set(items.map((r) => r.segment_position))].map((p) => byPosition.get(p)!).sort((a, b) => a.position - b.position);

    const ssnItems = events.flatMap((e) => {
      const h = applier.ssnIndexOf(e);
      return h ? [{ groupNumber, subscriberNumber, ssnHmacHex: h.toString('hex') }] : [];
    });
    const owners = await loadSsnOwners(tx, ssnItems);
    applier.applyFamily(family, events, (hmac) => (owners.get(`${groupNumber}\u0000${hmac.toString('hex')}`)?.size ?? 0) > 0);
    const out = applier.takeOutput();
    const holds = out.exceptions.filter((e) => e.held);
    // A hold is the re-run item's note, never a new item; what an applied change raises beside it is recorded.
    await writeBatch(tx, [family], { ...out, exceptions: out.exceptions.filter((e) => !e.held) }, {
      fileId,
      interchangeControl: set.interchange_control,
      setControl,
      today: receivedDate,
    });

    const counts = out.counts;
    const holdAt = (p: number): PendingException | undefined => holds.find((h) => h.position === p);
    const others: RerunSibling[] = [];
    let result: Omit<RerunResult, 'others'> | undefined;
    for (const r of items) {
      const hold = holdAt(r.segment_position);
      const via = r.id === id ? '' : ` (with exception ${id})`;
      const note = hold
        ? `re-run${via}: still held (${hold.category}): ${hold.description}`
        : `${RERUN_APPLIED_REASON}${via} (${describeCounts(counts)})`;
      await tx.query(
        'update exception set updated_at = greatest(now(), updated_at) where id = $1::bigint',
        [r.id],
      );
      await tx.query(
        `insert into exception_event (exception_id, at, actor, from_state, to_state, note, kind)
         select id, updated_at, $2, state, state, $3, 'rerun' from exception where id = $1::bigint`,
        [r.id, actor, note],
      );
      const after = hold ? (await getException(tx, r.id))! : await transitionException(tx, r.id, 'resolved', { actor, note: `${RERUN_APPLIED_REASON}${via}` });
      if (r.id === id) {
        result = hold
          ? { item: after, outcome: 'held', counts, reason: `${hold.category}: ${hold.description}`, hold: { category: hold.category, description: hold.description } }
          : { item: after, outcome: 'applied', counts, reason: RERUN_APPLIED_REASON };
      } else {
        others.push({ id: r.id, outcome: hold ? 'held' : 'applied', state: after.state });
      }
    }
    return { ...result!, others };
  });
}

/** Refuses an item that cannot be re-run, before anything is read. */
function checkItem(item: ExceptionRecord): void {
  if (isFinalState(item.state)) {
    throw new ExceptionRerunError('FINAL_STATE', `exception ${item.id} is ${item.state}: it cannot be re-run`, { exception: item.id, state: item.state });
  }
  if (!RERUNNABLE.has(item.category)) refuseCategory(item);
  if (item.fileId === null || item.setControl === null || item.segmentPosition === null) {
    throw new ExceptionRerunError('NO_SOURCE', `exception ${item.id} names no file, set and segment position: there is no change to re-run`, { exception: item.id });
  }
}

/** "1 added, 1 changed": the counts that are not zero ("nothing changed" when all are). */
export function describeCounts(c: ApplyCounts): string {
  const parts = (Object.keys(emptyCounts()) as Array<keyof ApplyCounts>).filter((k) => c[k] > 0).map((k) => `${c[k]} ${k}`);
  return parts.length ? parts.join(', ') : 'nothing changed';
}

/**
 * The set at `fileOffset` of the archived file: its header and the members `keep` takes.
 * Undefined when the bytes are not the file's (SHA-256); header undefined when no 834 set starts there.
 */
async function readSet(
  store: ObjectStore,
  file: FileRow,
  fileOffset: number,
  keep: (e: MemberEvent) => boolean,
): Promise<{ header: EnrollmentFile | undefined; events: MemberEvent[] } | undefined> {
  let inSet = false;
  let header: EnrollmentFile | undefined;
  const events: MemberEvent[] = [];
  const reader = new EnrollmentFileReader({
    onSetStart: (place) => {
      inSet = place.fileOffset === fileOffset;
    },
    onHeader: (h) => {
      if (inSet) header = h;
    },
    onMember: (e) => {
      if (inSet && keep(e)) events.push(e);
    },
    onSetEnd: () => {
      inSet = false;
    },
  });
  const hash = createHash('sha256');
  for await (const chunk of store.get(file.archive_key!)) {
    hash.update(chunk);
    reader.push(chunk);
  }
  reader.end();
  if (hash.digest('hex') !== file.sha256.toLowerCase()) return undefined;
  return { header, events };
}
