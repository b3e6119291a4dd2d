/**
 * Delivering acknowledgements: every TA1 and 999 kept for a partner (delivery `pending`) is
 * uploaded to its acknowledgement folder under a temporary name and renamed into place, then
 * recorded as delivered. A failed upload is recorded on the acknowledgement (attempts, last
 * error) and the job fails, so the engine retries it with backoff; `edibridge acks` shows it.
 *
 * Exactly once: one delivery per partner runs at a time (the job's singleton key). An
 * acknowledgement found already in the folder under its name and size (renamed, and then the
 * worker died before recording it) is recorded as delivered without a second upload.
 */
import type { Logger } from '../core/logger.js';
import { EdiBridgeError, coerceError } from '../core/errors.js';
import type { Metrics } from '../core/metrics.js';
import type { Db } from '../db/db.js';
import type { PartnerConnection } from '../transport/partners.js';
import { connectSftp, remoteJoin, type SftpSession } from '../transport/sftp/client.js';

export interface DeliverDeps {
  db: Db;
  log: Logger;
  metrics?: Metrics;
  connect?: (partner: PartnerConnection) => Promise<SftpSession>;
}

export interface DeliveredAck {
  id: string;
  kind: 'TA1' | '999';
  remotePath: string;
  /** It was already in the folder (an earlier attempt renamed it): not uploaded again. */
  found: boolean;
}

export interface DeliverResult {
  partner: string;
  delivered: DeliveredAck[];
}

interface PendingAck {
  id: string;
  kind: 'TA1' | '999';
  name: string;
  isa_control: string;
  body: string;
}

/** The name an acknowledgement has in the partner's folder: kind, our ISA13 (unique), and what it answers. */
export function remoteAckName(ack: { kind: string; name: string; isa_control: string | number }): string {
  const ours = String(ack.isa_control).padStart(9, '0');
  const answers = ack.name.replace(/\.(ta1|999)\.x12$/, '');
  return `${ack.kind}_${ours}_${answers}.x12`;
}

/** The acknowledgements waiting for delivery to a partner, oldest first. */
export async function pendingAcknowledgements(db: Db, partnerId: string): Promise<PendingAck[]> {
  const { rows } = await db.query<PendingAck>(
    `select o.id::text as id, o.kind, o.name, o.isa_control::text as isa_control, o.body
       from outbound_acknowledgement o join inbound_file f on f.id = o.file_id
      where o.delivery = 'pending' and f.partner = $1
      order by o.id`,
    [partnerId],
  );
  return rows;
}

export async function deliverAcknowledgements(deps: DeliverDeps, partner: PartnerConnection): Promise<DeliverResult> {
  const log = deps.log.child({ partner: partner.id });
  const result: DeliverResult = { partner: partner.id, delivered: [] };
  const pending = await pendingAcknowledgements(deps.db, partner.id);
  if (pending.length === 0) return result;
  const folder = partner.acks.folder;
  let session: SftpSession;
  try {
    session = await (deps.connect ?? connectSftp)(partner);
  } catch (err) {
    await recordFailure(deps.db, pending.map((a) => a.id), err);
    throw err;
  }
  const failures: EdiBridgeError[] = [];
  try {
    const there = new Map((await session.list(folder)).map((f) => [f.name, f.size]));
    for (const ack of pending) {
      const name = remoteAckName(ack);
      const remotePath = remoteJoin(folder, name);
      const bytes = Buffer.from(ack.body, 'latin1');
      try {
        const found = there.get(name) === bytes.length;
        if (!found) await session.upload(folder, name, bytes);
        await deps.db.query(
          `update outbound_acknowledgement set delivery = 'delivered', delivered_at = now(), remote_path = $2,
                  delivery_attempts = delivery_attempts + 1, last_attempt_at = now(), last_error = null
            where id = $1 and delivery = 'pending'`,
          [ack.id, remotePath],
        );
        deps.metrics?.ackDelivered(partner.id, ack.kind);
        result.delivered.push({ id: ack.id, kind: ack.kind, remotePath, found });
        log.info({ ack: ack.id, kind: ack.kind, remotePath, found }, found ? 'acknowledgement found delivered' : 'acknowledgement delivered');
      } catch (err) {
        const e = coerceError(err, 'INTERNAL', { partner: partner.id, ack: ack.id });
        failures.push(e);
        deps.metrics?.ackDeliveryFailed(partner.id);
        await recordFailure(deps.db, [ack.id], e);
        log.warn({ err: e, ack: ack.id, kind: ack.kind }, 'acknowledgement not delivered: to be retried');
        if (session.lost) {
          await recordFailure(deps.db, pending.slice(pending.indexOf(ack) + 1).map((a) => a.id), e);
          break;
        }
      }
    }
  } finally {
    await session.close();
  }
  if (failures.length) {
    const first = failures[0]!;
    throw new EdiBridgeError(first.code, `${failures.length} acknowledgement(s) for ${partner.id} not delivered, first: ${first.message}`, { partner: partner.id }, { cause: first });
  }
  return result;
}

/** Records a failed attempt on each acknowledgement: the count, the time and the error's code and message. */
async function recordFailure(db: Db, ids: string[], err: unknown): Promise<void> {
  if (ids.length === 0) return;
  const e = coerceError(err);
  await db
    .query(
      `update outbound_acknowledgement set delivery_attempts = delivery_attempts + 1, last_attempt_at = now(), last_error = $2
        where id = any($1::bigint[]) and delivery = 'pending'`,
      [ids, `${e.code}: ${e.message}`.slice(0, 500)],
    )
    .catch(() => undefined);
}
