/**
 * Cash application of one 820 transaction set, in one database transaction: the payment is
 * recorded, each remittance line matched and its money applied, credited or held in
 * suspense, and every case a person must decide opened as an exception on the line's
 * segment. Money is never applied twice: a trace number already applied records the payment
 * as a duplicate and applies nothing, and the set is recorded in the same transaction (a crash
 * leaves it applied wholly or not at all; a rerun skips it).
 *
 * Matching order: trace number → invoice (RMR01 IK) → policy or group (RMR01 AZ, when we sent
 * no invoice) → member (individual remittance: NM1*IL or ENT04 against the invoice's members).
 *
 * Paid against billed, per line (the invoice's remainder for an organization line, the
 * member's lines for an individual one): equal applies; short applies what was paid and the
 * balance carries to the next invoice; over applies what was billed and keeps the rest as
 * unapplied credit on the group's account. A difference beyond the group's tolerance, or an
 * RMR05 (what the payer says was billed) that disagrees with our bill, also goes to a person.
 * Money that cannot be matched (unknown invoice, group or member, a member not covered in the
 * period) waits in suspense with its exception.
 *
 * The whole payment waits in suspense (status held) when BPR02 disagrees with its lines —
 * BPR02 must equal the sum of RMR04 plus the sum of the ADX01 of the 2000-level loops (an
 * adjustment to a previous payment moves money; an ADX under an RMR only explains that
 * line's RMR04 against its RMR05) — or when it pays a group whose coverage ended before the
 * period paid for. BPR01 I with BPR04 NON is remittance information only: lines are recorded
 * and matched, no money moves.
 */
import type { Db } from '../db/db.js';
import { EdiBridgeError } from '../core/errors.js';
import type { ExceptionCategory } from '../exceptions/categories.js';
import { recordExceptions, type NewException } from '../exceptions/store.js';
import { clearPastDueIfSettled } from '../billing/statements.js';
import { coverageActiveOnSql, memberActiveOnSql } from '../membership/model.js';

/** The payment of one set (BPR, TRN, REF*38, DTM*582, N1*PR). */
export interface PaymentHeader {
  handling: string;
  amountCents: number;
  creditDebit: string;
  method: string;
  effectiveDate: string | null;
  trace: string;
  originator: string;
  groupNumber: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  payerName: string | null;
  payerId: string | null;
}

/** One RMR with what identifies its payer side. */
export interface PaymentLine {
  loop: 'organization' | 'individual';
  /** The RMR's segment position in the set (ST = 1). */
  position: number;
  /** RMR01 / RMR02. */
  qualifier: string;
  reference: string;
  paidCents: number;
  /** RMR05: the billed amount as the payer saw it. */
  payerBilledCents: number | null;
  /** Individual remittance: the member references sent (NM1*IL NM109, ENT04, REF), most specific first. */
  memberRefs: string[];
  /** The line's DTM*582 period start, when given. */
  periodStart: string | null;
}

/** An ADX of a 2000-level loop: an adjustment to a previous payment. */
export interface PreviousPaymentAdjustment {
  position: number;
  amountCents: number;
  reason: string;
  qualifier: string | null;
  reference: string | null;
}

export interface SetTotals {
  lines: number;
  /** Σ RMR04. */
  paidCents: number;
  /** Σ ADX01 of 2000-level loops. */
  loopAdjustmentCents: number;
}

export type PaymentStatus = 'applied' | 'held' | 'duplicate' | 'information';

export interface PaymentOutcome {
  paymentId: string;
  status: PaymentStatus;
  appliedCents: number;
  creditCents: number;
  suspenseCents: number;
  exceptions: Partial<Record<ExceptionCategory, number>>;
}

export interface SetSource {
  fileId: string;
  partnerId: string;
  setControl: string;
  interchangeControl: string;
  fileOffset: number;
  receivedAt: Date;
}

interface InvoiceRow {
  id: string;
  group_number: string;
  amount_due_cents: number;
  period_start: string;
}

