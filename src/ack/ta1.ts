/**
 * The TA1 interchange acknowledgement. It travels in an interchange of its own with no
 * GS/GE (IEA01 = 0 groups), so it can answer an interchange whose groups we could not read.
 * Whether one is sent at all (errors, or ISA14 = 1) is the caller's decision:
 * see InterchangeResult.sendTa1.
 */
import type { InterchangeResult } from '../x12/report.js';
import { closeInterchange, openInterchange, type AckContext } from './envelope.js';
import { capped } from './writer.js';

export function buildTa1(interchange: InterchangeResult, ctx: AckContext): string {
  const ix = openInterchange(interchange, ctx);
  // TA101–TA103 copy the received ISA13, ISA09, ISA10 as sent; cut to their fixed widths
  // so a malformed header cannot make our TA1 malformed too.
  ix.writer.add(
    'TA1',
    capped(interchange.control.trim(), 9),
    capped(interchange.date.trim(), 6),
    capped(interchange.time.trim(), 4),
    interchange.status,
    interchange.note,
  );
  return closeInterchange(ix);
}
