/**
 * The ingest's side of acknowledgements: each TA1/999 it sends is recorded with its control
 * numbers (outbound_acknowledgement), and a partner's TA1 or 999 received is read, reported
 * with its verdicts and, where our records know it, the inbound file we answered.
 *
 * Acknowledgements received are read here, before any set goes to a handler: a TA1 has no
 * transaction set at all, and a 999 is an answer to us, not content to apply.
 */
import type { Acknowledgement } from '../ack/acknowledgements.js';
import { acknowledgementControls, mayHoldAcknowledgements, readReceivedAcknowledgements, type ReceivedAcknowledgement } from '../ack/inbound.js';
import type { Db } from '../db/db.js';
import type { FileReport } from '../x12/report.js';
import type { FileSource } from './source.js';

/** An acknowledgement received, and the inbound file ours answered (when recorded). */
export interface AcknowledgementReceived {
  acknowledgement: ReceivedAcknowledgement;
  /** The acknowledgement of ours it answers (by TA101 = our ISA13, or AK102 = our GS06) and the inbound file that one answered. */
  answers: { fileId: string; file: string; kind: Acknowledgement['kind']; name: string } | null;
}

/** How an acknowledgement leaves: written to a folder (local), or kept for the service to deliver. */
export interface AckDisposition {
  body: string;
  delivery: 'pending' | 'withheld';
}

/**
 * Records the acknowledgements sent for an inbound file, with the control numbers they took;
 * with `disposition`, also each one's bytes and whether the service delivers it.
 */
export async function recordSentAcknowledgements(
  db: Db,
  fileId: string,
  acks: readonly Acknowledgement[],
  at: Date,
  disposition?: (a: Acknowledgement) => AckDisposition,
): Promise<void> {
  const rows = acks.flatMap((a) => {
    const c = acknowledgementControls(a.text);
    if (!c || !/^\d{1,9}$/.test(c.isaControl) || c.receiver === '') return [];
    const group = a.kind === '999' && c.groupControl !== null && /^\d{1,9}$/.test(c.groupControl) ? Number(c.groupControl) : null;
    if (a.kind === '999' && group === null) return [];
    const d = disposition?.(a);
    return [{ kind: a.kind, name: a.name, isa: Number(c.isaControl), grp: group, receiver: c.receiver, body: d?.body ?? null, delivery: d?.delivery ?? 'local' }];
  });
  if (rows.length === 0) return;
  await db.query(
    `insert into outbound_acknowledgement (file_id, kind, name, isa_control, group_control, receiver, created_at, body, delivery)
     select $1, r.kind, r.name, r.isa, r.grp, r.receiver, $3, r.body, r.delivery
       from json_to_recordset($2::json) as r(kind text, name text, isa bigint, grp bigint, receiver text, body text, delivery text)`,
    [fileId, JSON.stringify(rows), at],
  );
}

/** Reads the acknowledgements a validated file carries (none unless it may hold some) and names what they answer. */
export async function acknowledgementsReceived(db: Db, report: FileReport, source: FileSource): Promise<AcknowledgementReceived[]> {
  if (!mayHoldAcknowledgements(report)) return [];
  const read = await readReceivedAcknowledgements(source.open());
  const out: AcknowledgementReceived[] = [];
  for (const a of read.acknowledgements) out.push({ acknowledgement: a, answers: await answered(db, a) });
  return out;
}

async function answered(db: Db, a: ReceivedAcknowledgement): Promise<AcknowledgementReceived['answers']> {
  // Our groups are all FA (we send only 999s): a 999 answers one of ours only when its AK101 says FA.
  if (a.kind === '999' && a.answers?.functionalId !== 'FA') return null;
  const control = a.kind === 'TA1' ? a.answersControl : a.answers?.groupControl;
  if (control === undefined || !/^\d{1,9}$/.test(control)) return null;
  const column = a.kind === 'TA1' ? 'isa_control' : 'group_control';
  const { rows } = await db.query<{ file_id: string; file_name: string; kind: Acknowledgement['kind']; name: string }>(
    `select o.file_id::text as file_id, f.file_name, o.kind, o.name
       from outbound_acknowledgement o join inbound_file f on f.id = o.file_id
      where o.receiver = $1 and o.${column} = $2
      order by o.id desc limit 1`,
    [a.carrier.sender, Number(control)],
  );
  const r = rows[0];
  return r ? { fileId: r.file_id, file: r.file_name, kind: r.kind, name: r.name } : null;
}
