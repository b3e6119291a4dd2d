/**
 * Ingesting one inbound file: identify it (SHA-256, first ISA), find its trading partner,
 * register and claim it (a resend stops here), validate it and write its TA1/999, then hand
 * each accepted transaction set to the handler registered for its ST01 (834 → enrollment),
 * which applies it in a database transaction of its own. Accepted sets that no handler
 * takes leave the file open as "waiting for a handler": neither dropped nor done.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { acknowledgementsFor, writeAcknowledgements, type Acknowledgement } from '../ack/acknowledgements.js';
import { assertAcknowledgement } from '../ack/check.js';
import { EdiBridgeError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Db } from '../db/db.js';
import type { ExceptionCategory } from '../exceptions/categories.js';
import { recordExceptions } from '../exceptions/store.js';
import { findPartnerById, findPartnerByIsa, type TradingPartnerRow } from '../reference/store.js';
import type { IsaFields } from '../x12/envelope/isa.js';
import { acceptedSets, rejectInterchanges, type FileReport } from '../x12/report.js';
import { validateFile, validateStream } from '../x12/validate.js';
import { controlNumbersNeeded, drawControlNumbers } from './control-numbers.js';
import { processClaim, registerFile, releaseFile, renewClaim, type ClaimPolicy, type ReceivedAtSource } from './claim.js';
import { acknowledgementsReceived, recordSentAcknowledgements, type AcknowledgementReceived } from './acknowledgements-received.js';
import { identifyFile } from './file-identity.js';
import { describeSourceStart } from './file-start.js';
import type { AcceptedSet, HandlerRegistry, HandlerResult } from './handlers.js';
import { toSource, type FileSource } from './source.js';

/** What an adapter asks the ingest for. */
export const IngestFileInput = z.object({
  file: z.string().min(1),
  /** The partner the file must come from (its id in the reference data). */
  partner: z.string().trim().min(1).max(80).optional(),
  /** Where acknowledgements are written (default: the configured folder). */
  ackDir: z.string().min(1).optional(),
  /** The file's receipt time when it is not now (a replay): ISO 8601 with Z or an offset. */
  receivedAt: z.iso.datetime({ offset: true, message: 'an ISO 8601 timestamp with Z or an offset, e.g. 2026-06-01T09:00:00Z' })
    .transform((t) => new Date(t))
    .refine((d) => d.getTime() >= Date.UTC(2000, 0, 1), 'not before 2000-01-01')
    .optional(),
});
export type IngestFileInput = z.infer<typeof IngestFileInput>;

/** How far ahead of the clock a given receipt time may be (clock skew between machines). */
export const RECEIVED_AT_MAX_AHEAD_MS = 5 * 60_000;

/** IngestFileInput whose receipt time, when given, is not later than `now` (plus the skew). */
export function ingestFileInput(now: Date): z.ZodType<IngestFileInput, z.input<typeof IngestFileInput>> {
  return IngestFileInput.refine((i) => !(i.receivedAt instanceof Date) || i.receivedAt.getTime() <= now.getTime() + RECEIVED_AT_MAX_AHEAD_MS, {
    path: ['receivedAt'],
    message: 'in the future: a file cannot have been received later than now',
  });
}

export interface IngestOptions {
  db: Db;
  /** The handlers of accepted sets, by ST01. */
  handlers: HandlerRegistry;
  /** The partner the file must come from (its id); default: found by the file's ISA05/ISA06. */
  partnerId?: string;
  /**
   * The partner whose mailbox the file was pulled from (the service). Such a file is never
   * refused unrecorded: one whose ISA cannot be read, or whose ISA sender is another
   * partner's, is registered, answered with a TA1 (R) that goes to this partner's folder and
   * put in the exception queue; nothing in it is applied. The TA1 echoes the interchange's
   * own IDs where it has readable ones, else it is addressed with this partner's.
   */
  receivedFrom?: string;
  /** Who claims the file while it is ingested (default: this process, `cli:<host>:<pid>`). */
  claim?: ClaimPolicy;
  /** Where the raw bytes are archived (object key), recorded on the file. */
  archiveKey?: string;
  /**
   * The acknowledgements are for the service to deliver: kept with their bytes, each either
   * pending delivery or withheld per the partner's settings (instead of written to `ackDir`).
   */
  delivery?: AckDelivery;
  /** Where acknowledgements go (a folder per file, as `validate` writes them); none: not written. */
  ackDir?: string;
  /**
   * false: no acknowledgement is built, numbered or recorded (a dry run, src/ingest/dry-run.ts);
   * default true.
   */
  acknowledge?: boolean;
  now?: () => Date;
  /**
   * When the file was received, if not now (a replay): recorded as given (not observed) on
   * the file, and the handlers' date rules count from it, whatever today's date is.
   */
  receivedAt?: Date;
  log?: Logger;
  /** Progress of long work: the phase, bytes read of the size, sets seen, items applied. */
  onProgress?: (p: IngestProgress) => void;
  /** Stops the ingest before its next transaction set (a job that expired, a service stopping); the file is left to resume. */
  signal?: AbortSignal;
}

