/**
 * The job handlers the service (`edibridge serve`) registers, one per queue
 * (src/worker/queues.ts). A queue whose service is not built has no handler here, and so no
 * worker: its jobs wait in the queue instead of being run by a stand-in.
 *
 * - `process-file`: the archived file (`fileId` is its object key) ingested as the partner's.
 * - `pull-partner`, `deliver-acks`: no handler (the pull and delivery jobs are not built).
 */
import { processArchivedFile } from '../ingest/process-archived.js';
import type { JobHandlers } from '../worker/engine.js';
import type { AppContext } from './context.js';
import { setHandlers } from './handlers.js';

export function jobHandlers(app: AppContext): JobHandlers {
  return {
    'process-file': async (data, job) => {
      const log = app.log.child({ job: job.id, queue: job.queue, partner: data.partnerId });
      const result = await processArchivedFile(
        { db: await app.db(), store: app.store(), handlers: await setHandlers(app), ackDir: app.config.ackDir, now: () => app.now(), log },
        { partnerId: data.partnerId, key: data.fileId },
      );
      return { fileId: result.fileId, status: result.status, exceptions: result.exceptions };
    },
  };
}
