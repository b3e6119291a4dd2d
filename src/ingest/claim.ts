/**
 * Registering a file and claiming it for one ingest at a time. The unique keys of
 * inbound_file (sha256; ISA06 sender + ISA13) decide what is a resend, not application
 * code. A claim names its holder and expires; a crashed ingest's claim is taken over when it
 * expires, or at once when the claim policy says its holder is gone:
 * - the service's jobs hold a file as `job:<id>` under the job engine's claim (one active
 *   job per file across every replica): a job may take over any job's claim, since the
 *   engine only hands it the file once no other job of that file is active;
 * - the command line holds it as `cli:<host>:<pid>`, taken over at once on the same host
 *   when that process is gone, so that running the ingest again resumes it.
 * A file a pull registered (status received, no holder) is claimed as new.
 */
import { hostname } from 'node:os';
import type { Db } from '../db/db.js';
import { EdiBridgeError } from '../core/errors.js';
import type { FileIdentity } from './file-identity.js';

/** How long a claim lasts without renewal (renewed after each transaction set). */
export const CLAIM_SECONDS = 15 * 60;

/** Who holds a claim, and whose claims it may take over before they expire. */
export interface ClaimPolicy {
  holder: string;
  /** Whether a live claim of `holder` may be taken over now (its holder is gone). */
  mayTakeOver(holder: string): boolean;
}

/** The command line's claim: this process, taking over claims of processes gone from this host. */
export function processClaim(): ClaimPolicy {
  return { holder: `cli:${hostname()}:${process.pid}`, mayTakeOver: (h) => h.startsWith('cli:') && holderGone(h.slice(4)) };
}

/**
 * A job's claim (`job:<id>`). The engine runs one job of a file at a time, so a job's claim
 * still live is a dead worker's (its job expired and this is the retry, or a new job): taken over.
 * A command-line ingest's live claim is respected, as it is by another command line.
 */
export function jobClaim(jobId: string): ClaimPolicy {
  return { holder: `job:${jobId}`, mayTakeOver: (h) => h.startsWith('job:') || (h.startsWith('cli:') && holderGone(h.slice(4))) };
}

/** observed: the time the file was registered; given: a time passed in (a replay). */
export type ReceivedAtSource = 'observed' | 'given';

export type Registration =
  | { kind: 'claimed'; fileId: string; receivedAt: Date; receivedAtSource: ReceivedAtSource; resumed: boolean }
  | { kind: 'duplicate'; fileId: string; receivedAt: Date; receivedAtSource: ReceivedAtSource; why: string };

interface FileRow {
  id: string;
  sha256: string;
  status: string;
  received_at: Date;
  received_at_source: ReceivedAtSource;
  claimed_by: string | null;
  live: boolean;
}

