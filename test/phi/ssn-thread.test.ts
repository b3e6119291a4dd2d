/**
 * SSN indexes and sealing on a worker thread (SSNTHREAD in apply-set.ts) must give what the
 * main thread gives, and an ingest that uses the thread must store what one without it
 * stores. Workers load compiled JavaScript, so these tests run the built dist/ (npm ci
 * builds it).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NOW, ackDir, build834, dependent, exceptions, member, members, subscriber, useEnrollmentDb, writeTemp } from '../enrollment/build834.js';

type ProtectorModule = typeof import('../../src/phi/protector.js');
type IngestModule = typeof import('../../src/ingest/ingest.js');
type HandlersModule = typeof import('../../src/ingest/handlers.js');
type EnrollmentModule = typeof import('../../src/enrollment/handler.js');
const dist = join(import.meta.dirname, '../../dist');
const { PhiProtector } = (await import(join(dist, 'phi/protector.js'))) as ProtectorModule;
const { ingestFile } = (await import(join(dist, 'ingest/ingest.js'))) as IngestModule;
const { handlerRegistry } = (await import(join(dist, 'ingest/handlers.js'))) as HandlersModule;
const { enrollmentHandler, enrollmentOf } = (await import(join(dist, 'enrollment/handler.js'))) as EnrollmentModule;

const phi = new PhiProtector(Buffer.alloc(32, 9));

describe('the SSN thread', () => {
  const thread = phi.startThread();
  afterAll(() => thread.close());

  it('gives the main thread indexes, and seals that decrypt to the SSNs, in order, for requests in flight together', async () => {
    const ssns = Array.from({ length: 2000 }, (_, i) => String(900000000 + i * 37));
    ssns[5] = '123-45-6789';
    const [a, b, empty] = await Promise.all([
      thread.run({ index: ssns, seal: ssns.slice(0, 300) }),
      thread.run({ index: ssns.slice(1000), seal: [] }),
      thread.run({ index: [], seal: [] }),
    ]);
    expect(a.indexes).toHaveLength(2000);
    expect(a.indexes.every((h, i) => h.equals(phi.ssnIndex(ssns[i]!)))).toBe(true);
    // Formatted and plain SSNs index alike, as in line.
    expect(a.indexes[5]!.equals(phi.ssnIndex('123456789'))).toBe(true);
    expect(a.sealed.map((s) => phi.decryptSsn(s))).toEqual(ssns.slice(0, 300).map((s) => s.replace(/-/g, '')));
    expect(b.indexes.every((h, i) => h.equals(a.indexes[1000 + i]!))).toBe(true);
    expect(b.sealed).toEqual([]);
    expect(empty).toEqual({ indexes: [], sealed: [] });
  });

  it('fails a request it cannot do with a message that quotes no input, and goes on with the next', async () => {
    const bad = thread.run({ index: [900000001 as unknown as string], seal: [] });
    await expect(bad).rejects.toThrow(/the SSN thread could not do its work: TypeError$/);
    const next = await thread.run({ index: ['900000002'], seal: [] });
    expect(next.indexes[0]!.equals(phi.ssnIndex('900000002'))).toBe(true);
  });

  it('fails work still waiting when it is closed, and refuses work after', async () => {
    const other = phi.startThread();
    const waiting = expect(other.run({ index: Array.from({ length: 50000 }, () => '900000003'), seal: [] })).rejects.toThrow(/closed before its work was done/);
    await other.close();
    await waiting;
    await expect(other.run({ index: ['900000004'], seal: [] })).rejects.toThrow(/closed/);
  });
});

describe('an ingest with the SSN thread (PostgreSQL)', () => {
  const db = useEnrollmentDb();

  async function ingest(text: string): Promise<ReturnType<typeof enrollmentOf>> {
    // Batches of two members: the thread's answers cross batch boundaries and load-ahead.
    const handlers = handlerRegistry(enrollmentHandler({ phi, ssnThread: true, batchMembers: 2 }));
    return enrollmentOf(await ingestFile(writeTemp(text), { db: db(), handlers, now: () => NOW, ackDir: ackDir() }));
  }

  it('stores the indexes and sealed SSNs an ingest in line stores, and matches by them', async () => {
    const first = await ingest(build834([
      subscriber('900000011'),
      dependent('900000011', '01', 'SAM', '19860101', { ssn: '900000012' }),
      dependent('900000011', '19', 'KIM', '20150101'),
      subscriber('900000021'),
      subscriber('900000031'),
    ]));
    expect(first.totals).toMatchObject({ added: 5, held: 0 });
    const given: Record<string, string | null> = { ALEX: null, SAM: '900000012', KIM: null };
    for (const m of await members(db())) {
      const ssn = m.first_name === 'ALEX' ? `9${m.subscriber_number.slice(-8)}` : given[m.first_name!]!;
      if (ssn === null) {
        expect(m.ssn_enc).toBeNull();
        continue;
      }
      expect(phi.decryptSsn(m.ssn_enc!)).toBe(ssn);
      expect(Buffer.from(m.ssn_hmac!).equals(phi.ssnIndex(ssn))).toBe(true);
    }

    const second = await ingest(build834([
      // SAM's SSN under a new family: held, never added.
      subscriber('900000041', { first: 'OTHER', ssn: '900000012' }),
      // KIM was sent without an SSN: a change gives one, sealed in line.
      dependent('900000011', '19', 'KIM', '20150101', { mt: '001', ssn: '900000013' }),
      member({ sub: '900000021', mt: '001', last: 'SAMPLE', first: 'ALEX' }),
    ]));
    expect(second.totals).toMatchObject({ added: 0, changed: 1, held: 1 });
    expect((await exceptions(db())).map((e) => [e.category, e.subscriber_id])).toEqual([['member-match-uncertain', '900000041']]);
    const kim = (await members(db())).find((m) => m.first_name === 'KIM')!;
    expect(phi.decryptSsn(kim.ssn_enc!)).toBe('900000013');
    expect(Buffer.from(kim.ssn_hmac!).equals(phi.ssnIndex('900000013'))).toBe(true);
  });
});
