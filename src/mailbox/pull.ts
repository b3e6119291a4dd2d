/**
 * Pulling a partner's inbound folder: each complete file is streamed from SFTP into the
 * raw-file archive (SHA-256 and size computed as the bytes pass), recorded, and handed to
 * the `process-file` job in the same transaction as its record; only then is the remote
 * copy moved to the partner's archive folder or deleted.
 *
 * Nothing is lost and nothing doubles, whatever fails where:
 * - before the record commits (connection dropped, store down, database down), the remote
 *   file is untouched and the next pull starts that file over (the same archive key is
 *   overwritten whole);
 * - after it commits, the next pull finds the file's transfer recorded (same path, size and
 *   mtime) and only finishes the remote side, never downloading or registering it twice;
 * - the same bytes, or the same sender + ISA13, arriving again are recorded as a resend of the
 *   earlier file and never applied; a resent ISA13 with other bytes opens an exception.
 */
import { posix } from 'node:path';
import type { Logger } from '../core/logger.js';
import { EdiBridgeError, coerceError } from '../core/errors.js';
import type { Metrics } from '../core/metrics.js';
import type { Db } from '../db/db.js';
import { recordExceptions, recordPartnerException } from '../exceptions/store.js';
import { identityKey } from '../ingest/claim.js';
import { HEAD_BYTES, firstIsa, type FileIdentity } from '../ingest/file-identity.js';
import type { PartnerConnection } from '../transport/partners.js';
import { connectSftp, remoteJoin, type SftpSession, type StableFile } from '../transport/sftp/client.js';
import type { ObjectStore } from '../transport/store/object-store.js';

export interface PullDeps {
  db: Db;
  store: ObjectStore;
  log: Logger;
  now: () => Date;
  metrics?: Metrics;
  /** Sends the file's `process-file` job within the transaction that records it. */
  enqueueFile: (tx: Db, file: { partnerId: string; archiveKey: string }) => Promise<void>;
  /** Opens the partner's SFTP session (default connectSftp). */
  connect?: (partner: PartnerConnection) => Promise<SftpSession>;
  /** Overrides the wait between looks of the stability rule (tests). */
  stableIntervalMs?: number;
  signal?: AbortSignal;
}

export type TransferOutcome = 'new' | 'duplicate-content' | 'duplicate-interchange';

export interface PulledFile {
  remotePath: string;
  archiveKey: string;
  /** inbound_file.id: the file registered, or the earlier one it repeats. */
  fileId: string;
  outcome: TransferOutcome;
  bytes: number;
  /** The transfer was recorded by an earlier pull that stopped before the remote side was done. */
  resumed: boolean;
  /** What became of the remote copy. */
  remote: 'moved' | 'deleted';
}

export interface PullResult {
  partner: string;
  /** Files complete and matching the pattern. */
  found: number;
  pulled: PulledFile[];
}

/** Archive key of a remote file: by partner and the file's mtime day, unique per path, size and mtime. */
export function archiveKeyFor(partnerId: string, file: StableFile): string {
  const day = file.mtime.toISOString().slice(0, 10).replaceAll('-', '/');
  const safe = file.name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return `inbound/${partnerId}/${day}/${safe}.${Math.floor(file.mtime.getTime() / 1000)}-${file.size}`;
}

interface TransferRow {
  id: string;
  archive_key: string;
  file_id: string;
  outcome: TransferOutcome;
  size_bytes: string;
  remote_disposition: 'moved' | 'deleted' | null;
}