/** Whether a claim holder on this host names a process that no longer runs. */
function holderGone(holder: string | null): boolean {
  if (!holder) return true;
  const at = holder.lastIndexOf(':');
  if (holder.slice(0, at) !== hostname()) return false;
  const pid = Number(holder.slice(at + 1));
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export interface FileToRegister {
  partner: string;
  name: string;
  identity: FileIdentity;
  receivedAt: Date;
  receivedAtSource?: ReceivedAtSource;
  /** Where the raw bytes are archived (object key). */
  archiveKey?: string;
}

/** The unique-key columns of a file's identity: sender and control number only when readable. */
export function identityKey(identity: FileIdentity): { sender: string | null; control: string | null } {
  const sender = identity.isa?.sender.trim() || null;
  const control = identity.isa && /^[0-9]{9}$/.test(identity.isa.control) ? identity.isa.control : null;
  return { sender, control };
}

export async function registerFile(db: Db, file: FileToRegister, claim: ClaimPolicy = processClaim()): Promise<Registration> {
  const holder = claim.holder;
  const { identity } = file;
  const { sender, control } = identityKey(identity);
  const inserted = await db.query<{ id: string; received_at: Date; received_at_source: ReceivedAtSource }>(
    `insert into inbound_file (partner, file_name, sha256, isa_sender, isa_control, size_bytes, status, claimed_by, claim_expires_at, received_at, received_at_source, archive_key)
     values ($1, $2, $3, $4, $5, $6, 'processing', $7, now() + make_interval(secs => $8), $9, $10, $11)
     on conflict do nothing
     returning id::text as id, received_at, received_at_source`,
    [file.partner, file.name, identity.sha256, sender, control, identity.size, holder, CLAIM_SECONDS, file.receivedAt.toISOString(), file.receivedAtSource ?? 'observed', file.archiveKey ?? null],
  );
  const row = inserted.rows[0];
  if (row) return { kind: 'claimed', fileId: row.id, receivedAt: row.received_at, receivedAtSource: row.received_at_source, resumed: false };

  const { rows } = await db.query<FileRow>(
    `select id::text as id, sha256, status, received_at, received_at_source, claimed_by, coalesce(claim_expires_at > now(), false) as live
       from inbound_file where sha256 = $1 or (isa_sender = $2 and isa_control = $3)
      order by (sha256 = $1) desc, id limit 1`,
    [identity.sha256, sender, control],
  );
  const existing = rows[0];
  if (!existing) throw new EdiBridgeError('INTERNAL', 'the file was neither registered nor found', { file: file.name });
  const when = existing.received_at.toISOString();
  if (existing.sha256 !== identity.sha256) {
    return { kind: 'duplicate', fileId: existing.id, receivedAt: existing.received_at, receivedAtSource: existing.received_at_source, why: `the same sender and interchange control number (ISA13) arrived before as file ${existing.id} on ${when}` };
  }
  if (existing.status === 'processed' || existing.status === 'rejected') {
    return { kind: 'duplicate', fileId: existing.id, receivedAt: existing.received_at, receivedAtSource: existing.received_at_source, why: `the same bytes were ingested before as file ${existing.id} on ${when}` };
  }
  if (existing.status === 'processing' && existing.live && existing.claimed_by !== holder && !(existing.claimed_by && claim.mayTakeOver(existing.claimed_by))) {
    throw new EdiBridgeError('INVALID_STATE', `file ${existing.id} is being ingested by ${existing.claimed_by} (claim not expired)`, { file: file.name });
  }
  // Take the claim over, unless someone else took it between our read and now.
  const taken = await db.query(
    `update inbound_file set status = 'processing', claimed_by = $2, claim_expires_at = now() + make_interval(secs => $3)
      where id = $1 and claimed_by is not distinct from $4 and status = $5`,
    [existing.id, holder, CLAIM_SECONDS, existing.claimed_by, existing.status],
  );
  if (taken.rowCount !== 1) {
    throw new EdiBridgeError('INVALID_STATE', `file ${existing.id} was claimed by another ingest meanwhile`, { file: file.name });
  }
  // A file a pull registered is new to the ingest; any other state means an earlier run began it.
  return { kind: 'claimed', fileId: existing.id, receivedAt: existing.received_at, receivedAtSource: existing.received_at_source, resumed: existing.status !== 'received' };
}

export async function renewClaim(db: Db, fileId: string, holder: string): Promise<void> {
  const r = await db.query(
    `update inbound_file set claim_expires_at = now() + make_interval(secs => $3) where id = $1 and claimed_by = $2`,
    [fileId, holder, CLAIM_SECONDS],
  );
  if (r.rowCount !== 1) throw new EdiBridgeError('INVALID_STATE', `lost the claim on file ${fileId}`, { file: fileId });
}

export async function releaseFile(db: Db, fileId: string, status: 'processed' | 'rejected' | 'failed' | 'waiting', holder: string): Promise<void> {
  await db.query(
    `update inbound_file set status = $2, claimed_by = null, claim_expires_at = null where id = $1 and claimed_by = $3`,
    [fileId, status, holder],
  );
}
