/**
 * Small 820 (005010X218) interchanges for the billing tests: a valid envelope from
 * ZZ*ACMEEMPLOYER to ZZ*EDIBRIDGEPLAN (unique ISA13), one set per payment with BPR, TRN,
 * REF*38, DTM*582, N1*PE/PR, then organization-summary (2000A) and individual (2000B)
 * remittance loops. BPR02 is the lines' RMR04 plus their 2000-level ADX01 unless given.
 */
import { nextControl, seg } from '../enrollment/build834.js';

export interface Rmr {
  /** RMR01, default IK (AZ, a policy or group number, only in individual loops). */
  qualifier?: string;
  /** RMR02: the invoice number (IK) or group (AZ). */
  reference: string;
  /** RMR04, dollars as X12 writes them ("925.50"). */
  paid: string;
  /** RMR05, the billed amount as the payer saw it. */
  billed?: string;
  /** ADX under the RMR: [amount, reason]. */
  adx?: [string, string];
}

export interface Loop {
  kind: 'organization' | 'individual';
  /** Individual: the subscriber number (NM1*IL NM109 and ENT04). */
  member?: string;
  last?: string;
  first?: string;
  rmr: Rmr[];
  /** 2000-level ADX (adjusting a previous payment): [amount, reason] (ADX03/04 are not used there). */
  adx?: [string, string];
}

export interface PaymentSpec {
  trace: string;
  /** BPR02; default the lines' RMR04 plus the 2000-level ADX01. */
  amount?: string;
  /** BPR01 (default C) and BPR04 (default ACH). */
  handling?: string;
  method?: string;
  group?: string;
  /** DTM*582 RD8, default 20261201-20261231. */
  period?: string;
  loops: Loop[];
}

const cents = (s: string): number => Math.round(Number(s) * 100);
const money = (c: number): string => (c / 100).toFixed(2).replace(/\.00$/, '');

export function build820(payments: PaymentSpec[], options: { control?: number } = {}): string {
  const control = options.control ?? nextControl();
  const isa13 = String(control).padStart(9, '0');
  const gs06 = String(control % 1_000_000_000);
  const segs = [
    `ISA*00*          *00*          *ZZ*ACMEEMPLOYER   *ZZ*EDIBRIDGEPLAN  *261205*1015*^*00501*${isa13}*0*T*:`,
    seg('GS', 'RA', 'ACMEEMPLOYER', 'EDIBRIDGEPLAN', '20261205', '1015', gs06, 'X', '005010X218'),
  ];
  payments.forEach((p, i) => {
    const st = String(i + 1).padStart(4, '0');
    const total = p.amount ?? money(p.loops.reduce((s, l) => s + l.rmr.reduce((t, r) => t + cents(r.paid), 0) + (l.adx ? cents(l.adx[0]) : 0), 0));
    const nonPayment = p.method === 'NON';
    const body = [
      seg('ST', '820', st, '005010X218'),
      nonPayment
        ? seg('BPR', p.handling ?? 'I', total, 'C', 'NON', '', '', '', '', '', '1234567890', '', '', '', '', '', '20261205')
        : seg('BPR', p.handling ?? 'C', total, 'C', p.method ?? 'ACH', 'CCP', '01', '011000015', 'DA', '1234567890', '1234567890', '', '01', '021000021', 'DA', '9876543210', '20261205'),
      seg('TRN', '1', p.trace, '1234567890'),
      seg('REF', '38', p.group ?? 'GRP10045'),
      seg('DTM', '582', '', '', '', 'RD8', p.period ?? '20261201-20261231'),
      seg('N1', 'PE', 'EDIBRIDGE HEALTH PLAN', 'FI', '987654321'),
      seg('N1', 'PR', 'ACME WIDGETS INC', 'FI', '123456789'),
    ];
    p.loops.forEach((l, j) => {
      if (l.kind === 'organization') {
        body.push(seg('ENT', String(j + 1), '2L', 'FI', '123456789'));
      } else {
        body.push(seg('ENT', String(j + 1), '2J', 'EI', l.member), seg('NM1', 'IL', '1', l.last ?? 'MEMBER', l.first ?? 'PAID', '', '', '', 'N', l.member));
      }
      if (l.adx) body.push(seg('ADX', l.adx[0], l.adx[1]));
      for (const r of l.rmr) {
        body.push(seg('RMR', r.qualifier ?? 'IK', r.reference, '', r.paid, r.billed));
        if (l.kind === 'individual') body.push(seg('DTM', '582', '', '', '', 'RD8', p.period ?? '20261201-20261231'));
        if (r.adx) body.push(seg('ADX', r.adx[0], r.adx[1]));
      }
    });
    segs.push(...body, seg('SE', String(body.length + 1), st));
  });
  segs.push(seg('GE', String(payments.length), gs06), seg('IEA', '1', isa13));
  return segs.map((s) => `${s}~\n`).join('');
}
