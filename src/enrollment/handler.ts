/**
 * The 834 set handler: streams the file again and applies each accepted 834 set to the
 * membership model in a database transaction of its own, recorded with the set, so that a
 * crash leaves every set wholly applied or not at all and a rerun resumes where it stopped.
 */
import type { ExceptionCategory } from '../exceptions/categories.js';
import type { AcceptedSet, HandlerResult, SetHandler, SetHandlerInput } from '../ingest/handlers.js';
import { ItemPump } from '../ingest/item-pump.js';
import type { FileSource } from '../ingest/source.js';
import type { PhiProtector } from '../phi/protector.js';
import type { SsnThread } from '../phi/ssn-thread.js';
import { EnrollmentSetApply, type SetOutcome } from './apply/apply-set.js';
import { emptyCounts, type ApplyCounts } from './apply/applier.js';
import { isoDay } from './apply/dates.js';
import { loadGroupRules } from './apply/group-rules.js';
import type { EnrollmentFile, MemberEvent } from './events.js';
import { EnrollmentFileReader, type SetPlace } from './read-file.js';

export interface EnrollmentResult extends HandlerResult {
  sets: SetOutcome[];
  totals: ApplyCounts;
}

export interface EnrollmentHandlerOptions {
  phi: PhiProtector;
  /** Members per write batch (tests use small batches to cross batch boundaries). */
  batchMembers?: number;
  /**
   * Index and seal SSNs on a worker thread (SSNTHREAD in apply/apply-set.ts). Default: for
   * files of SSN_THREAD_MIN_BYTES or more; a thread costs about 24 MB RSS and 30 ms to start.
   */
  ssnThread?: boolean;
  /**
   * Hold a full file that would end or queue more than a group's share of its members
   * (FULLHOLD in apply/apply-set.ts); default true. Releasing a held file passes false.
   */
  holdFullFiles?: boolean;
  /** Measure each set's monthly premium change (a dry run). */
  measurePremium?: boolean;
  /** Called after each set is committed (the crash test watches this). */
  onSetCommitted?: (outcome: SetOutcome) => void;
}

/** About 14,000 members: below it, starting the SSN thread costs more than it saves. */
export const SSN_THREAD_MIN_BYTES = 4 << 20;

export const ENROLLMENT_HANDLER = 'enrollment';

export function enrollmentHandler(options: EnrollmentHandlerOptions): SetHandler<EnrollmentResult> {
  return { transactionSet: '834', name: ENROLLMENT_HANDLER, apply: (input) => applyEnrollmentSets(input, options) };
}

