/**
 * The job handlers the service (`edibridge serve`) registers, one per queue
 * (src/worker/queues.ts). A queue whose service is not built yet has no handler here, and so
 * no worker: its jobs wait in the queue instead of being run by a stand-in.
 *
 * - `pull-partner`: needs the SFTP transport and partner mailbox configuration (not wired yet).
 * - `process-file`: needs the archived file (object store) handed to the ingest (not wired yet).
 * - `deliver-acks`: needs the SFTP transport (not wired yet).
 */
import type { JobHandlers } from '../worker/engine.js';
import type { AppContext } from './context.js';

export function jobHandlers(app: AppContext): JobHandlers {
  void app;
  return {};
}
