/**
 * Applies one 834 transaction set inside the caller's database transaction: member events
 * are grouped into families and taken in batches (a batch ends at a family boundary), each
 * batch loaded, run through the rules and written in a few statements while the next batch
 * is read. A change file (BGN08 2) applies; a verify file (4) runs the same rules and writes
 * nothing but its record; a full file (RX) also ends or queues the members it omits.
 *
 * FULLHOLD: a full file is applied under a savepoint. When the members it ends or queues
 * (those it omits) are more than a group's share of its members in force before the set
 * (employer_group.full_file_hold_percent), what it applied is measured (counts, monthly
 * premium after), rolled back to the savepoint (premium before), and the set is recorded as
 * held with that preview and a `full-file-held` exception: nothing of it is applied until a
 * person releases it (src/enrollment/held-files.ts), which applies it with the hold bypassed.
 */
import { monthlyPremiumCents } from '../../billing/invoice.js';
import type { Db } from '../../db/db.js';
import { recordExceptions } from '../../exceptions/store.js';
import type { ExceptionCategory } from '../../exceptions/categories.js';
import type { PhiProtector } from '../../phi/protector.js';
import type { SsnThread } from '../../phi/ssn-thread.js';
import type { EnrollmentFile, FileAction, MemberEvent } from '../events.js';
import { EnrollmentApplier, emptyOutput, type ApplyCounts, type ApplyOutput } from './applier.js';
import type { GroupRules } from './group-rules.js';
import { bothSettled, loadFamilies, loadSsnOwners } from './load.js';
import { familyKey, memberInForce, memberInForceSql, type Family } from '../../membership/model.js';
import { writeBatch } from './write.js';

/**
 * Members per batch (a batch may run over to finish its last family). Two batches are in
 * memory with LOADAHEAD; at 2,000 a 100,000-member run peaked at 256–284 MB RSS, near the
 * 300 MB floor, at 1,500 at 242–255 MB, the time within this machine's noise.
 */
export const DEFAULT_BATCH_MEMBERS = 1500;

export interface SetApplyOptions {
  fileId: string;
  partnerId: string;
  interchangeControl: string;
  setControl: string;
  fileOffset: number;
  today: string;
  receivedDate: string;
  groups: ReadonlyMap<string, GroupRules>;
  phi: PhiProtector;
  /** Indexes and seals each batch's SSNs off the main thread (SSNTHREAD); in line without. */
  ssnThread?: SsnThread;
  batchMembers?: number;
  /** Hold a full file that ends or queues more than a group's share (FULLHOLD); default true. A release passes false. */
  holdFullFiles?: boolean;
  /** Measure each set's monthly premium change (a dry run); held sets always carry theirs. */
  measurePremium?: boolean;
}

/** What a held full file would change (held_full_file.preview): counts only, no PHI. */
export interface FullFilePreview {
  /** The group whose share the file passed (the first, when several did). */
  group: string;
  /** Each group of the set: members in force before it, omitted (ended or queued), the group's share. */
  groups: Array<{ group: string; inForce: number; omitted: number; holdPercent: number }>;
  added: number;
  changed: number;
  /** Members terminated or cancelled. */
  ended: number;
  /** Items queued for a person beside what was applied (a member omitted in a review group, …). */
  queued: number;
  /** Member events held by a rule. */
  held: number;
  unchanged: number;
  reinstated: number;
  /** The day the premium is measured on: the file's DTP*007, else its receipt date. */
  premiumDay: string;
  premiumBeforeCents: number;
  premiumAfterCents: number;
  premiumChangeCents: number;
}

export interface SetOutcome {
  setControl: string;
  /**
   * applied, verified (BGN08 4: compared only), duplicate (its BGN02 was seen before), or
   * held (a full file past its group's share, FULLHOLD: nothing applied, counts empty, see `heldFile`).
   */
  status: 'applied' | 'verified' | 'duplicate' | 'held';
  action: FileAction;
  reference: string;
  members: number;
  counts: ApplyCounts;
  /** Members a full file omitted: ended, or queued for review, per their group. */
  omitted: number;
  /** Items queued for a person beside the changes applied (exceptions that hold nothing). */
  queued: number;
  /** The monthly premium change of the set's groups, in cents (measured in a dry run, and for a held set). */
  premiumChangeCents?: number;
  /** A held set: its held_full_file id and what it would change. */
  heldFile?: { id: string; preview: FullFilePreview };
  exceptions: Partial<Record<ExceptionCategory, number>>;
  /** Why nothing was applied (duplicate). */
  note?: string;
}

