/**
 * The job queues, in one place: each queue's job data (a zod schema, checked when a job is
 * sent and again when a worker takes it), its singleton key, and its retry and expiry
 * settings.
 *
 * Glossary (src/worker):
 * - **queue**: a named list of jobs of one kind (`pull-partner`, `process-file`,
 *   `deliver-acks`), a pg-boss queue under the policy `stately`.
 * - **job**: one unit of work on a queue, with its data (ids only, never PHI).
 * - **singleton key**: the id a queue derives from a job's data. Under `stately`, a key has at
 *   most one job waiting and one active: a second send while one waits is dropped (send
 *   answers null), and the engine never claims a key's job while another of that key is active.
 * - **claim**: a worker taking a job (state active) with `FOR UPDATE SKIP LOCKED`: one worker
 *   per job across every process.
 * - **expiry**: how long a claim may last (`expireInSeconds`). A job still running then is
 *   failed back to its queue (and retried while it has retries left); so is the claim of a
 *   worker that died, by the database-side maintenance.
 * - **retry**: a failed job runs again after `retryDelay` seconds, doubled at each attempt
 *   with jitter when `retryBackoff` (pg-boss: delay·2^n/2 + random·delay·2^n/2), at most
 *   `retryLimit` times.
 */
import { z } from 'zod';

export const QUEUE_NAMES = ['pull-partner', 'process-file', 'deliver-acks'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** A trading partner id, as the reference data allows it. */
const PartnerId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be a partner id');
/** An inbound file: its id (inbound_file.id), or its archive key before it is registered. */
const FileId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/, 'must be a file id or archive key');

export const JOB_DATA = {
  /** Pull what the partner's mailbox holds (archive each file, then send `process-file`). */
  'pull-partner': z.object({ partnerId: PartnerId }).strict(),
  /** Validate, acknowledge and apply one inbound file. */
  'process-file': z.object({ partnerId: PartnerId, fileId: FileId }).strict(),
  /** Deliver every acknowledgement waiting for the partner. */
  'deliver-acks': z.object({ partnerId: PartnerId }).strict(),
} as const satisfies Record<QueueName, z.ZodType>;

export type JobData<Q extends QueueName> = z.infer<(typeof JOB_DATA)[Q]>;

export interface QueueSettings {
  /** Retries after the first attempt. */
  retryLimit: number;
  /** Seconds before the first retry. */
  retryDelay: number;
  /** Double the delay at each retry (with jitter). */
  retryBackoff: boolean;
  /** Seconds a claim may last before the job is failed back for a retry. */
  expireInSeconds: number;
  /** Jobs one worker runs at once. */
  batchSize: number;
}

export const QUEUE_SETTINGS: Readonly<Record<QueueName, QueueSettings>> = {
  // A partner's mailbox: one pull at a time per partner (key partnerId); SFTP outages retried for ~1 h.
  'pull-partner': { retryLimit: 6, retryDelay: 30, retryBackoff: true, expireInSeconds: 15 * 60, batchSize: 2 },
  // One file, one worker (key fileId); a large 834 may take long, so a generous expiry.
  'process-file': { retryLimit: 5, retryDelay: 60, retryBackoff: true, expireInSeconds: 60 * 60, batchSize: 1 },
  // All acknowledgements waiting for a partner, one delivery at a time per partner (key partnerId).
  'deliver-acks': { retryLimit: 10, retryDelay: 30, retryBackoff: true, expireInSeconds: 10 * 60, batchSize: 2 },
};

/** The singleton key of a job: one partner's pull or delivery, one file's processing. */
export function singletonKey<Q extends QueueName>(queue: Q, data: JobData<Q>): string {
  switch (queue) {
    case 'pull-partner':
    case 'deliver-acks':
      return (data as JobData<'pull-partner'>).partnerId;
    case 'process-file':
      return (data as JobData<'process-file'>).fileId;
    default: {
      const never: never = queue;
      throw new Error(`unknown queue ${String(never)}`);
    }
  }
}

export function isQueueName(name: string): name is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(name);
}
