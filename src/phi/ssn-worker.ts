/** Worker thread entry of SsnThread: indexes and seals each request's SSNs, in order. */
import { parentPort, workerData } from 'node:worker_threads';
import { PhiProtector } from './protector.js';
import { SSN_INDEX_BYTES, type SsnReply, type SsnRequest } from './ssn-thread.js';

const port = parentPort;
if (!port) throw new Error('ssn-worker must run as a worker thread');
const phi = new PhiProtector((workerData as { key: Uint8Array }).key);

port.on('message', (req: SsnRequest) => {
  let reply: SsnReply;
  try {
    const indexes = new Uint8Array(req.index.length * SSN_INDEX_BYTES);
    req.index.forEach((ssn, i) => indexes.set(phi.ssnIndex(ssn), i * SSN_INDEX_BYTES));
    const sealedList = req.seal.map((ssn) => phi.encryptSsn(ssn));
    const sealedEnds = new Uint32Array(sealedList.length);
    const sealed = new Uint8Array(sealedList.reduce((n, s) => n + s.length, 0));
    let at = 0;
    sealedList.forEach((s, i) => {
      sealed.set(s, at);
      sealedEnds[i] = at += s.length;
    });
    reply = { id: req.id, indexes: indexes.buffer, sealed: sealed.buffer, sealedEnds };
    port.postMessage(reply, [indexes.buffer, sealed.buffer, sealedEnds.buffer]);
  } catch (err) {
    // The error's name only: a message could quote its input.
    reply = { id: req.id, error: err instanceof Error ? err.name : 'error' };
    port.postMessage(reply);
  }
});