interface GroupRow {
  group_number: string;
  payment_tolerance_cents: number;
  terminated_on: string | null;
}

/** RMR01 codes naming a policy or group (individual loops: AZ; the organization summary: 1L). */
const GROUP_QUALIFIERS: ReadonlySet<string> = new Set(['AZ', '1L']);

/** Lines looked up and allocated at a time. */
const BATCH_LINES = 2000;

const dollars = (c: number): string => `${c < 0 ? '-' : ''}$${(Math.abs(c) / 100).toFixed(2)}`;

/**
 * Applies one set's payment. `lines` is read once, in order, after the header and totals
 * are known (the caller reads the file twice: totals first). Runs inside `tx`.
 */
export class PaymentApplication {
  private paymentId = '';
  private status: PaymentStatus = 'applied';
  private group: GroupRow | undefined;
  private readonly invoices = new Map<string, InvoiceRow | null>();
  private readonly groups = new Map<string, GroupRow | null>();
  /** Applied so far in this payment, by invoice and by invoice+member. */
  private readonly appliedToInvoice = new Map<string, number>();
  private readonly appliedToMember = new Map<string, number>();
  /** Exceptions and allocations not yet written (written after each batch). */
  private exceptions: NewException[] = [];
  private allocations: Array<Record<string, unknown>> = [];
  private readonly touchedGroups = new Set<string>();
  private pending: PaymentLine[] = [];
  /** Members by group and reference (null: looked up, not found). */
  private readonly members = new Map<string, { id: string; member_id: string } | null>();
  /** Billed to, and paid by earlier payments for, a member on an invoice (`invoice:member`). */
  private readonly memberBills = new Map<string, { billed: number; paid: number; active: boolean }>();
  /** Applied to an invoice by earlier payments. */
  private readonly invoicePaid = new Map<string, number>();
  /** Whether a member had coverage in force on a day (`member:day`). */
  private readonly covered = new Map<string, boolean>();
  readonly outcome: PaymentOutcome = { paymentId: '', status: 'applied', appliedCents: 0, creditCents: 0, suspenseCents: 0, exceptions: {} };

  constructor(
    private readonly tx: Db,
    private readonly source: SetSource,
    private readonly header: PaymentHeader,
  ) {}