interface PendingFamily {
  groupNumber: string;
  subscriberNumber: string;
  events: MemberEvent[];
}

/** A batch whose loads were issued: the families with their members, and SSN owners. */
interface LoadingBatch {
  batch: PendingFamily[];
  /** Its families' keys. */
  keys: Set<string>;
  hexOf: (hmac: Buffer) => string;
  loads: Promise<[Map<string, Family>, Map<string, Set<string>>]>;
}

export class EnrollmentSetApply {
  private applier: EnrollmentApplier | undefined;
  private header: EnrollmentFile | undefined;
  private action: FileAction = 'change';
  private duplicateOf: string | undefined;
  private pending = new Map<string, PendingFamily>();
  private pendingMembers = 0;
  private lastKey = '';
  /** The last batch's writes (each batch's follow the one's before). */
  private writing: Promise<void> | undefined;
  /** The batch whose loads are in flight, applied when the next batch is full (LOADAHEAD). */
  private loaded: LoadingBatch | undefined;
  /** New members' SSNs of the batch applied last, whose writes the next batch's loads may not see. */
  private inFlightAdded = new Map<string, string>();
  private members = 0;
  private omitted = 0;
  private queued = 0;
  /** Omitted members per group (full file). */
  private readonly omittedByGroup = new Map<string, number>();
  /** FULLHOLD: members in force per group of the partner before the set, when the savepoint is open. */
  private inForceBefore: Map<string, number> | undefined;
  /** measurePremium: the premium per group of the partner before the set. */
  private premiumBefore: Map<string, number> | undefined;
  private readonly groupsSeen = new Set<string>();
  private readonly totals: ApplyOutput = emptyOutput();
  private readonly exceptionCounts: Partial<Record<ExceptionCategory, number>> = {};
  private seenTable = false;

  constructor(
    private readonly tx: Db,
    private readonly options: SetApplyOptions,
  ) {}

  /** The set's header, before its first member. Returns false when the set is a resend (nothing to apply). */
  async start(header: EnrollmentFile): Promise<boolean> {
    this.header = header;
    // The loads are index probes for a batch; with stale statistics their estimated cost
    // can pass jit_above_cost, and compiling them took longer than running them (measured:
    // 130 ms of JIT for a 4 ms coverage load).
    await this.tx.query('set local jit = off');
    this.action = header.action ?? 'change';
    const dup = await this.tx.query<{ file_id: string; set_control: string }>(
      `select file_id::text as file_id, set_control from inbound_set
        where partner = $1 and transaction_set = '834' and reference = $2 and status = $3 limit 1`,
      // A verify file's reference does not block a change file that reuses it, nor the reverse.
      [this.options.partnerId, header.reference, header.action === 'verify' ? 'verified' : 'applied'],
    );
    if (dup.rows[0]) {
      this.duplicateOf = `file ${dup.rows[0].file_id} set ${dup.rows[0].set_control}`;
      return false;
    }
    this.applier = new EnrollmentApplier({
      today: this.options.today,
      receivedDate: this.options.receivedDate,
      fileEffectiveDate: header.effectiveDate,
      masterPolicy: header.masterPolicy,
      action: this.action,
      partnerId: this.options.partnerId,
      groups: this.options.groups,
      phi: this.options.phi,
    });
    if (header.masterPolicy) this.groupsSeen.add(header.masterPolicy);
    if (this.options.measurePremium) this.premiumBefore = await monthlyPremiumCents(this.tx, this.partnerGroups(), this.premiumDay());
    if (this.action === 'replace' && this.options.holdFullFiles !== false) {
      // FULLHOLD: the share is of the members in force before the set; the savepoint lets it be undone.
      const { rows } = await this.tx.query<{ group_number: string; n: number }>(
        `select m.group_number, count(*)::integer as n from member m
          where m.group_number = any($1::text[]) and ${memberInForceSql('m', '$2::date')} group by m.group_number`,
        [this.partnerGroups(), this.options.today],
      );
      this.inForceBefore = new Map(rows.map((r) => [r.group_number, r.n]));
      await this.tx.query(`savepoint ${HOLD_SAVEPOINT}`);
    }
    if (this.action === 'replace' || this.action === 'verify') {
      // No key: ids arrive by COPY, a member named twice is harmless to the anti-join.
      await this.tx.query('create temp table if not exists edibridge_set_seen (member_id bigint not null) on commit drop');
      await this.tx.query('truncate edibridge_set_seen');
      this.seenTable = true;
    }
    return true;
  }

