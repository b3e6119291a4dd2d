/**
 * Ingesting one inbound file: identify it (SHA-256, first ISA), find its trading partner,
 * register and claim it (a resend stops here), validate it and write its TA1/999, then
 * stream it again and apply each accepted 834 transaction set in a database transaction of
 * its own, recorded with the set so that a crash leaves every set wholly applied or not at
 * all and a rerun resumes where it stopped.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { acknowledgementsFor, writeAcknowledgements, type Acknowledgement } from '../ack/acknowledgements.js';
import type { Db } from '../db/db.js';
import { recordExceptions } from '../exceptions/store.js';
import type { ExceptionCategory } from '../exceptions/categories.js';
import { EnrollmentSetApply, type SetOutcome } from '../enrollment/apply/apply-set.js';
import { emptyCounts, type ApplyCounts } from '../enrollment/apply/applier.js';
import { isoDay } from '../enrollment/apply/dates.js';
import { loadGroupRules } from '../enrollment/apply/group-rules.js';
import type { EnrollmentFile, MemberEvent } from '../enrollment/events.js';
import { EnrollmentFileReader, type SetPlace } from '../enrollment/read-file.js';
import type { PhiProtector } from '../phi/protector.js';
import type { SsnThread } from '../phi/ssn-thread.js';
import { findPartnerByIsa, type TradingPartnerRow } from '../reference/store.js';
import { EdiBridgeError } from '../core/errors.js';
import { acceptedSets, type FileReport } from '../x12/report.js';
import { validateFile } from '../x12/validate.js';
import { claimHolder, registerFile, releaseFile, renewClaim } from './claim.js';
import { identifyFile } from './file-identity.js';

export interface IngestOptions {
  db: Db;
  phi: PhiProtector;
  /** The partner the file must come from (its id); default: found by the file's ISA05/ISA06. */
  partnerId?: string;
  /** Where acknowledgements go (a folder per file, as `validate` writes them). */
  ackDir?: string;
  now?: () => Date;
  /** Members per write batch (tests use small batches to cross batch boundaries). */
  batchMembers?: number;
  /**
   * Index and seal SSNs on a worker thread (SSNTHREAD in apply-set.ts). Default: for files of
   * SSN_THREAD_MIN_BYTES or more; a thread costs about 24 MB RSS and 30 ms to start.
   */
  ssnThread?: boolean;
  /** Called after each set is committed (the crash test watches this). */
  onSetCommitted?: (outcome: SetOutcome) => void;
}

export interface IngestResult {
  file: string;
  fileId: string;
  partner: string;
  /** processed: validated and applied; duplicate: a resend, nothing applied; rejected: no interchange accepted. */
  status: 'processed' | 'duplicate' | 'rejected';
  /** Why nothing was applied (duplicate). */
  note?: string;
  /** The run finished an earlier, interrupted ingest of the same file. */
  resumed: boolean;
  validation?: { accepted: boolean; setsAccepted: number; setsRejected: number };
  acknowledgements: Array<{ name: string; kind: Acknowledgement['kind']; path?: string }>;
  sets: SetOutcome[];
  /** Sets applied by an earlier run of this file (resumed). */
  setsAlreadyApplied: number;
  /** Sets of other transactions (820) not applied by this release. */
  setsNotApplied: number;
  totals: ApplyCounts;
  exceptions: Partial<Record<ExceptionCategory, number>>;
}

/** About 14,000 members: below it, starting the SSN thread costs more than it saves. */
export const SSN_THREAD_MIN_BYTES = 4 << 20;

/** Raised before anything is written: unknown partner, unreadable envelope, partner mismatch. */
export class IngestError extends EdiBridgeError {}

