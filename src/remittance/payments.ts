/** Payments as ops look them up: by trace number, with where each remittance line's money went. */
import type { Db } from '../db/db.js';

export interface PaymentView {
  id: string;
  trace: string;
  originator: string;
  status: 'applied' | 'held' | 'duplicate' | 'information';
  amountCents: number;
  method: string;
  remittanceOnly: boolean;
  groupNumber: string | null;
  fileId: string;
  setControl: string;
  effectiveDate: string | null;
  appliedCents: number;
  creditCents: number;
  suspenseCents: number;
  allocations: Array<{
    kind: string;
    segmentPosition: number | null;
    qualifier: string | null;
    reference: string | null;
    invoiceNumber: string | null;
    memberId: string | null;
    amountCents: number;
    billedCents: number | null;
    payerBilledCents: number | null;
    disposition: 'applied' | 'credit' | 'suspense' | 'information';
    exceptionId: string | null;
  }>;
}

/** Every payment recorded under the trace number (a duplicate is recorded beside the first). */
export async function getPayments(db: Db, trace: string): Promise<PaymentView[]> {
  const { rows } = await db.query<Omit<PaymentView, 'allocations' | 'appliedCents' | 'creditCents' | 'suspenseCents'>>(
    `select id::text as id, trace_number as trace, originator, status, amount_cents::float8 as "amountCents", method,
            remittance_only as "remittanceOnly", group_number as "groupNumber", file_id::text as "fileId", set_control as "setControl",
            to_char(effective_date, 'YYYY-MM-DD') as "effectiveDate"
       from payment where trace_number = $1 order by id`,
    [trace],
  );
  const out: PaymentView[] = [];
  for (const p of rows) {
    const a = await db.query<PaymentView['allocations'][number]>(
      `select a.kind, a.segment_position as "segmentPosition", a.reference_qualifier as qualifier, a.reference, i.invoice_number as "invoiceNumber",
              m.member_id as "memberId", a.amount_cents::float8 as "amountCents", a.billed_cents::float8 as "billedCents",
              a.payer_billed_cents::float8 as "payerBilledCents", a.disposition, a.exception_id::text as "exceptionId"
         from payment_allocation a left join invoice i on i.id = a.invoice_id left join member m on m.id = a.member_id
        where a.payment_id = $1 order by a.segment_position nulls first, a.id`,
      [p.id],
    );
    const sum = (d: string): number => a.rows.filter((x) => x.disposition === d).reduce((s, x) => s + x.amountCents, 0);
    out.push({ ...p, appliedCents: sum('applied'), creditCents: sum('credit'), suspenseCents: sum('suspense'), allocations: a.rows });
  }
  return out;
}
