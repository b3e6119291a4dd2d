/** Worker thread entry: runs SetJobs sent by the pool, one at a time. */
import { parentPort } from 'node:worker_threads';
import { loadRegistry } from '../schema/registry.js';
import { runSetJob, type SetJob } from './set-job.js';

const registry = loadRegistry();
const port = parentPort;
if (!port) throw new Error('set-worker must run as a worker thread');

port.on('message', (job: SetJob) => {
  runSetJob(job, registry).then(
    (result) => port.postMessage(result),
    (err: unknown) => port.postMessage({ id: job.id, errors: [], truncated: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
