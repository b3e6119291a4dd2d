/**
 * The job handlers the service (`edibridge serve`, `edibridge demo`) registers, one per queue
 * (src/worker/queues.ts). Each is a thin adapter: it finds the partner, calls the service, and
 * sends the job that follows.
 *
 * - `pull-partner`: the partner's mailbox pulled into the archive (src/mailbox/pull.ts); each
 *   new file's `process-file` job is sent in the transaction that records the file.
 * - `process-file`: the archived file ingested as the partner's, under the job's claim, its
 *   acknowledgements kept for delivery per the partner's settings; then `deliver-acks`.
 * - `deliver-acks`: the partner's pending acknowledgements uploaded (src/mailbox/deliver.ts).
 */
import { EdiBridgeError } from '../core/errors.js';
import { metrics as processMetrics, type Metrics } from '../core/metrics.js';
import { jobClaim } from '../ingest/claim.js';
import type { IngestResult } from '../ingest/ingest.js';
import { processArchivedFile } from '../ingest/process-archived.js';
import { deliverAcknowledgements, pendingAcknowledgements } from '../mailbox/deliver.js';
import { ackRouting } from '../mailbox/files.js';
import { pullPartner } from '../mailbox/pull.js';
import type { PartnerConnection } from '../transport/partners.js';
import type { Engine, JobHandlers } from '../worker/engine.js';
import type { AppContext } from './context.js';
import { setHandlers } from './handlers.js';

export interface JobHandlerOptions {
  metrics?: Metrics;
  /** Overrides the stability rule's wait between looks (tests, the demo). */
  stableIntervalMs?: number;
}

export function jobHandlers(app: AppContext, engine: Pick<Engine, 'send'>, options: JobHandlerOptions = {}): JobHandlers {
  const metrics = options.metrics ?? processMetrics;
  const partnerNamed = async (id: string): Promise<PartnerConnection> => {
    const found = (await app.partners()).find((p) => p.id === id);
    if (!found) throw new EdiBridgeError('CONFIG_INVALID', `partner ${id} has no SFTP connection in the partners file`, { partner: id });
    return found;
  };
  return {
    'pull-partner': async (data, job) => {
      const partner = await partnerNamed(data.partnerId);
      const result = await pullPartner(
        {
          db: await app.db(),
          store: app.store(),
          log: job.log,
          now: () => app.now(),
          metrics,
          signal: job.signal,
          ...(options.stableIntervalMs !== undefined ? { stableIntervalMs: options.stableIntervalMs } : {}),
          enqueueFile: async (tx, file) => {
            await engine.send('process-file', { partnerId: file.partnerId, fileId: file.archiveKey }, { tx });
          },
        },
        partner,
      );
      return { found: result.found, pulled: result.pulled.map((f) => ({ fileId: f.fileId, outcome: f.outcome, bytes: f.bytes, resumed: f.resumed })) };
    },

    'process-file': async (data, job) => {
      const db = await app.db();
      const partner = (await app.partners()).find((p) => p.id === data.partnerId);
      const result = await processArchivedFile(
        {
          db,
          store: app.store(),
          handlers: await setHandlers(app),
          now: () => app.now(),
          log: job.log,
          claim: jobClaim(job.id),
          signal: job.signal,
          // A partner reached over SFTP gets its acknowledgements delivered; else they are written locally.
          ...ackRouting(partner, app.config.ackDir),
        },
        { partnerId: data.partnerId, key: data.fileId },
      );
      countIngest(metrics, result);
      if (partner && (await pendingAcknowledgements(db, partner.id)).length > 0) await engine.send('deliver-acks', { partnerId: partner.id });
      return { fileId: result.fileId, status: result.status, exceptions: result.exceptions };
    },

    'deliver-acks': async (data, job) => {
      const partner = await partnerNamed(data.partnerId);
      const result = await deliverAcknowledgements({ db: await app.db(), log: job.log, metrics }, partner);
      return { delivered: result.delivered.length, found: result.delivered.filter((d) => d.found).length };
    },
  };
}

/** What one ingest adds to the metrics: sets by verdict, members applied, exceptions opened. */
function countIngest(metrics: Metrics, result: IngestResult): void {
  if (result.status === 'duplicate') return;
  for (const [transactionSet, counts] of Object.entries(result.validation?.byTransactionSet ?? {})) {
    if (counts.accepted) metrics.setAcknowledged(transactionSet, 'A', counts.accepted);
    if (counts.rejected) metrics.setAcknowledged(transactionSet, 'R', counts.rejected);
  }
  for (const h of result.handlers) if (h.result.itemsApplied) metrics.membersApplied(h.result.itemsApplied);
  for (const [category, count] of Object.entries(result.exceptions)) if (count) metrics.exceptionOpened(category, count);
}
