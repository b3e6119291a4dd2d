/** Worker thread entry: checks the sets of each batch the pool sends, one batch at a time. */
import { parentPort } from 'node:worker_threads';
import { loadRegistry, type GuideRegistry } from '../schema/registry.js';
import { newReadBuffer, runSetJob, type SetBatch, type SetBatchResult } from './set-job.js';

const port = parentPort;
if (!port) throw new Error('set-worker must run as a worker thread');
const registries = new Map<string, GuideRegistry>();
const buffer = newReadBuffer();

port.on('message', (batch: SetBatch) => {
  let reply: SetBatchResult;
  try {
    let registry = registries.get(batch.schemaDir);
    if (!registry) {
      registry = loadRegistry(batch.schemaDir);
      registries.set(batch.schemaDir, registry);
    }
    const r = registry;
    reply = { id: batch.id, results: batch.sets.map((job) => runSetJob(job, batch.fd, r, buffer)) };
  } catch (err) {
    reply = { id: batch.id, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