  /**
   * Takes one member. Returns a promise only when a batch was handed to the database (the
   * caller awaits it before the next member); a member that just joins the batch costs no
   * promise, which at a million members is measurable.
   */
  member(event: MemberEvent): Promise<void> | undefined {
    const applier = this.applier;
    if (!applier) return undefined;
    this.members++;
    const group = applier.groupNumberOf(event) ?? '';
    const key = familyKey(group, event.subscriberId ?? '');
    const flushed = key !== this.lastKey && this.pendingMembers >= (this.options.batchMembers ?? DEFAULT_BATCH_MEMBERS) ? this.flush(this.takePending()) : undefined;
    this.lastKey = key;
    let f = this.pending.get(key);
    if (!f) this.pending.set(key, (f = { groupNumber: group, subscriberNumber: event.subscriberId ?? '', events: [] }));
    f.events.push(event);
    this.pendingMembers++;
    return flushed;
  }

  /** The pending families as a batch (empty when none), and a fresh start. */
  private takePending(): PendingFamily[] {
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.pendingMembers = 0;
    return batch;
  }

  /** After the SE: the last batch, a full file's omissions, and the set's record. */
  async finish(): Promise<SetOutcome> {
    const header = this.header;
    const base = {
      setControl: this.options.setControl,
      action: this.action,
      reference: header?.reference ?? '',
      members: this.members,
    };
    if (this.duplicateOf !== undefined || !this.applier) {
      const note = `BGN02 reference already received (${this.duplicateOf ?? 'earlier'}): a resend, nothing applied`;
      await this.record('duplicate', { note });
      return { ...base, status: 'duplicate', counts: this.totals.counts, omitted: 0, queued: 0, exceptions: {}, note };
    }
    await this.flush(this.takePending());
    await this.drain();
    if (this.action === 'replace' || this.action === 'verify') await this.omissions();
    if (this.inForceBefore) {
      const over = this.groupsOverShare();
      if (over.length) return this.hold(base, over);
      await this.tx.query(`release savepoint ${HOLD_SAVEPOINT}`);
    }
    const status = this.action === 'verify' ? 'verified' : 'applied';
    const outcome: SetOutcome = { ...base, status, counts: this.totals.counts, omitted: this.omitted, queued: this.queued, exceptions: this.exceptionCounts };
    if (this.premiumBefore) {
      const before = this.premiumBefore;
      const after = await monthlyPremiumCents(this.tx, this.setGroups(), this.premiumDay());
      outcome.premiumChangeCents = [...after].reduce((sum, [g, cents]) => sum + cents - (before.get(g) ?? 0), 0);
    }
    await this.record(status, { counts: outcome.counts, omitted: outcome.omitted, exceptions: outcome.exceptions });
    return outcome;
  }

  /** The groups of the sending partner (those a set of it may touch). */
  private partnerGroups(): string[] {
    return [...this.options.groups.values()].filter((g) => g.partnerId === this.options.partnerId).map((g) => g.groupNumber);
  }

  /** The partner's groups the set named. */
  private setGroups(): string[] {
    return [...this.groupsSeen].filter((g) => this.options.groups.get(g)?.partnerId === this.options.partnerId).sort();
  }

  /** Where the premium is measured: the file's DTP*007, else its receipt date. */
  private premiumDay(): string {
    return this.header?.effectiveDate ?? this.options.receivedDate;
  }

  /** FULLHOLD: the set's groups whose omitted members are more than their share of those in force before. */
  private groupsOverShare(): FullFilePreview['groups'] {
    const out: FullFilePreview['groups'] = [];
    for (const group of this.setGroups()) {
      const inForce = this.inForceBefore?.get(group) ?? 0;
      const omitted = this.omittedByGroup.get(group) ?? 0;
      const holdPercent = this.options.groups.get(group)?.fullFileHoldPercent ?? 100;
      out.push({ group, inForce, omitted, holdPercent });
    }
    return out.some((g) => g.omitted * 100 > g.holdPercent * g.inForce) ? out : [];
  }

