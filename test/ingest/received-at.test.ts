/**
 * Replaying files with `edibridge ingest --received-at` on PostgreSQL: the given time is the
 * file's recorded receipt (marked given, not observed, and shown in the summary), and the
 * date rules count from it, whatever today's date is. The same two files, ingested as of
 * their past receipt and as of today, give the answers each date calls for.
 */
import { describe, expect, it } from 'vitest';
import { ingestCommand } from '../../src/cli/commands/ingest.js';
import { ackDir, build834, count, member, memberNamed, subscriber, useEnrollmentDb, writeTemp, NOW } from '../enrollment/build834.js';
import { runCommand } from '../membership/run-command.js';

const SUB = '900000001';
// Covered from 2026-06-01; then a termination dated 2027-06-30.
const ADD = build834([subscriber(SUB, { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20260601' }] })]);
const TERM = build834([
  member({ sub: SUB, mt: '024', employment: 'TE', last: 'SAMPLE', first: 'ALEX', dates: [['357', '20270630']], coverages: [{ line: 'HLT', plan: 'PPO01', begin: null, end: '20270630' }] }),
]);

describe('ingest --received-at (PostgreSQL)', () => {
  const db = useEnrollmentDb();
  const files = { add: '', term: '' };
  const paths = (): { add: string; term: string } => {
    files.add ||= writeTemp(ADD, 'add.x12');
    files.term ||= writeTemp(TERM, 'term.x12');
    return files;
  };

  it('applies a replayed file as of its given receipt: no retro charge 9 days after the start, a termination 13 months ahead held', async () => {
    const add = await runCommand(db(), ingestCommand, [paths().add, '--ack-dir', ackDir(), '--received-at', '2026-06-10T09:00:00Z']);
    expect(add.err).toBe('');
    expect(add.code).toBe(0);
    expect(add.out).toContain('\n  received 2026-06-10T09:00:00.000Z (given with --received-at, not observed: the date rules count from it)\n');
    expect(add.out).toMatch(/added 1, changed 0/);
    // Begun 9 days before receipt: not retroactive (30 days), so nothing to bill back.
    expect(await count(db(), 'retro_adjustment')).toBe(0);

    const term = await runCommand(db(), ingestCommand, [paths().term, '--ack-dir', ackDir(), '--received-at', '2026-06-12T09:00:00+02:00', '--json']);
    expect(term.code).toBe(0);
    const r = JSON.parse(term.out);
    expect(r).toMatchObject({ status: 'processed', receivedAt: '2026-06-12T07:00:00.000Z', receivedAtSource: 'given', exceptions: { 'invalid-termination-date': 1 } });
    // More than a year after 2026-06-12: held, nothing changed.
    expect((await memberNamed(db(), 'ALEX')).eligibility_end).toBeNull();
    const ex = await db().query<{ received_at: Date; due_at: Date }>('select received_at, due_at from exception');
    expect(ex.rows).toEqual([{ received_at: new Date('2026-06-12T07:00:00Z'), due_at: new Date('2026-06-14T07:00:00Z') }]);

    const rows = await db().query<{ received_at: Date; received_at_source: string }>('select received_at, received_at_source from inbound_file order by id');
    expect(rows.rows).toEqual([
      { received_at: new Date('2026-06-10T09:00:00Z'), received_at_source: 'given' },
      { received_at: new Date('2026-06-12T07:00:00Z'), received_at_source: 'given' },
    ]);
  });

  it('applies the same files as of today when no receipt time is given: a retro charge, the termination taken', async () => {
    const add = await runCommand(db(), ingestCommand, [paths().add, '--ack-dir', ackDir()]);
    expect(add.code).toBe(0);
    expect(add.out).toContain(`\n  received ${NOW.toISOString()}\n`);
    const retro = await db().query('select kind, status from retro_adjustment');
    expect(retro.rows).toEqual([{ kind: 'charge', status: 'pending' }]);
    const term = await runCommand(db(), ingestCommand, [paths().term, '--ack-dir', ackDir()]);
    expect(term.code).toBe(0);
    expect((await memberNamed(db(), 'ALEX')).eligibility_end).toBe('2027-06-30');
    const rows = await db().query<{ received_at_source: string }>('select received_at_source from inbound_file order by id');
    expect(rows.rows).toEqual([{ received_at_source: 'observed' }, { received_at_source: 'observed' }]);
  });

  it('refuses a receipt time that is not a full ISO timestamp, or is in the future (exit 2, nothing stored)', async () => {
    for (const bad of ['garbage', '2026-06-10', '2026-06-10T09:00:00', '2026-02-30T09:00:00Z', '1999-12-31T23:59:59Z', '2026-11-23T12:06:00Z', '2030-01-01T00:00:00Z']) {
      const r = await runCommand(db(), ingestCommand, [paths().add, '--ack-dir', ackDir(), '--received-at', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.err, bad).toMatch(/^--received-at: .+\nusage: edibridge ingest/);
      expect(r.err).not.toContain(bad);
    }
    expect(await count(db(), 'inbound_file')).toBe(0);
    // A few minutes ahead of the clock is skew, not the future.
    const skew = await runCommand(db(), ingestCommand, [paths().add, '--ack-dir', ackDir(), '--received-at', '2026-11-23T12:04:00Z']);
    expect(skew.code).toBe(0);
  });
});