export async function ingestFile(path: string, options: IngestOptions): Promise<IngestResult> {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const name = basename(path);
  const identity = await identifyFile(path).catch((err: unknown) => {
    throw new IngestError('FILE_UNREADABLE', `cannot read ${name}`, { file: name }, { cause: err });
  });
  if (!identity.isa) {
    throw new IngestError('FILE_UNREADABLE', `${name} does not start with a readable ISA: no partner can be told, nothing was stored`, { file: name });
  }
  const partner = await resolvePartner(db, identity.isa.senderQualifier, identity.isa.sender, options.partnerId, name);
  const holder = claimHolder();
  const registration = await registerFile(db, { partner: partner.id, name, identity, receivedAt: now() }, holder);
  const result: IngestResult = {
    file: name,
    fileId: registration.fileId,
    partner: partner.id,
    status: 'processed',
    resumed: registration.kind === 'claimed' && registration.resumed,
    acknowledgements: [],
    sets: [],
    setsAlreadyApplied: 0,
    setsNotApplied: 0,
    totals: emptyCounts(),
    exceptions: {},
  };
  if (registration.kind === 'duplicate') {
    return { ...result, status: 'duplicate', note: `nothing applied: ${registration.why}` };
  }
  let ssnThread: SsnThread | undefined;
  try {
    const report = await validateFile(path, { receiverIds: new Set([partner.receiverIsaId]), name });
    result.validation = summariseValidation(report);
    result.acknowledgements = await acknowledge(db, report, name, options.ackDir, now);
    const plan = setPlan(report);
    await recordRejectedSets(db, registration.fileId, plan.rejected);
    if (plan.accepted.size === 0) {
      result.status = report.interchanges.some((ic) => ic.status !== 'R') ? 'processed' : 'rejected';
    }
    const done = await db.query<{ file_offset: string }>('select file_offset::text as file_offset from inbound_set where file_id = $1', [registration.fileId]);
    const already = new Set(done.rows.map((r) => Number(r.file_offset)));
    result.setsAlreadyApplied = [...plan.accepted.keys()].filter((o) => already.has(o)).length;
    result.setsNotApplied = plan.otherAccepted;
    const groups = await loadGroupRules(db);
    // Not when every accepted set was applied by an earlier run (a resume with nothing left).
    const useThread = plan.accepted.size > result.setsAlreadyApplied && (options.ssnThread ?? identity.size >= SSN_THREAD_MIN_BYTES);
    ssnThread = useThread ? options.phi.startThread() : undefined;
    const pump = new ItemPump(path);
    for (let item = await pump.next(); item; item = await pump.next()) {
      if (item.type !== 'set-start') continue;
      if (!plan.accepted.has(item.place.fileOffset) || already.has(item.place.fileOffset)) {
        await pump.skipSet();
        continue;
      }
      const place = item.place;
      const outcome = await db.transaction(async (tx) => {
        const apply = new EnrollmentSetApply(tx, {
          fileId: registration.fileId,
          partnerId: partner.id,
          interchangeControl: place.interchangeControl,
          setControl: place.control,
          fileOffset: place.fileOffset,
          today: isoDay(now()),
          receivedDate: isoDay(registration.receivedAt),
          groups,
          phi: options.phi,
          ...(ssnThread ? { ssnThread } : {}),
          ...(options.batchMembers !== undefined ? { batchMembers: options.batchMembers } : {}),
        });
        let applying = false;
        // Items already read are taken without a promise each; only reading and the
        // database are awaited.
        for (let it = pump.nextRead(); it?.type !== 'set-end'; it = pump.nextRead()) {
          if (it === undefined) {
            if (await pump.read()) continue;
            break;
          }
          if (it.type === 'header') applying = await apply.start(it.header);
          else if (it.type === 'member' && applying) {
            const flushed = apply.member(it.event);
            if (flushed) await flushed;
          }
        }
        const o = await apply.finish();
        await renewClaim(tx, registration.fileId, holder);
        return o;
      });
      result.sets.push(outcome);
      options.onSetCommitted?.(outcome);
      addCounts(result.totals, outcome.counts);
      for (const [k, v] of Object.entries(outcome.exceptions) as Array<[ExceptionCategory, number]>) {
        result.exceptions[k] = (result.exceptions[k] ?? 0) + v;
      }
    }
    if (plan.rejected.length) result.exceptions['rejected-set'] = (result.exceptions['rejected-set'] ?? 0) + plan.rejected.length;
    await releaseFile(db, registration.fileId, result.status === 'rejected' ? 'rejected' : 'processed', holder);
    return result;
  } catch (err) {
    await releaseFile(db, registration.fileId, 'failed', holder).catch(() => {});
    throw err;
  } finally {
    await ssnThread?.close();
  }
}

async function resolvePartner(db: Db, qualifier: string, sender: string, partnerId: string | undefined, file: string): Promise<TradingPartnerRow> {
  const bySender = await findPartnerByIsa(db, qualifier, sender);
  if (partnerId !== undefined) {
    if (!bySender || bySender.id !== partnerId) {
      const known = await db.query('select 1 from trading_partner where id = $1', [partnerId]);
      throw new IngestError(
        'CONFIG_INVALID',
        known.rowCount
          ? `${file} was not sent by partner ${partnerId} (its ISA05/ISA06 sender does not match): nothing was stored`
          : `no trading partner ${partnerId} in the reference data: nothing was stored`,
        { file },
      );
    }
    return bySender;
  }
  if (!bySender) {
    throw new IngestError(
      'CONFIG_INVALID',
      `${file} comes from a sender (ISA05/ISA06) that is no trading partner in the reference data: nothing was stored. Add the partner (edibridge setup load) or pass --partner.`,
      { file },
    );
  }
  return bySender;
}

function summariseValidation(report: FileReport): NonNullable<IngestResult['validation']> {
  let accepted = 0;
  let total = 0;
  for (const ic of report.interchanges) {
    for (const g of ic.groups) {
      total += g.sets.length;
      if (ic.status !== 'R') accepted += acceptedSets(g);
    }
  }
  return { accepted: report.accepted, setsAccepted: accepted, setsRejected: total - accepted };
}