  /**
   * FULLHOLD: measures what the set did, undoes it (back to the savepoint), and records the
   * set as held with that preview, its held_full_file row and a `full-file-held` exception.
   */
  private async hold(base: Pick<SetOutcome, 'setControl' | 'action' | 'reference' | 'members'>, groups: FullFilePreview['groups']): Promise<SetOutcome> {
    const day = this.premiumDay();
    const names = groups.map((g) => g.group);
    const after = await monthlyPremiumCents(this.tx, names, day);
    await this.tx.query(`rollback to savepoint ${HOLD_SAVEPOINT}`);
    await this.tx.query(`release savepoint ${HOLD_SAVEPOINT}`);
    const before = await monthlyPremiumCents(this.tx, names, day);
    const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
    const c = this.totals.counts;
    const over = groups.find((g) => g.omitted * 100 > g.holdPercent * g.inForce)!;
    const preview: FullFilePreview = {
      group: over.group,
      groups,
      added: c.added,
      changed: c.changed,
      ended: c.terminated + c.cancelled,
      queued: this.queued,
      held: c.held,
      unchanged: c.unchanged,
      reinstated: c.reinstated,
      premiumDay: day,
      premiumBeforeCents: sum(before),
      premiumAfterCents: sum(after),
      premiumChangeCents: sum(after) - sum(before),
    };
    await this.record('held', { omitted: this.omitted, preview });
    await recordExceptions(this.tx, [{
      category: 'full-file-held',
      fileId: this.options.fileId,
      setControl: this.options.setControl,
      groupNumber: over.group,
      description: describeHeld(preview, over),
    }]);
    const { rows } = await this.tx.query<{ id: string }>(
      `insert into held_full_file (file_id, partner, file_offset, interchange_control, set_control, reference, group_number, preview, exception_id)
       select $1::bigint, $2, $3, $4, $5, $6, $7, $8::jsonb,
              (select id from exception where file_id = $1::bigint and set_control = $5 and category = 'full-file-held' and segment_position is null)
       returning id::text as id`,
      [this.options.fileId, this.options.partnerId, this.options.fileOffset, this.options.interchangeControl, this.options.setControl, this.header?.reference || null, over.group, JSON.stringify(preview)],
    );
    return {
      ...base,
      status: 'held',
      counts: emptyOutput().counts,
      omitted: this.omitted,
      queued: 0,
      premiumChangeCents: preview.premiumChangeCents,
      heldFile: { id: rows[0]!.id, preview },
      exceptions: { 'full-file-held': 1 },
    };
  }

  private async record(status: SetOutcome['status'], summary: object): Promise<void> {
    await this.tx.query(
      `insert into inbound_set (file_id, partner, file_offset, interchange_control, set_control, transaction_set, reference, action, status, summary)
       values ($1, $2, $3, $4, $5, '834', $6, $7, $8, $9::jsonb)`,
      [
        this.options.fileId,
        this.options.partnerId,
        this.options.fileOffset,
        this.options.interchangeControl,
        this.options.setControl,
        this.header?.reference || null,
        this.action,
        status,
        JSON.stringify(summary),
      ],
    );
  }

  /**
   * LOADAHEAD: a full batch's loads are issued at once, and the batch before it, whose loads
   * were issued a batch ago, is applied and written meanwhile, so the server loads one batch
   * while the rules run on the other instead of each waiting for the other.
   *
   * What a batch's loads see: every write but the one of the batch just before it, which
   * never shares a family with it (a batch that does is loaded after that write), and whose
   * new SSNs the matcher is told of (`inFlightAdded`).
   */
  private async flush(batch: PendingFamily[]): Promise<void> {
    if (!this.applier || batch.length === 0) return;
    const before = this.loaded;
    this.loaded = undefined;
    const keys = new Set(batch.map((f) => familyKey(f.groupNumber, f.subscriberNumber)));
    if (before && [...keys].some((k) => before.keys.has(k))) {
      await this.applyLoaded(before);
      await this.writing;
      this.loaded = this.load(batch, keys);
      return;
    }
    // The write issued last (the batch before `before`) has issued all its statements once it
    // is done; the loads queue behind them.
    await this.writing;
    this.loaded = this.load(batch, keys);
    if (before) await this.applyLoaded(before);
  }

