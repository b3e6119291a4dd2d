/**
 * Load: 50 concurrent API clients, each with its own session, list the exception queue
 * (first pages, filters and sort keys in turn) for 30 seconds against PostgreSQL holding
 * 5,000 items. No answer may be an error; the latency percentiles are printed (the README
 * and the closing note quote them). EDIBRIDGE_LOAD_SECONDS shortens or lengthens the run.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordExceptions, type NewException } from '../../src/exceptions/store.js';
import { pgHarness, type DbHarness } from '../db/harness.js';
import { USERS, createWebWorld, signIn, type Client, type WebWorld } from './world.js';

const CLIENTS = Number(process.env['EDIBRIDGE_LOAD_CLIENTS'] ?? 50);
const SECONDS = Number(process.env['EDIBRIDGE_LOAD_SECONDS'] ?? 30);
const ITEMS = 5000;

/** Each session lists the queue in a loop until the time is up; answers latencies and errors. */
const CLIENT_LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
const { base, sessions, queries, seconds } = workerData;
const latencies = [];
const errors = [];
const until = Date.now() + seconds * 1000;
Promise.all(sessions.map(async (s, i) => {
  let n = i;
  while (Date.now() < until) {
    const t = performance.now();
    try {
      const r = await fetch(base + '/api/exceptions' + queries[n++ % queries.length], { headers: { cookie: s.cookie } });
      const body = await r.json();
      if (r.status !== 200 || !Array.isArray(body.items)) errors.push(String(r.status));
    } catch (err) {
      errors.push(String(err));
    }
    latencies.push(performance.now() - t);
  }
})).then(() => parentPort.postMessage({ latencies, errors }));
`;

describe('queue list under load (PostgreSQL)', () => {
  let w: WebWorld;
  let harness: DbHarness | undefined;
  beforeAll(async () => {
    // The service's pool size (pg's default, 10), not the tests' usual 4.
    harness = await pgHarness(undefined, { max: 10 });
    w = await createWebWorld({ harness });
    const { rows } = await w.db.query<{ id: string; partner: string }>('select id::text as id, partner from inbound_file order by id');
    const categories = ['member-match-uncertain', 'unknown-plan', 'zip-state-mismatch', 'dependent-age-26', 'retro-beyond-six-months'] as const;
    const items: NewException[] = Array.from({ length: ITEMS }, (_, i) => {
      const f = rows[i % rows.length]!;
      return {
        category: categories[i % categories.length]!,
        fileId: f.id,
        setControl: '0001',
        segmentPosition: 1000 + i,
        groupNumber: f.partner === 'acme' ? 'GRP10045' : 'GRP20311',
        description: `Load item ${i}`,
        receivedAt: new Date(w.clock.now.getTime() - (i % 60) * 3600e3),
      };
    });
    for (let i = 0; i < items.length; i += 1000) await recordExceptions(w.db, items.slice(i, i + 1000));
  }, 120_000);
  afterAll(async () => {
    await w?.close();
    await harness?.dispose(false);
  });

  it(`holds ${CLIENTS} concurrent clients on the queue list for ${SECONDS} s with no error`, async () => {
    const logins = [USERS.ops.login, USERS.opsAdmin.login, USERS.acmeUser.login, USERS.acmeAdmin.login, USERS.summitUser.login];
    const clients: Client[] = [];
    for (let i = 0; i < CLIENTS; i++) clients.push(await signIn(w.base, logins[i % logins.length]!));
    const queries = ['', '?sort=age&desc=true', '?state=open&limit=50', '?category=unknown-plan', '?overdue=true', '?group=GRP10045&sort=category', '?offset=100&limit=100'];
    // The clients run in a worker thread, as a second process would: the server keeps this
    // thread to itself.
    const worker = new Worker(CLIENT_LOOP, { eval: true, workerData: { base: w.base, sessions: clients.map((c) => ({ cookie: c.cookie, csrf: c.csrf })), queries, seconds: SECONDS } });
    const [result] = (await once(worker, 'message')) as [{ latencies: number[]; errors: string[] }];
    await worker.terminate();
    const { latencies, errors } = result;
    latencies.sort((a, b) => a - b);
    const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
    console.log(
      `queue list load: ${CLIENTS} clients, ${SECONDS} s, ${latencies.length} requests (${(latencies.length / SECONDS).toFixed(0)}/s), errors ${errors.length}; ` +
        `latency p50 ${pct(50).toFixed(1)} ms, p95 ${pct(95).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`,
    );
    expect(errors).toEqual([]);
    expect(latencies.length).toBeGreaterThan(CLIENTS * SECONDS);
  }, (SECONDS + 90) * 1000);
});
