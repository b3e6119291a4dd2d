/**
 * The TA1 interchange acknowledgement. It travels in an interchange of its own with no
 * GS/GE (IEA01 = 0 groups), so it can answer an interchange whose groups we could not read.
 * Whether one is sent at all (errors, or ISA14 = 1) is the caller's decision:
 * see InterchangeResult.sendTa1.
 */
import type { InterchangeResult } from '../x12/report.js';
import { closeInterchange, hhmm, openInterchange, yymmdd, type AckContext } from './envelope.js';

export function buildTa1(interchange: InterchangeResult, ctx: AckContext): string {
  const ix = openInterchange(interchange, ctx);
  // TA101–TA103 copy the received ISA13, ISA09, ISA10. Where those are the very fault
  // (TA105 014, 015, 018, or an unreadable ISA), the copy would make our TA1 invalid:
  // the control number becomes zeros and the date and time those of our receipt.
  const control = /^\d{9}$/.test(interchange.control) ? interchange.control : '000000000';
  const date = isYymmdd(interchange.date) ? interchange.date : yymmdd(ix.at);
  const time = /^([01]\d|2[0-3])[0-5]\d$/.test(interchange.time) ? interchange.time : hhmm(ix.at);
  ix.writer.add('TA1', control, date, time, interchange.status, interchange.note);
  return closeInterchange(ix);
}

function isYymmdd(s: string): boolean {
  if (!/^\d{6}$/.test(s)) return false;
  const m = Number(s.slice(2, 4));
  const d = Number(s.slice(4, 6));
  return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(2000 + Number(s.slice(0, 2)), m, 0)).getUTCDate();
}