  /** Applies the batch whose loads are in flight, if any (the set's end). */
  private async drain(): Promise<void> {
    const last = this.loaded;
    this.loaded = undefined;
    if (last) await this.applyLoaded(last);
    await this.writing;
  }

  /** Issues a batch's three loads (members, coverages, SSN owners); they run in turn. */
  private load(batch: PendingFamily[], keys: Set<string>): LoadingBatch {
    const applier = this.applier!;
    // SSN indexes as hex, each converted once (the batch asks for one up to three times).
    const hexes = new Map<Buffer, string>();
    const hexOf = (hmac: Buffer): string => {
      let hex = hexes.get(hmac);
      if (hex === undefined) hexes.set(hmac, (hex = hmac.toString('hex')));
      return hex;
    };
    const ssnItems = (): Array<{ groupNumber: string; subscriberNumber: string; ssnHmacHex: string }> => {
      const items = [];
      for (const f of batch) {
        for (const e of f.events) {
          const h = applier.ssnIndexOf(e);
          if (h) items.push({ groupNumber: f.groupNumber, subscriberNumber: f.subscriberNumber, ssnHmacHex: hexOf(h) });
        }
      }
      return items;
    };
    for (const f of batch) this.groupsSeen.add(f.groupNumber);
    const families = loadFamilies(this.tx, batch);
    // SSNTHREAD: with a thread, the owner load waits for the batch's indexes; it then queues
    // behind the last batch's writes, which changes nothing it answers (an SSN that batch
    // added counts whether the load sees it on file or in flight).
    const thread = this.options.ssnThread;
    const owners = thread
      ? this.ssnAhead(thread, batch).then(() => loadSsnOwners(this.tx, ssnItems()))
      : loadSsnOwners(this.tx, ssnItems());
    const loads = bothSettled(families, owners);
    // Surfaced when the batch is applied; never an unhandled rejection meanwhile.
    loads.catch(() => {});
    return { batch, keys, hexOf, loads };
  }

  /**
   * The batch's SSN indexes, and the sealed SSNs of the members it adds, from the SSN thread
   * while the main thread applies the batch before (SSNTHREAD). A rule that gives an SSN to a
   * member on file seals it in line; that is rare.
   */
  private async ssnAhead(thread: SsnThread, batch: PendingFamily[]): Promise<void> {
    const named: Array<MemberEvent & { name: { ssn: string } }> = [];
    for (const f of batch) for (const e of f.events) if (e.name?.ssn) named.push(e as MemberEvent & { name: { ssn: string } });
    const adds = named.filter((e) => e.maintenance === 'add');
    const done = await thread.run({ index: named.map((e) => e.name.ssn), seal: adds.map((e) => e.name.ssn) });
    // `adds` is `named` filtered in order: its seals are taken in turn.
    let seal = 0;
    named.forEach((e, i) => this.applier!.knowSsn(e, done.indexes[i]!, e.maintenance === 'add' ? done.sealed[seal++] : undefined));
  }

  /** Runs the rules on a loaded batch and issues its writes (after the last batch's). */
  private async applyLoaded({ batch, hexOf, loads }: LoadingBatch): Promise<void> {
    const applier = this.applier!;
    const [families, owners] = await loads;
    // SSNs of members added in this batch and in the one in flight (maybe not inserted yet),
    // by family, so two new families cannot share one.
    const added = new Map<string, string>();
    const inFlightAdded = this.inFlightAdded;
    for (const pf of batch) {
      const key = familyKey(pf.groupNumber, pf.subscriberNumber);
      const family = families.get(key)!;
      const before = new Set(family.members);
      applier.applyFamily(family, pf.events, (hmac) => {
        const k = `${pf.groupNumber}\u0000${hexOf(hmac)}`;
        const onFile = owners.get(k);
        if (onFile && [...onFile].some((f) => f !== key)) return true;
        const other = added.get(k) ?? inFlightAdded.get(k);
        return other !== undefined && other !== key;
      });
      for (const m of family.members) {
        if (!before.has(m) && m.ssnHmac) added.set(`${pf.groupNumber}\u0000${hexOf(m.ssnHmac)}`, key);
      }
    }
    this.inFlightAdded = added;
    const out = applier.takeOutput();
    this.tally(out);
    const seen = [...applier.seen];
    applier.seen.clear();
    const write = async (): Promise<void> => {
      if (this.action !== 'verify') await writeBatch(this.tx, families.values(), out, this.source());
      if (this.seenTable) {
        const ids = seen.map((m) => m.id).filter((id): id is string => id !== undefined);
        if (ids.length) await this.tx.copyFrom('edibridge_set_seen', ['member_id'], ids.join('\n') + '\n');
      }
    };
    const previous = this.writing;
    // Statements of one transaction run in order: this batch's writes follow the last one's.
    this.writing = (async () => {
      await previous;
      await write();
    })();
    // Surfaced by the next await of `writing`; never an unhandled rejection meanwhile.
    this.writing.catch(() => {});
  }

