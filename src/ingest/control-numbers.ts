/**
 * Control numbers of the acknowledgements we send (ISA13 and GS06), drawn from the
 * database sequence `outbound_control_seq`: unique across runs, processes and workers, so no
 * two acknowledgements to a receiver share one. ST02 is 0001 in every 999: each 999 group
 * holds one set, and ST02 need only be unique within its group.
 */
import { EdiBridgeError } from '../core/errors.js';
import type { Db } from '../db/db.js';
import type { FileReport } from '../x12/report.js';

/** Numbers one file's acknowledgements can take: each interchange an ISA13 and a GS06 per 999, with room. */
export function controlNumbersNeeded(report: FileReport): number {
  return report.interchanges.reduce((n, ic) => n + 2 + ic.groups.length, 2);
}

/** Draws `needed` numbers in one statement; the allocator refuses to hand out more. */
export async function drawControlNumbers(db: Db, needed: number, file: string): Promise<() => number> {
  const { rows } = await db.query<{ n: string }>("select nextval('outbound_control_seq')::text as n from generate_series(1, $1::int)", [needed]);
  const numbers = rows.map((r) => Number(r.n));
  let i = 0;
  return () => {
    const n = numbers[i++];
    if (n === undefined) throw new EdiBridgeError('INTERNAL', 'ran out of drawn control numbers', { file });
    return n;
  };
}
