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
}

/** Files newest first, with their pulls and acknowledgements. */
export async function listFiles(db: Db, input: ListFilesInput): Promise<FileRecord[]> {
  const { rows } = await db.query<FileRecord>(
    `select f.id::text as id, f.partner, f.file_name as name, f.status, f.received_at as "receivedAt",
            f.size_bytes::float8 as bytes, f.sha256, f.isa_control as interchange, f.archive_key as "archiveKey",
            (select count(*)::integer from inbound_transfer t where t.file_id = f.id) as pulls,
            coalesce((select json_agg(json_build_object('kind', o.kind, 'delivery', o.delivery, 'attempts', o.delivery_attempts,
                       'lastError', o.last_error, 'remotePath', o.remote_path, 'deliveredAt', o.delivered_at) order by o.id)
                        from outbound_acknowledgement o where o.file_id = f.id), '[]'::json) as acks
       from inbound_file f
      where ($1::text is null or f.partner = $1)
        and ($2::text is null or f.status = $2)
        and (not $3 or exists (select 1 from outbound_acknowledgement o where o.file_id = f.id and o.delivery = 'pending'))
      order by f.received_at desc, f.id desc
      limit $4`,
    [input.partner ?? null, input.status ?? null, input.undelivered, input.limit],
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