export interface IngestProgress {
  phase: 'identify' | 'validate' | 'apply';
  bytes: number;
  totalBytes: number | undefined;
  /** Members (834) or lines applied so far, in the apply phase. */
  items: number;
}

export interface HandlerReport {
  transactionSet: string;
  handler: string;
  /** Sets of this handler applied by an earlier run of the file (a resumed ingest). */
  setsAlreadyApplied: number;
  result: HandlerResult;
}

export interface IngestResult {
  file: string;
  fileId: string;
  partner: string;
  /**
   * processed: validated and every accepted set applied; duplicate: a resend, nothing
   * applied; rejected: no interchange accepted; waiting: accepted sets wait for a handler.
   */
  status: 'processed' | 'duplicate' | 'rejected' | 'waiting';
  /** Why nothing was applied (duplicate). */
  note?: string;
  /** The run finished an earlier, interrupted ingest of the same file. */
  resumed: boolean;
  /** When the file was received, as recorded (for a resend: the earlier file's). */
  receivedAt: Date;
  /** observed: the time it was registered; given: a time passed in (a replay). */
  receivedAtSource: ReceivedAtSource;
  validation?: {
    accepted: boolean;
    setsAccepted: number;
    setsRejected: number;
    /** Sets accepted and rejected, by ST01. */
    byTransactionSet: Record<string, { accepted: number; rejected: number }>;
  };
  acknowledgements: Array<{ name: string; kind: Acknowledgement['kind']; path?: string }>;
  /** A partner's TA1s and 999s the file carries, with what each answers: read, never handed to a handler. */
  acknowledgementsReceived?: AcknowledgementReceived[];
  /** What each handler applied. */
  handlers: HandlerReport[];
  /** Accepted sets no handler takes, by ST01: the file waits for a handler. */
  waiting: Array<{ transactionSet: string; sets: number }>;
  /** Exceptions opened, by category. */
  exceptions: Partial<Record<ExceptionCategory, number>>;
}

/** Which acknowledgements a partner gets (its `acks` settings). */
export interface AckDelivery {
  /** on-error: when validation calls for one (errors, or ISA14 = 1); always: for every interchange too; never: only when called for. */
  ta1: 'on-error' | 'always' | 'never';
  '999': boolean;
}

/** Raised before anything is written: unknown partner, unreadable envelope, partner mismatch. */
export class IngestError extends EdiBridgeError {}

