/**
 * The TA1 interchange acknowledgement. It travels in an interchange of its own with no
 * GS/GE (IEA01 = 0 groups), so it can answer an interchange whose groups we could not read.
 * Whether one is sent at all (errors, or ISA14 = 1) is the caller's decision:
 * see InterchangeResult.sendTa1.
 */
import type { InterchangeResult } from '../x12/report.js';
import { isValidDateText, isValidTimeText } from '../x12/validate/values.js';
import { closeInterchange, hhmm, openInterchange, yymmdd, type AckContext } from './envelope.js';

export function buildTa1(interchange: InterchangeResult, ctx: AckContext): string {
  const ix = openInterchange(interchange, ctx);
  // TA101–TA103 copy the received ISA13, ISA09, ISA10. Where those are the very fault
  // (TA105 014, 015, 018, or an unreadable ISA), the copy would make our TA1 invalid:
  // the control number becomes zeros and the date and time those of our receipt.
  const control = /^\d{9}$/.test(interchange.control) ? interchange.control : '000000000';
  const date = interchange.date.length === 6 && isValidDateText(interchange.date) ? interchange.date : yymmdd(ix.at);
  const time = interchange.time.length === 4 && isValidTimeText(interchange.time) ? interchange.time : hhmm(ix.at);
  ix.writer.add('TA1', control, date, time, interchange.status, interchange.note);
  return closeInterchange(ix);
}