  private source(): { fileId: string; interchangeControl: string; setControl: string; today: string } {
    return { fileId: this.options.fileId, interchangeControl: this.options.interchangeControl, setControl: this.options.setControl, today: this.options.receivedDate };
  }

  private tally(out: ApplyOutput): void {
    const t = this.totals.counts;
    for (const k of Object.keys(t) as Array<keyof ApplyCounts>) t[k] += out.counts[k];
    for (const e of out.exceptions) {
      this.exceptionCounts[e.category] = (this.exceptionCounts[e.category] ?? 0) + 1;
      if (!e.held) this.queued++;
    }
  }

  /** Members of the set's groups in force but not named by a full (or verify) file. */
  private async omissions(): Promise<void> {
    const applier = this.applier!;
    const groups = [...this.groupsSeen].filter((g) => this.options.groups.get(g)?.partnerId === this.options.partnerId);
    if (groups.length === 0) return;
    // Statistics for the planner: a temp table has none, and this one holds every member named.
    await this.tx.query('analyze edibridge_set_seen');
    const { rows } = await this.tx.query<{ group_number: string; subscriber_number: string; id: string }>(
      `select m.group_number, m.subscriber_number, m.id::text as id from member m
        where m.group_number = any($1::text[]) and ${memberInForceSql('m', '$2::date')}
          and not exists (select 1 from edibridge_set_seen s where s.member_id = m.id)
        order by m.group_number, m.subscriber_number, m.id`,
      [groups, this.options.today],
    );
    this.omitted = rows.length;
    for (const r of rows) this.omittedByGroup.set(r.group_number, (this.omittedByGroup.get(r.group_number) ?? 0) + 1);
    if (this.action === 'verify' || rows.length === 0) return;
    const batchSize = this.options.batchMembers ?? DEFAULT_BATCH_MEMBERS;
    for (let i = 0; i < rows.length; i += batchSize) {
      const slice = rows.slice(i, i + batchSize);
      const families = await loadFamilies(this.tx, slice.map((r) => ({ groupNumber: r.group_number, subscriberNumber: r.subscriber_number })));
      const omittedIds = new Set(slice.map((r) => r.id));
      for (const family of families.values()) {
        for (const m of family.members) {
          if (m.id !== undefined && omittedIds.has(m.id) && memberInForce(m, this.options.today)) applier.omit(family, m);
        }
      }
      const out = applier.takeOutput();
      this.tally(out);
      await writeBatch(this.tx, families.values(), out, this.source());
    }
  }
}

/** FULLHOLD's savepoint (apart from the nested transactions' edibridge_sp_N). */
const HOLD_SAVEPOINT = 'edibridge_full_file_hold';

/** Dollars and cents with a sign: +$12.40, -$1,076.04. */
export function signedDollars(cents: number): string {
  const abs = Math.abs(cents);
  const text = `$${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
  return `${cents < 0 ? '-' : '+'}${text}`;
}

/** The held file's exception in plain words: counts and the group only, no PHI. */
function describeHeld(p: FullFilePreview, over: FullFilePreview['groups'][number]): string {
  const share = over.inForce === 0 ? 100 : Math.round((over.omitted * 1000) / over.inForce) / 10;
  return (
    `A full file for group ${over.group} would end or queue ${over.omitted} of its ${over.inForce} members in force (${share}%), ` +
    `more than the ${over.holdPercent}% the group allows at once, so nothing of it was applied. ` +
    `It would add ${p.added}, change ${p.changed}, end ${p.ended} and queue ${p.queued} for review; ` +
    `the monthly premium would change by ${signedDollars(p.premiumChangeCents)}. ` +
    'Confirm with the employer that these members have left, then release the file (edibridge held release) or reject it.'
  );
}