export async function ingestFile(input: string | FileSource, options: IngestOptions): Promise<IngestResult> {
  const { db } = options;
  const source = toSource(input);
  const now = options.now ?? (() => new Date());
  const name = source.name;
  const totalBytes = await source.size();
  const progress = (phase: IngestProgress['phase'], bytes: number, items = 0): void => options.onProgress?.({ phase, bytes, totalBytes, items });
  const identity = await identifyFile(source).catch((err: unknown) => {
    throw new IngestError('FILE_UNREADABLE', `cannot read ${name}`, { file: name }, { cause: err });
  });
  const mailbox = options.receivedFrom !== undefined ? await mailboxPartner(db, options.receivedFrom, name) : undefined;
  if (!identity.isa && !mailbox) {
    const start = await describeSourceStart(source, identity.size).catch(() => undefined);
    throw new IngestError('FILE_UNREADABLE', `${name} does not start with a readable ISA${start ? ` (${start.description})` : ''}: no partner can be told, nothing was stored`, { file: name });
  }
  const bySender = identity.isa ? await findPartnerByIsa(db, identity.isa.senderQualifier, identity.isa.sender) : undefined;
  const partner = mailbox ?? (await resolvePartner(db, bySender, identity.isa!, options.partnerId, name));
  // From a partner's own folder, the envelope must be that partner's: else it is answered, not applied.
  const refusal: MailboxRefusal | undefined = !mailbox ? undefined : !identity.isa ? 'unreadable-file' : bySender?.id !== mailbox.id ? 'sender-mismatch' : undefined;
  const claim = options.claim ?? processClaim();
  const holder = claim.holder;
  const registration = await registerFile(db, {
    partner: partner.id,
    name,
    identity,
    receivedAt: options.receivedAt ?? now(),
    receivedAtSource: options.receivedAt ? 'given' : 'observed',
    ...(options.archiveKey !== undefined ? { archiveKey: options.archiveKey } : {}),
  }, claim);
  const log = (options.log ?? silentLogger()).child({ file: name, fileId: registration.fileId, partner: partner.id });
  log.info({ bytes: identity.size, sha256: identity.sha256, interchange: identity.isa?.control ?? null, registration: registration.kind }, 'file registered');
  const result: IngestResult = {
    file: name,
    fileId: registration.fileId,
    partner: partner.id,
    status: 'processed',
    resumed: registration.kind === 'claimed' && registration.resumed,
    receivedAt: registration.receivedAt,
    receivedAtSource: registration.receivedAtSource,
    acknowledgements: [],
    handlers: [],
    waiting: [],
    exceptions: {},
  };
  if (registration.kind === 'duplicate') {
    log.info({ duplicateOf: registration.fileId }, 'resend: nothing applied');
    return { ...result, status: 'duplicate', note: `nothing applied: ${registration.why}` };
  }
  try {
    const validateOptions = { receiverIds: new Set([partner.receiverIsaId]), name };
    progress('validate', 0);
    const validated = source.path !== undefined ? await validateFile(source.path, validateOptions) : await validateStream(source.open(), validateOptions);
    const report = refusal === 'sender-mismatch' ? rejectInterchanges(validated, SENDER_NOT_PARTNER) : validated;
    progress('validate', report.bytes);
    result.validation = summariseValidation(report);
    log.info({ accepted: result.validation.accepted, setsAccepted: result.validation.setsAccepted, setsRejected: result.validation.setsRejected }, 'file validated');
    if (options.acknowledge !== false) result.acknowledgements = await acknowledge(db, report, {
      name,
      fileId: registration.fileId,
      now,
      ...(options.ackDir !== undefined ? { ackDir: options.ackDir } : {}),
      ...(options.delivery ? { delivery: options.delivery } : {}),
      // Addressed to the partner the file came from, where its own ISA cannot say who that is.
      ...(mailbox ? { partner: mailbox } : {}),
    });
    for (const a of result.acknowledgements) log.info({ kind: a.kind, ack: a.name }, options.delivery ? 'acknowledgement kept for delivery' : 'acknowledgement written');
    const plan = setPlan(report);
    // A partner's TA1/999 is an answer to us: read and reported here, so a 999 set never waits for a handler.
    const received = await acknowledgementsReceived(db, report, source);
    if (received.length) result.acknowledgementsReceived = received;
    await recordRejectedSets(db, registration.fileId, plan.rejected);
    if (plan.rejected.length) result.exceptions['rejected-set'] = plan.rejected.length;
    if (refusal) {
      await recordMailboxRefusal(db, registration.fileId, refusal, partner, identity.isa);
      result.exceptions[refusal] = 1;
      log.warn({ refusal }, refusal === 'unreadable-file' ? 'no readable ISA: answered with a TA1, nothing applied' : 'ISA sender is not the partner of this folder: answered with a TA1, nothing applied');
    }
    if (plan.accepted.size === 0) {
      result.status = report.interchanges.some((ic) => ic.status !== 'R') ? 'processed' : 'rejected';
    }
    const done = await db.query<{ file_offset: string }>('select file_offset::text as file_offset from inbound_set where file_id = $1', [registration.fileId]);
    const already = new Set(done.rows.map((r) => Number(r.file_offset)));
    for (const [transactionSet, sets] of plan.accepted) {
      const handler = options.handlers.get(transactionSet);
      if (!handler) {
        result.waiting.push({ transactionSet, sets: sets.length });
        log.warn({ transactionSet, sets: sets.length }, 'accepted sets wait for a handler');
        continue;
      }
      const todo = sets.filter((s) => !already.has(s.fileOffset));
      const handlerResult = await handler.apply({
        db,
        source,
        fileId: registration.fileId,
        partnerId: partner.id,
        sets: todo,
        receivedAt: registration.receivedAt,
        // A replay is applied as of its receipt: the date rules give the answer they gave then.
        now: registration.receivedAtSource === 'given' ? () => registration.receivedAt : now,
        log: log.child({ transactionSet, handler: handler.name }),
        inSetTransaction: (tx) => renewClaim(tx, registration.fileId, holder),
        onProgress: (p) => progress('apply', p.bytes, p.items),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      result.handlers.push({ transactionSet, handler: handler.name, setsAlreadyApplied: sets.length - todo.length, result: handlerResult });
      for (const [k, v] of Object.entries(handlerResult.exceptions) as Array<[ExceptionCategory, number]>) {
        result.exceptions[k] = (result.exceptions[k] ?? 0) + v;
      }
    }
    if (result.waiting.length && result.status === 'processed') result.status = 'waiting';
    await releaseFile(db, registration.fileId, result.status === 'waiting' ? 'waiting' : result.status === 'rejected' ? 'rejected' : 'processed', holder);
    log.info({ status: result.status, exceptions: result.exceptions }, 'file done');
    return result;
  } catch (err) {
    log.error({ err }, 'ingest failed: the file is left to retry');
    await releaseFile(db, registration.fileId, 'failed', holder).catch(() => {});
    throw err;
  }
}

async function resolvePartner(db: Db, bySender: TradingPartnerRow | undefined, isa: IsaFields, partnerId: string | undefined, file: string): Promise<TradingPartnerRow> {
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
      `${file} comes from a sender (ISA05/ISA06 ${isa.senderQualifier}/${isa.sender.trim()}) that is no trading partner in the reference data: nothing was stored. Add the partner (edibridge setup load) or pass --partner.`,
      { file },
    );
  }
  return bySender;
}

