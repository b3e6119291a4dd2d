/**
 * The README's main job in-process on an in-memory PGlite: the two sample 834s ingested
 * through `edibridge ingest`, then `members show` and `census` read the result back.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import type { Db } from '../../src/db/db.js';
import { ingestCommand } from '../../src/cli/commands/ingest.js';
import { enrollmentOf } from '../../src/enrollment/handler.js';
import { censusCommand, membersCommand } from '../../src/cli/commands/members.js';
import { unclosable } from '../db/harness.js';
import { SAMPLES, useSampleDb } from '../support/sample-db.js';
import { useTempDirs } from '../support/tmp.js';

const NOW = new Date('2026-11-23T10:00:00Z');
const KEY = Buffer.alloc(32, 3).toString('hex');
const db = useSampleDb();

type Command = (argv: string[], io: Io, options: { open: () => Promise<Db> }) => Promise<number>;

async function run(command: Command, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), now: () => NOW, env: { EDIBRIDGE_PHI_KEY: KEY } };
  const open = async (): Promise<Db> => unclosable(db());
  const code = await command(argv, io, { open });
  return { code, out, err };
}

describe('ingest, members show, census (samples, PGlite)', () => {
  const acks = useTempDirs()('acks');

  it('applies the open-enrollment file, then the change file, and says what changed', async () => {
    const first = await run(ingestCommand, join(SAMPLES, 'enrollment-834-open-enrollment.x12'), '--ack-dir', acks);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/added 3, changed 0, terminated 0/);
    const second = await run(ingestCommand, join(SAMPLES, 'enrollment-834.x12'), '--ack-dir', acks, '--json');
    expect(second.code).toBe(0);
    const r = JSON.parse(second.out);
    expect(r.status).toBe('processed');
    expect(enrollmentOf(r).totals).toMatchObject({ added: 3, changed: 1, terminated: 1, held: 0 });
    expect(r.acknowledgements.map((a: { kind: string }) => a.kind)).toEqual(['TA1', '999']);
    const again = await run(ingestCommand, join(SAMPLES, 'enrollment-834.x12'), '--ack-dir', acks);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/duplicate/);
    expect(again.out).toMatch(/same bytes were ingested before/);
  });

  it('members show: the family with statuses, masked SSN and the source of each change', async () => {
    const r = await run(membersCommand, 'show', '900000002');
    expect(r.code).toBe(0);
    // Terminated as of 2026-11-30, so still active on 2026-11-23.
    expect(r.out).toMatch(/active, eligible from 2026-01-01 through 2026-11-30/);
    expect(r.out).toMatch(/SSN \*\*\*-\*\*-0002/);
    expect(r.out).not.toMatch(/900000002\b.*SSN 900000002/);
    expect(r.out).toMatch(/terminate effective 2026-11-30 .*from file 2 ISA13 000004711 set 0001 segment \d+/);
    const json = JSON.parse((await run(membersCommand, 'show', '900000002', '--on', '2026-12-01', '--json')).out);
    expect(json[0].members[0]).toMatchObject({ status: 'terminated', eligibilityEnd: '2026-11-30' });
    const byId = await run(membersCommand, 'show', json[0].members[0].memberId);
    expect(byId.code).toBe(0);
    expect(byId.out).toContain('subscriber number 900000002');
    expect((await run(membersCommand, 'show', 'NOSUCH')).code).toBe(1);
    expect((await run(membersCommand, 'show', "x' or 1=1")).code).toBe(2);
  });

  it('census: totals by family composition on a day', async () => {
    const r = await run(censusCommand, 'GRP10045', '--on', '2026-12-01', '--json');
    expect(r.code).toBe(0);
    const c = JSON.parse(r.out);
    // 900000001 (subscriber, spouse, child) and 900000003 (subscriber, spouse); 900000002 ended 2026-11-30.
    expect(c).toMatchObject({ subscribers: 2, dependents: 3, byComposition: { employee: 0, 'employee-spouse': 1, 'employee-children': 0, family: 1 } });
    const before = JSON.parse((await run(censusCommand, 'GRP10045', '--on', '2026-11-15', '--json')).out);
    expect(before.byComposition).toMatchObject({ employee: 1, 'employee-spouse': 1 });
    expect((await run(censusCommand, 'NOGROUP')).code).toBe(1);
  });
});