async function applyEnrollmentSets(input: SetHandlerInput, options: EnrollmentHandlerOptions): Promise<EnrollmentResult> {
  const { db, log } = input;
  const result: EnrollmentResult = { setsApplied: 0, exceptions: {}, sets: [], totals: emptyCounts() };
  if (input.sets.length === 0) return result;
  const wanted = new Map<number, AcceptedSet>(input.sets.map((s) => [s.fileOffset, s]));
  const groups = await loadGroupRules(db);
  const size = await input.source.size();
  const useThread = options.ssnThread ?? (size ?? 0) >= SSN_THREAD_MIN_BYTES;
  const ssnThread: SsnThread | undefined = useThread ? options.phi.startThread() : undefined;
  const today = isoDay(input.now());
  const receivedDate = isoDay(input.receivedAt);
  let membersApplied = 0;
  try {
    const pump = enrollmentItems(input.source);
    for (let item = await pump.next(); item; item = await pump.next()) {
      if (item.type !== 'set-start') continue;
      if (!wanted.has(item.place.fileOffset)) {
        await pump.skipTo('set-end');
        continue;
      }
      input.signal?.throwIfAborted();
      const place = item.place;
      const setLog = log.child({ interchange: place.interchangeControl, set: place.control });
      setLog.debug({ fileOffset: place.fileOffset }, 'applying 834 set');
      const outcome = await db.transaction(async (tx) => {
        const apply = new EnrollmentSetApply(tx, {
          fileId: input.fileId,
          partnerId: input.partnerId,
          interchangeControl: place.interchangeControl,
          setControl: place.control,
          fileOffset: place.fileOffset,
          today,
          receivedDate,
          groups,
          phi: options.phi,
          ...(ssnThread ? { ssnThread } : {}),
          ...(options.batchMembers !== undefined ? { batchMembers: options.batchMembers } : {}),
          ...(options.holdFullFiles !== undefined ? { holdFullFiles: options.holdFullFiles } : {}),
          ...(options.measurePremium ? { measurePremium: true } : {}),
        });
        let applying = false;
        // Items already read are taken without a promise each; only reading and the
        // database are awaited.
        for (let it = pump.nextRead(); it?.type !== 'set-end'; it = pump.nextRead()) {
          if (it === undefined) {
            if (await pump.read()) {
              input.onProgress?.({ items: membersApplied, bytes: pump.bytes });
              continue;
            }
            break;
          }
          if (it.type === 'header') applying = await apply.start(it.header);
          else if (it.type === 'member' && applying) {
            membersApplied++;
            const flushed = apply.member(it.event);
            if (flushed) await flushed;
          }
        }
        const o = await apply.finish();
        await input.inSetTransaction(tx);
        return o;
      });
      result.sets.push(outcome);
      result.setsApplied += outcome.status === 'applied' || outcome.status === 'verified' ? 1 : 0;
      if (outcome.status === 'applied') result.itemsApplied = (result.itemsApplied ?? 0) + outcome.members;
      options.onSetCommitted?.(outcome);
      addCounts(result.totals, outcome.counts);
      for (const [k, v] of Object.entries(outcome.exceptions) as Array<[ExceptionCategory, number]>) {
        result.exceptions[k] = (result.exceptions[k] ?? 0) + v;
      }
      setLog.info({ status: outcome.status, action: outcome.action, members: outcome.members, counts: outcome.counts, exceptions: outcome.exceptions }, '834 set committed');
    }
    input.onProgress?.({ items: membersApplied, bytes: pump.bytes });
    return result;
  } finally {
    await ssnThread?.close();
  }
}

function addCounts(into: ApplyCounts, from: ApplyCounts): void {
  for (const k of Object.keys(into) as Array<keyof ApplyCounts>) into[k] += from[k];
}

const APPLY_CHUNK_BYTES = 1 << 16;

type Item =
  | { type: 'set-start'; place: SetPlace }
  | { type: 'header'; header: EnrollmentFile }
  | { type: 'member'; event: MemberEvent }
  | { type: 'set-end' };

/** The file's 834 content as items, pulled as applying goes (src/ingest/item-pump.ts). */
function enrollmentItems(source: FileSource): ItemPump<Item> {
  // Small chunks: shorter synchronous slices, so a batch's writes advance between them
  // (measured: about 40 MB less RSS than 1 MiB chunks on a 1M-member file).
  return new ItemPump<Item>(
    source,
    (emit) =>
      new EnrollmentFileReader({
        onSetStart: (place) => emit({ type: 'set-start', place }),
        onHeader: (header) => emit({ type: 'header', header }),
        onMember: (event) => emit({ type: 'member', event }),
        onSetEnd: () => emit({ type: 'set-end' }),
      }),
    APPLY_CHUNK_BYTES,
  );
}

/** What the 834 handler applied in an ingest (empty when it applied nothing). */
export function enrollmentOf(result: { handlers: ReadonlyArray<{ handler: string; result: HandlerResult }> }): EnrollmentResult {
  const found = result.handlers.find((h) => h.handler === ENROLLMENT_HANDLER);
  return (found?.result as EnrollmentResult | undefined) ?? { setsApplied: 0, exceptions: {}, sets: [], totals: emptyCounts() };
}