/** The partner of a mailbox, which the reference data must know. */
async function mailboxPartner(db: Db, partnerId: string, file: string): Promise<TradingPartnerRow> {
  const partner = await findPartnerById(db, partnerId);
  if (!partner) throw new IngestError('CONFIG_INVALID', `no trading partner ${partnerId} in the reference data: nothing was stored`, { file, partner: partnerId });
  return partner;
}

/** Why a file from a partner's mailbox is answered and not applied. */
type MailboxRefusal = 'unreadable-file' | 'sender-mismatch';

/** TA105 006: Invalid Interchange Sender ID (for this mailbox). */
const SENDER_NOT_PARTNER = '006';

async function recordMailboxRefusal(db: Db, fileId: string, refusal: MailboxRefusal, partner: TradingPartnerRow, isa: IsaFields | undefined): Promise<void> {
  const description =
    refusal === 'unreadable-file'
      ? `The file in ${partner.id}'s folder does not start with a readable interchange header (ISA); it was archived and answered with a TA1 rejection. Ask the partner to resend it as X12.`
      : `The file in ${partner.id}'s folder was sent as ISA05/ISA06 ${isa?.senderQualifier ?? ''}/${isa?.sender.trim() ?? ''}, not as ${partner.id} (${partner.isaQualifier}/${partner.isaId}); it was answered with a TA1 rejection and nothing in it was applied. Check with the partner which sender ID is right, fix the reference data or have the file resent.`;
  await recordExceptions(db, [{ category: refusal, fileId, description }]);
}

function summariseValidation(report: FileReport): NonNullable<IngestResult['validation']> {
  let accepted = 0;
  let total = 0;
  const byTransactionSet: Record<string, { accepted: number; rejected: number }> = {};
  for (const ic of report.interchanges) {
    for (const g of ic.groups) {
      const groupAccepts = ic.status !== 'R' && g.status !== 'R';
      for (const s of g.sets) {
        const ok = groupAccepts && (s.status === 'A' || s.status === 'E');
        const id = /^\d{3}$/.test(s.id) ? s.id : 'other';
        const counts = (byTransactionSet[id] ??= { accepted: 0, rejected: 0 });
        if (ok) counts.accepted++;
        else counts.rejected++;
      }
      total += g.sets.length;
      if (ic.status !== 'R') accepted += acceptedSets(g);
    }
  }
  return { accepted: report.accepted, setsAccepted: accepted, setsRejected: total - accepted, byTransactionSet };
}