interface SetPlanEntry {
  control: string;
  fileOffset: number;
}

/** Accepted 834 sets by ST offset; rejected sets; accepted sets of other kinds. */
function setPlan(report: FileReport): { accepted: Map<number, SetPlanEntry>; rejected: SetPlanEntry[]; otherAccepted: number } {
  const accepted = new Map<number, SetPlanEntry>();
  const rejected: SetPlanEntry[] = [];
  let otherAccepted = 0;
  for (const ic of report.interchanges) {
    for (const g of ic.groups) {
      for (const s of g.sets) {
        const ok = ic.status !== 'R' && g.status !== 'R' && (s.status === 'A' || s.status === 'E');
        const entry = { control: s.control, fileOffset: s.fileOffset };
        if (!ok) rejected.push(entry);
        else if (s.id === '834') accepted.set(s.fileOffset, entry);
        else otherAccepted++;
      }
    }
  }
  return { accepted, rejected, otherAccepted };
}

/** A rejected set needs the partner to resend: one exception each, so ops can follow up. */
async function recordRejectedSets(db: Db, fileId: string, rejected: SetPlanEntry[]): Promise<void> {
  const controls = rejected.filter((s) => /^[0-9A-Za-z]{4,9}$/.test(s.control));
  await recordExceptions(db, controls.map((s) => ({
    category: 'rejected-set' as const,
    fileId,
    setControl: s.control,
    description: `Transaction set ${s.control} was rejected by its 999 acknowledgement and nothing in it was applied; the partner must correct and resend it.`,
  })));
}

/** Writes the TA1/999 a report calls for, numbered from the database's outbound control sequence. */
async function acknowledge(db: Db, report: FileReport, name: string, ackDir: string | undefined, now: () => Date): Promise<IngestResult['acknowledgements']> {
  // Each interchange takes an ISA13 and a GS06: draw enough numbers first.
  const needed = report.interchanges.length * 4 + 2;
  const { rows } = await db.query<{ n: string }>('select nextval(\'outbound_control_seq\')::text as n from generate_series(1, $1::int)', [needed]);
  const numbers = rows.map((r) => Number(r.n));
  let i = 0;
  const acks = acknowledgementsFor(report, {
    now,
    nextControlNumber: () => {
      const n = numbers[i++];
      if (n === undefined) throw new EdiBridgeError('INTERNAL', 'ran out of drawn control numbers', { file: name });
      return n;
    },
  });
  if (!ackDir) return acks.map((a) => ({ name: a.name, kind: a.kind }));
  const paths = await writeAcknowledgements(ackDir, name, acks);
  return acks.map((a, i) => ({ name: a.name, kind: a.kind, path: paths[i]! }));
}

function addCounts(into: ApplyCounts, from: ApplyCounts): void {
  for (const k of Object.keys(into) as Array<keyof ApplyCounts>) into[k] += from[k];
}

type Item =
  | { type: 'set-start'; place: SetPlace }
  | { type: 'header'; header: EnrollmentFile }
  | { type: 'member'; event: MemberEvent }
  | { type: 'set-end' };

/**
 * The file's 834 content as a pull stream of items: reads the next chunk only when the
 * items of the last one are used up, so applying (which awaits the database) holds back
 * reading and memory stays flat.
 */
class ItemPump {
  private items: Item[] = [];
  private index = 0;
  private done = false;
  private readonly chunks: AsyncIterator<Buffer>;
  private readonly reader: EnrollmentFileReader;

  constructor(path: string) {
    this.chunks = (createReadStream(path, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    this.reader = new EnrollmentFileReader({
      onSetStart: (place) => this.items.push({ type: 'set-start', place }),
      onHeader: (header) => this.items.push({ type: 'header', header }),
      onMember: (event) => this.items.push({ type: 'member', event }),
      onSetEnd: () => this.items.push({ type: 'set-end' }),
    });
  }

  /** The next item of the chunks read so far; undefined when they are used up (then `read`). */
  nextRead(): Item | undefined {
    return this.index < this.items.length ? this.items[this.index++] : undefined;
  }

  /** Reads the next chunk into items (once the last ones are used up); false at the end of the file. */
  async read(): Promise<boolean> {
    if (this.done) return false;
    this.items = [];
    this.index = 0;
    const r = await this.chunks.next();
    if (r.done) {
      this.reader.end();
      this.done = true;
    } else {
      this.reader.push(r.value);
    }
    return true;
  }

  async next(): Promise<Item | undefined> {
    for (;;) {
      const item = this.nextRead();
      if (item !== undefined || !(await this.read())) return item;
    }
  }

  async skipSet(): Promise<void> {
    for (let it = await this.next(); it && it.type !== 'set-end'; it = await this.next()) {
      // the set is not applied
    }
  }
}