export async function pullPartner(deps: PullDeps, partner: PartnerConnection): Promise<PullResult> {
  const log = deps.log.child({ partner: partner.id });
  const session = await openSession(deps, partner);
  const result: PullResult = { partner: partner.id, found: 0, pulled: [] };
  const failures: EdiBridgeError[] = [];
  try {
    const { inbound, pattern, stable } = partner.sftp;
    const files = await session.stableFiles(inbound, pattern, stable, {
      ...(deps.stableIntervalMs !== undefined ? { intervalMs: deps.stableIntervalMs } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    files.sort((a, b) => a.mtime.getTime() - b.mtime.getTime() || a.name.localeCompare(b.name));
    result.found = files.length;
    log.info({ folder: inbound, files: files.length }, 'mailbox listed');
    for (const file of files) {
      if (deps.signal?.aborted) break;
      try {
        result.pulled.push(await pullOne(deps, session, partner, file, log));
      } catch (err) {
        const e = coerceError(err, 'INTERNAL', { partner: partner.id, file: file.name });
        failures.push(e);
        log.warn({ err: e, file: file.name }, 'file not pulled: left in the mailbox for the next pull');
        // A dropped connection fails every file after it: stop here, the retry reconnects.
        if (session.lost) break;
      }
    }
  } finally {
    await session.close();
  }
  if (failures.length) {
    const first = failures[0]!;
    throw new EdiBridgeError(first.code, `${failures.length} file(s) of partner ${partner.id} not pulled, first: ${first.message}`, { partner: partner.id, ...first.context }, { cause: first });
  }
  return result;
}

async function openSession(deps: PullDeps, partner: PartnerConnection): Promise<SftpSession> {
  try {
    return await (deps.connect ?? connectSftp)(partner);
  } catch (err) {
    if (err instanceof EdiBridgeError && err.code === 'HOST_KEY_MISMATCH') {
      const seen = String(err.context['fingerprint'] ?? 'unknown');
      const opened = await recordPartnerException(deps.db, {
        category: 'host-key-changed',
        partner: partner.id,
        subject: seen,
        at: deps.now(),
        description: `The SFTP server of ${partner.id} (${partner.sftp.host}:${partner.sftp.port}) presented host key ${seen}, not the pinned ${partner.sftp.hostKey}. Nothing is pulled from or sent to it until the key is confirmed with the partner out of band and pinned in the partners file.`,
      });
      if (opened) deps.metrics?.exceptionOpened('host-key-changed');
    }
    throw err;
  }
}

async function pullOne(deps: PullDeps, session: SftpSession, partner: PartnerConnection, file: StableFile, log: Logger): Promise<PulledFile> {
  const remotePath = remoteJoin(partner.sftp.inbound, file.name);
  const known = await findTransfer(deps.db, partner.id, remotePath, file);
  let pulled: PulledFile;
  if (known) {
    pulled = { remotePath, archiveKey: known.archive_key, fileId: known.file_id, outcome: known.outcome, bytes: Number(known.size_bytes), resumed: true, remote: 'moved' };
    log.info({ file: file.name, fileId: known.file_id }, 'already archived and recorded: finishing the remote side');
  } else {
    const archiveKey = archiveKeyFor(partner.id, file);
    const head: Buffer[] = [];
    let headBytes = 0;
    const stored = await deps.store.put(
      archiveKey,
      (async function* () {
        for await (const chunk of session.download(remotePath)) {
          if (headBytes < HEAD_BYTES) {
            head.push(Buffer.from(chunk.subarray(0, HEAD_BYTES - headBytes)));
            headBytes += head[head.length - 1]!.length;
          }
          yield chunk;
        }
      })(),
      { contentLength: file.size },
    );
    const identity: FileIdentity = { size: stored.size, sha256: stored.sha256, isa: firstIsa(Buffer.concat(head)) };
    const recorded = await recordTransfer(deps, partner, remotePath, file, archiveKey, identity);
    pulled = { remotePath, archiveKey, fileId: recorded.fileId, outcome: recorded.outcome, bytes: stored.size, resumed: false, remote: 'moved' };
    deps.metrics?.filePulled(partner.id);
    log.info(
      { file: file.name, fileId: recorded.fileId, bytes: stored.size, sha256: stored.sha256, archiveKey, outcome: recorded.outcome },
      recorded.outcome === 'new' ? 'file archived and recorded' : 'resend archived and recorded: not applied',
    );
  }
  pulled.remote = await finishRemote(session, partner, remotePath, file);
  await deps.db.query(`update inbound_transfer set remote_disposition = $2, remote_done_at = now() where archive_key = $1`, [pulled.archiveKey, pulled.remote]);
  log.info({ file: file.name, remote: pulled.remote }, pulled.remote === 'moved' ? 'remote file moved to the archive folder' : 'remote file deleted');
  return pulled;
}

async function findTransfer(db: Db, partner: string, remotePath: string, file: StableFile): Promise<TransferRow | undefined> {
  const { rows } = await db.query<TransferRow>(
    `select id::text as id, archive_key, file_id::text as file_id, outcome, size_bytes::text as size_bytes, remote_disposition
       from inbound_transfer where partner = $1 and remote_path = $2 and remote_size = $3 and remote_mtime = $4`,
    [partner, remotePath, file.size, file.mtime.toISOString()],
  );
  return rows[0];
}

/**
 * Registers the file (status received, its archive key) and its transfer, and sends its
 * `process-file` job, in one transaction; a resend records only its transfer.
 */
async function recordTransfer(
  deps: PullDeps,
  partner: PartnerConnection,
  remotePath: string,
  file: StableFile,
  archiveKey: string,
  identity: FileIdentity,
): Promise<{ fileId: string; outcome: TransferOutcome }> {
  const { sender, control } = identityKey(identity);
  const at = deps.now();
  const outcome = await deps.db.transaction(async (tx) => {
    const inserted = await tx.query<{ id: string }>(
      `insert into inbound_file (partner, file_name, sha256, isa_sender, isa_control, size_bytes, status, received_at, archive_key)
       values ($1, $2, $3, $4, $5, $6, 'received', $7, $8)
       on conflict do nothing returning id::text as id`,
      [partner.id, file.name, identity.sha256, sender, control, identity.size, at.toISOString(), archiveKey],
    );
    let fileId = inserted.rows[0]?.id;
    let kind: TransferOutcome = 'new';
    if (fileId === undefined) {
      const earlier = await tx.query<{ id: string; sha256: string }>(
        `select id::text as id, sha256 from inbound_file where sha256 = $1 or (isa_sender = $2 and isa_control = $3)
          order by (sha256 = $1) desc, id limit 1`,
        [identity.sha256, sender, control],
      );
      const row = earlier.rows[0];
      if (!row) throw new EdiBridgeError('INTERNAL', 'the file was neither registered nor found', { partner: partner.id, file: file.name });
      fileId = row.id;
      kind = row.sha256 === identity.sha256 ? 'duplicate-content' : 'duplicate-interchange';
    }
    await tx.query(
      `insert into inbound_transfer (partner, remote_path, remote_size, remote_mtime, archive_key, sha256, size_bytes, pulled_at, outcome, file_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [partner.id, remotePath, file.size, file.mtime.toISOString(), archiveKey, identity.sha256, identity.size, at.toISOString(), kind, fileId],
    );
    if (kind === 'new') await deps.enqueueFile(tx, { partnerId: partner.id, archiveKey });
    if (kind === 'duplicate-interchange') {
      await recordExceptions(tx, [{
        category: 'duplicate-interchange',
        fileId,
        receivedAt: at,
        description: `${partner.id} sent ${file.name} with interchange control number ${control} (sender ${sender}), already used by file ${fileId}, but with other content. Nothing in it was applied; it is archived as ${archiveKey}. Ask the partner to resend it under a new ISA13.`,
      }]);
    }
    return { fileId, outcome: kind };
  });
  if (outcome.outcome === 'duplicate-interchange') deps.metrics?.exceptionOpened('duplicate-interchange');
  return outcome;
}

/** Moves the pulled file to the partner's archive folder or deletes it (and its done-marker). */
async function finishRemote(session: SftpSession, partner: PartnerConnection, remotePath: string, file: StableFile): Promise<'moved' | 'deleted'> {
  const { afterPull } = partner.sftp;
  const marker = file.marker ? remoteJoin(posix.dirname(remotePath), file.marker) : undefined;
  const gone = (err: unknown): boolean => err instanceof EdiBridgeError && err.code === 'SFTP_NOT_FOUND';
  // Gone already (an earlier attempt finished it before failing): nothing left to do.
  const tolerate = async (op: () => Promise<unknown>): Promise<void> => {
    await op().catch((err: unknown) => {
      if (!gone(err)) throw err;
    });
  };
  if (afterPull.kind === 'move') {
    await tolerate(() => session.move(remotePath, afterPull.folder));
    if (marker) await tolerate(() => session.remove(marker));
    return 'moved';
  }
  await tolerate(() => session.remove(remotePath));
  if (marker) await tolerate(() => session.remove(marker));
  return 'deleted';
}