/** Accepted content sets by ST01, in file order; rejected ones (acknowledgements received are neither). */
function setPlan(report: FileReport): { accepted: Map<string, AcceptedSet[]>; rejected: AcceptedSet[] } {
  const accepted = new Map<string, AcceptedSet[]>();
  const rejected: AcceptedSet[] = [];
  for (const ic of report.interchanges) {
    for (const g of ic.groups) {
      for (const s of g.sets) {
        // A partner's 999 is an answer to us, read with the acknowledgements received: it is
        // neither content for a handler nor, when unreadable, a set waiting on a resend.
        if (s.id === '999') continue;
        const ok = ic.status !== 'R' && g.status !== 'R' && (s.status === 'A' || s.status === 'E');
        const entry = { control: s.control, fileOffset: s.fileOffset, interchangeControl: ic.control };
        if (!ok) rejected.push(entry);
        else {
          let list = accepted.get(s.id);
          if (!list) accepted.set(s.id, (list = []));
          list.push(entry);
        }
      }
    }
  }
  return { accepted, rejected };
}

/** A rejected set needs the partner to resend: one exception each, so ops can follow up. */
async function recordRejectedSets(db: Db, fileId: string, rejected: readonly AcceptedSet[]): Promise<void> {
  const controls = rejected.filter((s) => /^[0-9A-Za-z]{4,9}$/.test(s.control));
  await recordExceptions(db, controls.map((s) => ({
    category: 'rejected-set' as const,
    fileId,
    setControl: s.control,
    description: `Transaction set ${s.control} was rejected by its 999 acknowledgement and nothing in it was applied; the partner must correct and resend it.`,
  })));
}

interface AcknowledgeTarget {
  name: string;
  fileId: string;
  now: () => Date;
  /** Written to a folder (the command line). */
  ackDir?: string;
  /** Kept for the service to deliver. */
  delivery?: AckDelivery;
  /** The partner the acknowledgements go to, where the file's own ISA cannot say. */
  partner?: TradingPartnerRow;
}

/**
 * Builds the TA1/999 a report calls for, numbered from the database's outbound control
 * sequence, and records each one: written to the folder (command line), or kept with its
 * bytes for delivery (service).
 */
async function acknowledge(db: Db, report: FileReport, target: AcknowledgeTarget): Promise<IngestResult['acknowledgements']> {
  const { name, fileId, now, delivery, partner } = target;
  // A file is acknowledged once: a resumed or re-run ingest keeps the acknowledgements its
  // first run recorded (already delivered, or pending), instead of answering twice.
  const earlier = await db.query<{ name: string; kind: Acknowledgement['kind'] }>('select name, kind from outbound_acknowledgement where file_id = $1 order by id', [fileId]);
  if (earlier.rows.length) {
    return earlier.rows.map((a) => ({ name: a.name, kind: a.kind, ...(target.ackDir && !delivery ? { path: join(target.ackDir, name, a.name) } : {}) }));
  }
  const ta1ForAll = delivery?.ta1 === 'always';
  const nextControlNumber = await drawControlNumbers(db, controlNumbersNeeded(report), name);
  const acks = acknowledgementsFor(report, {
    now,
    nextControlNumber,
    ...(partner ? { ourId: { qualifier: partner.receiverIsaQualifier, id: partner.receiverIsaId }, theirId: { qualifier: partner.isaQualifier, id: partner.isaId } } : {}),
  }, { ta1ForAll });
  if (delivery) {
    for (const a of acks) assertAcknowledgement(a.text, a.kind, { file: name, acknowledgement: a.name });
    const withheld = (a: Acknowledgement): boolean => a.kind === '999' && !delivery['999'];
    await recordSentAcknowledgements(db, fileId, acks, now(), (a) => ({ body: a.text, delivery: withheld(a) ? 'withheld' : 'pending' }));
    return acks.map((a) => ({ name: a.name, kind: a.kind }));
  }
  if (!target.ackDir) return acks.map((a) => ({ name: a.name, kind: a.kind }));
  const paths = await writeAcknowledgements(target.ackDir, name, acks);
  await recordSentAcknowledgements(db, fileId, acks, now());
  return acks.map((a, i) => ({ name: a.name, kind: a.kind, path: paths[i]! }));
}
