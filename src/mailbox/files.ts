export interface FileSet {
  setControl: string;
  transactionSet: string;
  /** BGN08 of an 834 (change, verify, replace). */
  action: string | null;
  status: 'applied' | 'verified' | 'duplicate' | 'rejected' | 'held';
  summary: Record<string, unknown>;
}

export interface FileDetail extends FileRecord {
  sets: FileSet[];
  /** What happened to the file, in a sentence an employer reads. */
  plainWords: string;
}

/**
 * Inbound files as ops follow them: each file with its partner, status, how it arrived (the
 * pulls that brought it, resends included) and its acknowledgements' delivery (pending,
 * delivered, withheld, the attempts and last error of one that keeps failing); and re-running
 * one from the archive after its cause was fixed.
 */
import { z } from 'zod';
import { EdiBridgeError } from '../core/errors.js';
import type { Db } from '../db/db.js';
import type { AckDelivery, IngestResult } from '../ingest/ingest.js';
import { processArchivedFile, type ProcessArchivedDeps } from '../ingest/process-archived.js';
import type { PartnerConnection } from '../transport/partners.js';

export const FILE_STATUSES = ['received', 'processing', 'processed', 'rejected', 'failed', 'waiting'] as const;

export const ListFilesInput = z
  .object({
    partner: z.string().min(1).max(80).optional(),
    status: z.enum(FILE_STATUSES).optional(),
    /** Only files with an acknowledgement not yet delivered. */
    undelivered: z.boolean().default(false),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();
export type ListFilesInput = z.infer<typeof ListFilesInput>;

export interface FileAck {
  kind: 'TA1' | '999';
  delivery: 'local' | 'pending' | 'delivered' | 'withheld';
  attempts: number;
  lastError: string | null;
  remotePath: string | null;
  deliveredAt: Date | null;
}

export interface FileRecord {
  id: string;
  partner: string;
  name: string;
  status: (typeof FILE_STATUSES)[number];
  receivedAt: Date;
  bytes: number;
  sha256: string;
  interchange: string | null;
  archiveKey: string | null;
  /** Pulls that brought these bytes (1 for a new file; more when resent). */
  pulls: number;
  acks: FileAck[];
  /** Its transaction sets by outcome. */
  setCounts: Record<FileSet['status'], number>;
}

/** $1 partner, $2 status, $3 undelivered only, $4 limit, $5 partners in scope, $6 one file's id, $7 offset. */
const FILES_SQL = `select f.id::text as id, f.partner, f.file_name as name, f.status, f.received_at as "receivedAt",
            f.size_bytes::float8 as bytes, f.sha256, f.isa_control as interchange, f.archive_key as "archiveKey",
            (select count(*)::integer from inbound_transfer t where t.file_id = f.id) as pulls,
            (select json_build_object('applied', count(*) filter (where s.status = 'applied'), 'verified', count(*) filter (where s.status = 'verified'),
                                      'duplicate', count(*) filter (where s.status = 'duplicate'), 'rejected', count(*) filter (where s.status = 'rejected'), 'held', count(*) filter (where s.status = 'held'))
               from inbound_set s where s.file_id = f.id) as "setCounts",
            coalesce((select json_agg(json_build_object('kind', o.kind, 'delivery', o.delivery, 'attempts', o.delivery_attempts,
                       'lastError', o.last_error, 'remotePath', o.remote_path, 'deliveredAt', o.delivered_at) order by o.id)
                        from outbound_acknowledgement o where o.file_id = f.id), '[]'::json) as acks
       from inbound_file f
      where ($1::text is null or f.partner = $1)
        and ($2::text is null or f.status = $2)
        and (not $3 or exists (select 1 from outbound_acknowledgement o where o.file_id = f.id and o.delivery = 'pending'))
        and ($5::text[] is null or f.partner = any($5))
        and ($6::bigint is null or f.id = $6::bigint)
      order by f.received_at desc, f.id desc
      limit $4 offset $7`;

/** Files newest first, with their pulls and acknowledgements; `partners`: only theirs (a partner organisation's scope). */
export async function listFiles(db: Db, input: ListFilesInput, partners: readonly string[] | null = null): Promise<FileRecord[]> {
  const { rows } = await db.query<FileRecord>(
    FILES_SQL,
    [input.partner ?? null, input.status ?? null, input.undelivered, input.limit, partners, null, input.offset],
  );
  return rows.map((r) => ({ ...r, acks: r.acks.map((a) => ({ ...a, deliveredAt: a.deliveredAt ? new Date(a.deliveredAt) : null })) }));
}

/** Where a partner's acknowledgements go: kept for delivery over its SFTP connection, or written to the folder. */
export function ackRouting(partner: PartnerConnection | undefined, ackDir: string): { delivery: AckDelivery } | { ackDir: string } {
  return partner ? { delivery: { ta1: partner.acks.ta1, '999': partner.acks['999'] } } : { ackDir };
}

export interface RerunDeps extends Omit<ProcessArchivedDeps, 'delivery' | 'ackDir'> {
  partners: readonly PartnerConnection[];
  /** Where acknowledgements go for a partner without an SFTP connection. */
  ackDir: string;
}

/**
 * Processes an archived file again, as its partner's: what an earlier run applied is
 * recognised and not applied twice; what failed (reference data since fixed, an outage) is
 * applied now. A file processed or rejected is a resend and changes nothing.
 */
export async function rerunFile(deps: RerunDeps, fileId: string): Promise<IngestResult> {
  const { rows } = await deps.db.query<{ partner: string; archive_key: string | null }>('select partner, archive_key from inbound_file where id = $1::bigint', [fileId]);
  const file = rows[0];
  if (!file) throw new EdiBridgeError('NOT_FOUND', `no inbound file ${fileId}`, { file: fileId });
  if (!file.archive_key) {
    throw new EdiBridgeError('INVALID_STATE', `file ${fileId} was ingested from a local path and has no archived copy: ingest that file again`, { file: fileId });
  }
  const partner = deps.partners.find((p) => p.id === file.partner);
  const { partners: _partners, ackDir, ...process } = deps;
  return processArchivedFile({ ...process, ...ackRouting(partner, ackDir) }, { partnerId: file.partner, key: file.archive_key });
}

/** One file with its sets and what happened to it in plain words; `partners` scopes it as in listFiles. */
export async function fileDetail(db: Db, id: string, partners: readonly string[] | null = null): Promise<FileDetail> {
  const { rows } = await db.query<FileRecord>(FILES_SQL, [null, null, false, 1, partners, id, 0]);
  const file = rows[0];
  if (!file) throw new EdiBridgeError('NOT_FOUND', `no file ${id}`, { file: id });
  const sets = await db.query<FileSet>(
    `select set_control as "setControl", transaction_set as "transactionSet", action, status, summary
       from inbound_set where file_id = $1::bigint order by file_offset`,
    [id],
  );
  const f = { ...file, acks: file.acks.map((a) => ({ ...a, deliveredAt: a.deliveredAt ? new Date(a.deliveredAt) : null })) };
  return { ...f, sets: sets.rows, plainWords: plainWords(f) };
}

export function plainWords(f: Pick<FileRecord, 'name' | 'status' | 'setCounts'>): string {
  const n = (s: FileSet['status']): number => f.setCounts[s];
  const applied = n('applied') + n('verified');
  const total = applied + n('duplicate') + n('rejected') + n('held');
  const held = n('held') ? ` ${n('held')} full-file set${n('held') === 1 ? ' waits' : 's wait'} for a person's release: it would end or queue more of a group's members than its share.` : '';
  switch (f.status) {
    case 'rejected':
      return `${f.name} was refused as a whole: its envelope could not be read or was wrong (see the TA1 or 999 sent back). Correct it and send it again.`;
    case 'processed':
      if (n('rejected') === 0) return `${f.name} was accepted: ${applied} of ${total} transaction set${total === 1 ? '' : 's'} applied${n('duplicate') ? `, ${n('duplicate')} already received before` : ''}.${held}`;
      return `${f.name} was partly accepted: ${applied} transaction set${applied === 1 ? '' : 's'} applied, ${n('rejected')} rejected (see the 999 for the segments in error). Send the rejected ones again once corrected.`;
    case 'failed':
      return `${f.name} could not be processed because of a fault on our side; it will be processed again without anything from you.`;
    case 'waiting':
      return `${f.name} holds transaction sets we do not process yet; it is kept and will be applied later.`;
    default:
      return `${f.name} was received and is being processed.`;
  }
}