  /** Records the payment and decides whether its lines are applied, held, a duplicate or information. */
  async start(totals: SetTotals): Promise<PaymentStatus> {
    const h = this.header;
    const duplicateOf = await this.tx.query<{ id: string; file_id: string }>(
      `select id::text as id, file_id::text as file_id from payment where trace_number = $1 and originator = $2 and status <> 'duplicate' limit 1`,
      [h.trace, h.originator],
    );
    this.group = h.groupNumber ? ((await this.groupRow(h.groupNumber)) ?? undefined) : undefined;
    const remittanceOnly = h.handling === 'I' && h.method === 'NON';
    const expected = totals.paidCents + totals.loopAdjustmentCents;
    let status: PaymentStatus = remittanceOnly ? 'information' : 'applied';
    let held: { category: ExceptionCategory; description: string } | undefined;
    if (duplicateOf.rows[0]) {
      status = 'duplicate';
    } else if (!remittanceOnly && expected !== h.amountCents) {
      status = 'held';
      held = {
        category: 'payment-total-mismatch',
        description: `Payment ${h.trace} totals ${dollars(h.amountCents)} (BPR02) but its remittance lines add up to ${dollars(totals.paidCents)} and its adjustments to previous payments to ${dollars(totals.loopAdjustmentCents)} (${dollars(expected)}). Nothing was applied: the ${dollars(h.amountCents)} waits in suspense. Confirm the amount received with the payer, then apply or return it.`,
      };
    } else if (!remittanceOnly && this.group?.terminated_on && (h.periodStart ?? h.effectiveDate ?? '9999-12-31') > this.group.terminated_on) {
      status = 'held';
      held = {
        category: 'terminated-group-payment',
        description: `Payment ${h.trace} of ${dollars(h.amountCents)} is for group ${this.group.group_number}, whose coverage ended on ${this.group.terminated_on}, for the period from ${h.periodStart ?? 'an unstated date'}. Nothing was applied: the money waits in suspense. Refund it or reinstate the group.`,
      };
    }
    const inserted = await this.tx.query<{ id: string }>(
      `insert into payment (file_id, set_control, trace_number, originator, group_number, payer_name, payer_id, amount_cents, credit_debit,
                            method, handling, effective_date, period_start, period_end, remittance_only, status, received_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) returning id::text as id`,
      [this.source.fileId, this.source.setControl, h.trace, h.originator, h.groupNumber, h.payerName, h.payerId, h.amountCents, h.creditDebit,
        h.method, h.handling, h.effectiveDate, h.periodStart, h.periodEnd, remittanceOnly, status, this.source.receivedAt.toISOString()],
    );
    this.paymentId = inserted.rows[0]!.id;
    this.status = status;
    this.outcome.paymentId = this.paymentId;
    this.outcome.status = status;
    if (status === 'duplicate') {
      this.exception('duplicate-payment', null, `Payment trace ${h.trace} (originator ${h.originator || 'not given'}) of ${dollars(h.amountCents)} was already applied from file ${duplicateOf.rows[0]!.file_id}. Nothing was applied again. If the payer really paid twice, refund or apply the second payment by hand.`);
    }
    if (held) {
      const exceptionIndex = this.exception(held.category, null, held.description);
      this.allocate({ kind: 'unmatched-total', position: null, groupNumber: this.group?.group_number ?? h.groupNumber, amount: h.amountCents, disposition: 'suspense', exceptionIndex });
    }
    return status;
  }

  /** Matches and allocates one remittance line (in batches: lines are looked up many at a time). */
  async line(l: PaymentLine): Promise<void> {
    if (this.status === 'duplicate' || this.status === 'held') return;
    this.pending.push(l);
    if (this.pending.length >= BATCH_LINES) await this.flush();
  }

