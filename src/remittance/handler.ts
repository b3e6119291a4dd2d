/**
 * The 820 set handler: each accepted premium payment set is applied (cash application,
 * src/remittance/apply.ts) in one database transaction of its own, with the set recorded in
 * that same transaction, so a crash leaves a payment applied wholly or not at all and a rerun
 * skips what was applied. The file is read twice, as a stream each time: first the totals of
 * every set (BPR02 is checked against them before any line is applied), then the lines.
 */
import type { Db } from '../db/db.js';
import type { ExceptionCategory } from '../exceptions/categories.js';
import type { HandlerResult, SetHandler, SetHandlerInput } from '../ingest/handlers.js';
import { PaymentApplication, type PaymentStatus, type SetTotals } from './apply.js';
import { readSetTotals, remittanceItems } from './pump.js';

export const REMITTANCE_HANDLER = 'remittance';

export interface RemittanceSetOutcome {
  setControl: string;
  trace: string;
  status: PaymentStatus;
  lines: number;
  appliedCents: number;
  creditCents: number;
  suspenseCents: number;
  exceptions: Partial<Record<ExceptionCategory, number>>;
}

export interface RemittanceResult extends HandlerResult {
  payments: RemittanceSetOutcome[];
}

export function remittanceHandler(): SetHandler<RemittanceResult> {
  return {
    transactionSet: '820',
    name: REMITTANCE_HANDLER,
    apply: (input) => applyRemittance(input),
  };
}

async function applyRemittance(input: SetHandlerInput): Promise<RemittanceResult> {
  const result: RemittanceResult = { setsApplied: 0, itemsApplied: 0, exceptions: {}, payments: [] };
  if (input.sets.length === 0) return result;
  const wanted = new Set(input.sets.map((s) => s.fileOffset));
  const totals = await readSetTotals(input.source, wanted);
  const pump = remittanceItems(input.source);
  let lines = 0;
  for (let item = await pump.next(); item; item = await pump.next()) {
    if (item.type !== 'set-start') continue;
    const place = item.place;
    if (!wanted.has(place.fileOffset)) {
      await pump.skipTo('set-end');
      continue;
    }
    input.signal?.throwIfAborted();
    const setTotals: SetTotals = totals.get(place.fileOffset) ?? { lines: 0, paidCents: 0, loopAdjustmentCents: 0 };
    const log = input.log.child({ interchange: place.interchangeControl, set: place.control });
    input.onProgress?.({ items: lines, bytes: pump.bytes });
    const outcome = await input.db.transaction(async (tx) => {
      let application: PaymentApplication | undefined;
      let trace = '';
      let setLines = 0;
      for (let it = await pump.next(); it && it.type !== 'set-end'; it = await pump.next()) {
        if (it.type === 'header') {
          trace = it.header.trace;
          application = new PaymentApplication(tx, { ...place, fileId: input.fileId, partnerId: input.partnerId, setControl: place.control, receivedAt: input.receivedAt }, it.header);
          await application.start(setTotals);
        } else if (it.type === 'line' && application) {
          await application.line(it.line);
          setLines++;
          if (++lines % 10_000 === 0) input.onProgress?.({ items: lines, bytes: pump.bytes });
        } else if (it.type === 'loop-adjustment' && application) {
          await application.previousPaymentAdjustment(it.adjustment);
        }
      }
      if (!application) return undefined;
      const o = await application.finish();
      await recordSet(tx, input, place, trace, o.status, { lines: setLines, appliedCents: o.appliedCents, creditCents: o.creditCents, suspenseCents: o.suspenseCents });
      await input.inSetTransaction(tx);
      return { setControl: place.control, trace, status: o.status, lines: setLines, appliedCents: o.appliedCents, creditCents: o.creditCents, suspenseCents: o.suspenseCents, exceptions: o.exceptions };
    });
    if (!outcome) continue;
    result.payments.push(outcome);
    result.setsApplied++;
    result.itemsApplied = (result.itemsApplied ?? 0) + outcome.lines;
    for (const [k, v] of Object.entries(outcome.exceptions) as Array<[ExceptionCategory, number]>) result.exceptions[k] = (result.exceptions[k] ?? 0) + v;
    log.info({ status: outcome.status, lines: outcome.lines, appliedCents: outcome.appliedCents, creditCents: outcome.creditCents, suspenseCents: outcome.suspenseCents, exceptions: outcome.exceptions }, '820 set committed');
  }
  input.onProgress?.({ items: lines, bytes: pump.bytes });
  return result;
}

/** The set, recorded with the payment: a rerun of the file skips it. A duplicate trace is recorded as a duplicate set. */
async function recordSet(
  tx: Db,
  input: SetHandlerInput,
  place: { control: string; fileOffset: number; interchangeControl: string },
  trace: string,
  status: PaymentStatus,
  summary: Record<string, number>,
): Promise<void> {
  await tx.query(
    `insert into inbound_set (file_id, partner, file_offset, interchange_control, set_control, transaction_set, reference, action, status, summary)
     values ($1, $2, $3, $4, $5, '820', $6, $7, $8, $9)`,
    [input.fileId, input.partnerId, place.fileOffset, place.interchangeControl, place.control, trace || null, status, status === 'duplicate' ? 'duplicate' : 'applied', JSON.stringify(summary)],
  );
}

/** What the 820 handler applied in an ingest (empty when it applied nothing). */
export function remittanceOf(result: { handlers: ReadonlyArray<{ handler: string; result: HandlerResult }> }): RemittanceResult {
  const found = result.handlers.find((h) => h.handler === REMITTANCE_HANDLER);
  return (found?.result as RemittanceResult | undefined) ?? { setsApplied: 0, itemsApplied: 0, exceptions: {}, payments: [] };
}