  /** Looks up the pending lines' invoices, groups, members and what was billed and paid, then allocates each in order. */
  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    await this.loadInvoices(batch.filter((l) => l.qualifier === 'IK').map((l) => l.reference));
    for (const l of batch) if (GROUP_QUALIFIERS.has(l.qualifier)) await this.groupRow(l.reference);
    const individual = batch.filter((l) => l.qualifier === 'IK' && l.loop === 'individual' && this.invoices.get(l.reference));
    const onAccount = batch.filter((l) => GROUP_QUALIFIERS.has(l.qualifier) && l.loop === 'individual' && this.groups.get(l.reference));
    await this.loadMembers([
      ...individual.map((l) => ({ group: this.invoices.get(l.reference)!.group_number, refs: l.memberRefs })),
      ...onAccount.map((l) => ({ group: l.reference, refs: l.memberRefs })),
    ]);
    await this.loadCoverage(onAccount.flatMap((l) => {
      const m = this.memberFor(l.reference, l.memberRefs);
      return m ? [{ member: m.id, day: this.periodOf(l) }] : [];
    }));
    const pairs = individual.flatMap((l) => {
      const inv = this.invoices.get(l.reference)!;
      const m = this.memberFor(inv.group_number, l.memberRefs);
      return m ? [{ invoice: inv.id, member: m.id }] : [];
    });
    await this.loadMemberBills(pairs);
    await this.loadInvoicePaid(batch.filter((l) => l.qualifier === 'IK' && l.loop === 'organization').map((l) => this.invoices.get(l.reference)?.id).filter((x): x is string => !!x));
    const info = this.status === 'information';
    for (const l of batch) this.allocateLine(l, info);
    await this.write();
  }

  private allocateLine(l: PaymentLine, info: boolean): void {
    if (l.qualifier === 'IK') {
      const invoice = this.invoices.get(l.reference);
      if (!invoice) {
        this.suspense(l, this.group?.group_number ?? null, null, 'unknown-invoice', `Line at segment ${l.position} pays ${dollars(l.paidCents)} against invoice ${l.reference}, which we did not issue. The money waits in suspense: find the invoice the payer meant, then apply it.`, info);
        return;
      }
      if (l.loop === 'individual') this.memberLine(l, invoice, info);
      else this.settle(l, invoice.group_number, invoice.id, null, invoice.amount_due_cents - (this.invoicePaid.get(invoice.id) ?? 0) - (this.appliedToInvoice.get(invoice.id) ?? 0), info, `invoice ${l.reference}`);
      return;
    }
    if (GROUP_QUALIFIERS.has(l.qualifier)) {
      const group = this.groups.get(l.reference);
      if (!group) {
        this.suspense(l, null, null, 'unknown-group', `Line at segment ${l.position} pays ${dollars(l.paidCents)} for policy or group ${l.reference}, which is not on file. The money waits in suspense: find the group meant, then apply it.`, info);
        return;
      }
      // We sent no invoice: a payment on the group's account, for the member when it names one.
      let memberId: string | null = null;
      if (l.loop === 'individual') {
        const member = this.memberFor(group.group_number, l.memberRefs);
        if (!member) {
          this.suspense(l, group.group_number, null, 'unknown-member', `Line at segment ${l.position} pays ${dollars(l.paidCents)} for group ${l.reference} and a member we cannot find in it (reference ${l.memberRefs[0] ?? 'not given'}). The money waits in suspense: identify the member, then apply it.`, info);
          return;
        }
        const day = this.periodOf(l);
        if (!this.covered.get(`${member.id}:${day}`)) {
          this.suspense(l, group.group_number, null, 'member-not-covered', `Line at segment ${l.position} pays ${dollars(l.paidCents)} for member ${member.member_id} of group ${l.reference}, who was not covered on ${day}, the period paid for. The money waits in suspense: apply it to the right period or refund it.`, info, member.id);
          return;
        }
        memberId = member.id;
      }
      this.allocate({ kind: 'line', position: l.position, l, groupNumber: group.group_number, memberId, amount: l.paidCents, disposition: info ? 'information' : 'applied' });
      return;
    }
    this.suspense(l, this.group?.group_number ?? null, null, 'unknown-invoice', `Line at segment ${l.position} pays ${dollars(l.paidCents)} against ${l.qualifier} ${l.reference}, which is neither one of our invoice numbers (IK) nor a policy or group number (AZ, 1L). The money waits in suspense.`, info);
  }

  /** An ADX at the 2000 level: moves money against an earlier payment (to its invoice when named, else the group's account). */
  async previousPaymentAdjustment(a: PreviousPaymentAdjustment): Promise<void> {
    if (this.status === 'duplicate' || this.status === 'held') return;
    const invoice = a.qualifier === 'IK' && a.reference ? await this.invoice(a.reference) : null;
    this.allocate({
      kind: 'previous-payment-adjustment',
      position: a.position,
      reference: a.reference,
      qualifier: a.qualifier,
      groupNumber: invoice?.group_number ?? this.group?.group_number ?? this.header.groupNumber,
      invoiceId: invoice?.id ?? null,
      amount: a.amountCents,
      disposition: this.status === 'information' ? 'information' : 'applied',
    });
  }

  /** Writes what is left, and clears past-due flags the payment settled. */
  async finish(): Promise<PaymentOutcome> {
    await this.flush();
    await this.write();
    for (const g of this.touchedGroups) await clearPastDueIfSettled(this.tx, g);
    return this.outcome;
  }

  /** Writes the queued exceptions, then the allocations (which name them). */
  private async write(): Promise<void> {
    const opened = await this.writeExceptions();
    const allocations = this.allocations;
    this.exceptions = [];
    this.allocations = [];
    if (allocations.length === 0) return;
    const col = <T>(f: (a: Record<string, unknown>) => T): T[] => allocations.map(f);
    await this.tx.query(
      `insert into payment_allocation (payment_id, kind, segment_position, reference_qualifier, reference, group_number, invoice_id, member_id,
                                       amount_cents, billed_cents, payer_billed_cents, disposition, exception_id)
       select $1, u.* from unnest($2::text[], $3::integer[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
                                  $9::bigint[], $10::bigint[], $11::bigint[], $12::text[], $13::bigint[]) as u`,
      [
        this.paymentId,
        col((a) => a['kind']),
        col((a) => a['position']),
        col((a) => a['qualifier']),
        col((a) => a['reference']),
        col((a) => a['group_number']),
        col((a) => a['invoice_id']),
        col((a) => a['member_id']),
        col((a) => a['amount']),
        col((a) => a['billed']),
        col((a) => a['payer_billed']),
        col((a) => a['disposition']),
        col((a) => (a['exceptionIndex'] === undefined ? null : (opened[a['exceptionIndex'] as number] ?? null))),
      ],
    );
  }

  private memberLine(l: PaymentLine, invoice: InvoiceRow, info: boolean): void {
    const member = this.memberFor(invoice.group_number, l.memberRefs);
    if (!member) {
      this.suspense(l, invoice.group_number, invoice.id, 'unknown-member', `Line at segment ${l.position} pays ${dollars(l.paidCents)} on invoice ${l.reference} for a member we cannot find in group ${invoice.group_number} (reference ${l.memberRefs[0] ?? 'not given'}). The money waits in suspense: identify the member, then apply it.`, info);
      return;
    }
    const key = `${invoice.id}:${member.id}`;
    const bill = this.memberBills.get(key);
    if (!bill?.active) {
      this.suspense(l, invoice.group_number, invoice.id, 'member-not-covered', `Line at segment ${l.position} pays ${dollars(l.paidCents)} for member ${member.member_id} on invoice ${l.reference}, but the member was not covered in the period it bills (${invoice.period_start}). The money waits in suspense: apply it to the right period or refund it.`, info, member.id);
      return;
    }
    const due = bill.billed - bill.paid - (this.appliedToMember.get(key) ?? 0);
    this.settle(l, invoice.group_number, invoice.id, member, due, info, `member ${member.member_id} on invoice ${l.reference}`, bill.billed);
  }

  /** Applies a matched line against what is due: short, equal or over, with the tolerance. */
  private settle(l: PaymentLine, groupNumber: string, invoiceId: string, member: { id: string; member_id: string } | null, dueCents: number, info: boolean, what: string, billedCents = dueCents): void {
    const tolerance = this.groupTolerance(groupNumber);
    const base = { kind: 'line' as const, position: l.position, l, groupNumber, invoiceId, memberId: member?.id ?? null, billed: billedCents, payerBilled: l.payerBilledCents };
    if (info) {
      this.allocate({ ...base, amount: l.paidCents, disposition: 'information' });
      return;
    }
    const due = Math.max(0, dueCents);
    const applied = Math.min(l.paidCents, due);
    const excess = l.paidCents - applied;
    const short = due - applied;
    const payerDisagrees = l.payerBilledCents !== null && Math.abs(l.payerBilledCents - billedCents) > tolerance;
    let exceptionIndex: number | undefined;
    if (short > tolerance || excess > tolerance || payerDisagrees) {
      const parts = [`${what} was billed ${dollars(billedCents)}${due !== billedCents ? ` (${dollars(due)} still due)` : ''} and paid ${dollars(l.paidCents)}`];
      if (l.payerBilledCents !== null) parts.push(`the payer shows ${dollars(l.payerBilledCents)} billed (RMR05)`);
      const decision =
        excess > tolerance
          ? `The ${dollars(excess)} over the bill is kept as credit on the group's account: leave it against the next invoice or refund it.`
          : short > tolerance
            ? `The ${dollars(short)} short carries to the next invoice: follow up with the payer.`
            : 'Check which billed amount is right with the payer.';
      exceptionIndex = this.exception('paid-billed-mismatch', l, `At segment ${l.position}, ${parts.join('; ')}. ${decision}`, member?.member_id);
    }
    if (applied !== 0) this.allocate({ ...base, amount: applied, disposition: 'applied', exceptionIndex });
    if (excess > 0) this.allocate({ ...base, amount: excess, disposition: 'credit', exceptionIndex });
    if (applied === 0 && excess === 0) this.allocate({ ...base, amount: 0, disposition: 'applied', exceptionIndex });
    this.appliedToInvoice.set(invoiceId, (this.appliedToInvoice.get(invoiceId) ?? 0) + applied);
    if (member) {
      const key = `${invoiceId}:${member.id}`;
      this.appliedToMember.set(key, (this.appliedToMember.get(key) ?? 0) + applied);
    }
  }

  private suspense(l: PaymentLine, groupNumber: string | null, invoiceId: string | null, category: ExceptionCategory, description: string, info: boolean, memberId: string | null = null): void {
    if (info) {
      this.allocate({ kind: 'line', position: l.position, l, groupNumber, invoiceId, memberId, amount: l.paidCents, disposition: 'information' });
      return;
    }
    const exceptionIndex = this.exception(category, l, description);
    this.allocate({ kind: 'line', position: l.position, l, groupNumber, invoiceId, memberId, amount: l.paidCents, disposition: 'suspense', exceptionIndex, payerBilled: l.payerBilledCents });
  }

  private allocate(a: {
    kind: 'line' | 'previous-payment-adjustment' | 'unmatched-total';
    position: number | null;
    l?: PaymentLine;
    qualifier?: string | null;
    reference?: string | null;
    groupNumber: string | null;
    invoiceId?: string | null;
    memberId?: string | null;
    amount: number;
    billed?: number | null;
    payerBilled?: number | null;
    disposition: 'applied' | 'credit' | 'suspense' | 'information';
    exceptionIndex?: number | undefined;
  }): void {
    this.allocations.push({
      kind: a.kind,
      position: a.position,
      qualifier: a.l?.qualifier ?? a.qualifier ?? null,
      reference: a.l ? (a.l.loop === 'individual' ? (a.l.memberRefs[0] ?? a.l.reference) : a.l.reference) : (a.reference ?? null),
      group_number: a.groupNumber,
      invoice_id: a.invoiceId ?? null,
      member_id: a.memberId ?? null,
      amount: a.amount,
      billed: a.billed ?? null,
      payer_billed: a.payerBilled ?? null,
      disposition: a.disposition,
      exceptionIndex: a.exceptionIndex,
    });
    if (a.groupNumber && (a.disposition === 'applied' || a.disposition === 'credit')) this.touchedGroups.add(a.groupNumber);
    if (a.disposition === 'applied') this.outcome.appliedCents += a.amount;
    if (a.disposition === 'credit') this.outcome.creditCents += a.amount;
    if (a.disposition === 'suspense') this.outcome.suspenseCents += a.amount;
  }

  /** Queues an exception (written at finish); returns its index. */
  private exception(category: ExceptionCategory, l: PaymentLine | null, description: string, memberId?: string): number {
    this.exceptions.push({
      category,
      fileId: this.source.fileId,
      setControl: this.source.setControl,
      ...(l ? { segmentPosition: l.position } : {}),
      ...(this.group ? { groupNumber: this.group.group_number } : this.header.groupNumber ? { groupNumber: this.header.groupNumber } : {}),
      ...(l?.loop === 'individual' && l.memberRefs[0] ? { subscriberId: l.memberRefs[0] } : {}),
      ...(memberId ? { memberId } : {}),
      description,
      receivedAt: this.source.receivedAt,
    });
    this.outcome.exceptions[category] = (this.outcome.exceptions[category] ?? 0) + 1;
    return this.exceptions.length - 1;
  }

  /** Records the queued exceptions; answers their ids by index (an exception already recorded keeps its id). */
  private async writeExceptions(): Promise<Array<string | null>> {
    if (this.exceptions.length === 0) return [];
    await recordExceptions(this.tx, this.exceptions);
    const { rows } = await this.tx.query<{ ord: number; id: string | null }>(
      `select u.ord::integer as ord,
              (select e.id::text from exception e where e.file_id = $1 and e.set_control = $2 and e.segment_position is not distinct from u.pos
                  and e.category = u.category and e.member_id is not distinct from u.member order by e.id limit 1) as id
         from unnest($3::integer[], $4::text[], $5::text[]) with ordinality as u(pos, category, member, ord)`,
      [this.source.fileId, this.source.setControl, this.exceptions.map((e) => e.segmentPosition ?? null), this.exceptions.map((e) => e.category), this.exceptions.map((e) => e.memberId ?? null)],
    );
    const ids: Array<string | null> = [];
    for (const r of rows) ids[r.ord - 1] = r.id;
    return ids;
  }

  private groupTolerance(groupNumber: string): number {
    return this.groups.get(groupNumber)?.payment_tolerance_cents ?? this.group?.payment_tolerance_cents ?? 0;
  }

  private async groupRow(groupNumber: string): Promise<GroupRow | null> {
    if (this.groups.has(groupNumber)) return this.groups.get(groupNumber)!;
    const { rows } = await this.tx.query<GroupRow>(
      `select group_number, payment_tolerance_cents::float8 as payment_tolerance_cents, to_char(terminated_on, 'YYYY-MM-DD') as terminated_on
         from employer_group where group_number = $1`,
      [groupNumber],
    );
    this.groups.set(groupNumber, rows[0] ?? null);
    return rows[0] ?? null;
  }

  private async invoice(number: string): Promise<InvoiceRow | null> {
    await this.loadInvoices([number]);
    return this.invoices.get(number) ?? null;
  }

  private async loadInvoices(numbers: readonly string[]): Promise<void> {
    const todo = [...new Set(numbers)].filter((n) => !this.invoices.has(n));
    if (todo.length === 0) return;
    const { rows } = await this.tx.query<InvoiceRow & { invoice_number: string }>(
      `select id::text as id, invoice_number, group_number, amount_due_cents::float8 as amount_due_cents, to_char(period_start, 'YYYY-MM-DD') as period_start
         from invoice where invoice_number = any($1::text[])`,
      [todo],
    );
    for (const n of todo) this.invoices.set(n, null);
    for (const r of rows) {
      this.invoices.set(r.invoice_number, { id: r.id, group_number: r.group_number, amount_due_cents: r.amount_due_cents, period_start: r.period_start });
      await this.groupRow(r.group_number);
    }
  }

  private memberFor(group: string, refs: readonly string[]): { id: string; member_id: string } | null {
    for (const ref of refs) {
      const m = ref ? this.members.get(`${group}\u0000${ref}`) : undefined;
      if (m) return m;
    }
    return null;
  }

  /**
   * Finds members by our member ID (EB + ten digits: the row id, by primary key) or the
   * subscriber number (the family's subscriber, by its unique index), in the invoice's group.
   */
  private async loadMembers(wanted: ReadonlyArray<{ group: string; refs: readonly string[] }>): Promise<void> {
    const groups: string[] = [];
    const refs: string[] = [];
    for (const w of wanted) {
      for (const ref of w.refs) {
        const key = `${w.group}\u0000${ref}`;
        if (!ref || this.members.has(key)) continue;
        this.members.set(key, null);
        groups.push(w.group);
        refs.push(ref);
      }
    }
    if (refs.length === 0) return;
    const ours = refs.map((r) => (/^EB\d{10}$/.test(r) ? r.slice(2).replace(/^0+/, '') || '0' : null));
    const { rows } = await this.tx.query<{ grp: string; ref: string; id: string; member_id: string }>(
      `with u as (select * from unnest($1::text[], $2::text[], $3::bigint[]) as u(grp, ref, row_id))
       select u.grp, u.ref, m.id::text as id, m.member_id from u join member m on m.id = u.row_id and m.group_number = u.grp
       union all
       select u.grp, u.ref, m.id::text as id, m.member_id from u join member m on m.group_number = u.grp and m.subscriber_number = u.ref and m.is_subscriber`,
      [groups, refs, ours],
    );
    // Our member ID first: it names one person; a subscriber number names the family's subscriber.
    for (const r of rows) {
      const key = `${r.grp}\u0000${r.ref}`;
      if (!this.members.get(key) || /^EB\d{10}$/.test(r.ref)) this.members.set(key, { id: r.id, member_id: r.member_id });
    }
  }

  private async loadMemberBills(pairs: ReadonlyArray<{ invoice: string; member: string }>): Promise<void> {
    const todo = pairs.filter((p) => !this.memberBills.has(`${p.invoice}:${p.member}`));
    if (todo.length === 0) return;
    const { rows } = await this.tx.query<{ invoice: string; member: string; billed: number; active: boolean; paid: number }>(
      `with u as (select distinct * from unnest($1::bigint[], $2::bigint[]) as u(invoice, member))
       select u.invoice::text as invoice, u.member::text as member, coalesce(b.billed, 0)::float8 as billed, coalesce(b.active, false) as active,
              coalesce((select sum(a.amount_cents) from payment_allocation a where a.invoice_id = u.invoice and a.member_id = u.member and a.disposition = 'applied'), 0)::float8 as paid
         from u cross join lateral (
           -- The member's lines on the invoice, read once: what they bill, and whether one is active.
           select sum(l.amount_cents) as billed, bool_or(l.section = 'active') as active
             from invoice_line l where l.invoice_id = u.invoice and l.member_id = u.member) b`,
      [todo.map((p) => p.invoice), todo.map((p) => p.member)],
    );
    for (const r of rows) this.memberBills.set(`${r.invoice}:${r.member}`, { billed: r.billed, paid: r.paid, active: r.active });
  }

  /** The first day of the period a line pays for: its own DTM*582, else the payment's. */
  private periodOf(l: PaymentLine): string {
    return l.periodStart ?? this.header.periodStart ?? this.header.effectiveDate ?? this.source.receivedAt.toISOString().slice(0, 10);
  }

  private async loadCoverage(wanted: ReadonlyArray<{ member: string; day: string }>): Promise<void> {
    const todo = wanted.filter((w) => !this.covered.has(`${w.member}:${w.day}`));
    if (todo.length === 0) return;
    const { rows } = await this.tx.query<{ member: string; day: string; covered: boolean }>(
      `select u.member::text as member, to_char(u.day, 'YYYY-MM-DD') as day,
              exists (select 1 from member m join coverage c on c.member_id = m.id
                       where m.id = u.member and ${memberActiveOnSql('m', 'u.day')} and ${coverageActiveOnSql('c', 'u.day')}) as covered
         from (select distinct * from unnest($1::bigint[], $2::date[]) as u(member, day)) u`,
      [todo.map((w) => w.member), todo.map((w) => w.day)],
    );
    for (const r of rows) this.covered.set(`${r.member}:${r.day}`, r.covered);
  }

  private async loadInvoicePaid(invoiceIds: readonly string[]): Promise<void> {
    const todo = [...new Set(invoiceIds)].filter((i) => !this.invoicePaid.has(i));
    if (todo.length === 0) return;
    const { rows } = await this.tx.query<{ id: string; cents: number }>(
      `select u.id::text as id, coalesce((select sum(a.amount_cents) from payment_allocation a where a.invoice_id = u.id and a.disposition = 'applied'), 0)::float8 as cents
         from unnest($1::bigint[]) as u(id)`,
      [todo],
    );
    for (const r of rows) this.invoicePaid.set(r.id, r.cents);
  }
}

/** Thrown for a set the application cannot read at all (no BPR or TRN). */
export class RemittanceError extends EdiBridgeError {}
