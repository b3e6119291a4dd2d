/**
 * The queue's actions through the command, on PGlite with the sample reference data: assign,
 * comment, resolve with a reason, reject, bulk by shared cause, history of each, a final item
 * refused without stopping the rest, due-soon and overdue flags, and the report by age,
 * partner and category (CSV).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exceptionsCommand } from '../../src/cli/commands/exceptions.js';
import { ingestCommand } from '../../src/cli/commands/ingest.js';
import { recordExceptions } from '../../src/exceptions/store.js';
import { runCommand } from '../membership/run-command.js';
import { SAMPLES, useSampleDb } from '../support/sample-db.js';

const db = useSampleDb();

describe('exception queue actions', () => {
  it('assign, comment, resolve, reject and bulk-resolve, each in the item history', async () => {
    // The sample open enrollment, received 2026-11-23 (build834 clock), queues retro items.
    expect((await runCommand(db(), ingestCommand, [join(SAMPLES, 'enrollment-834-open-enrollment.x12'), '--received-at', '2026-11-23T09:00:00Z'])).code).toBe(0);
    const file = (await db().query<{ id: string }>('select id::text as id from inbound_file order by id limit 1')).rows[0]!.id;
    await recordExceptions(db(), [
      { category: 'other', fileId: file, setControl: '0001', segmentPosition: 7, description: 'A question for the employer.' },
      { category: 'other', fileId: file, setControl: '0001', segmentPosition: 9, description: 'Another question for the employer.' },
    ]);
    const list = JSON.parse((await runCommand(db(), exceptionsCommand, ['list', '--json'])).out) as Array<{ id: string; category: string; dueSoon: boolean }>;
    const retro = list.filter((e) => e.category === 'retro-beyond-six-months').map((e) => e.id);
    const [q1, q2] = list.filter((e) => e.category === 'other').map((e) => e.id);
    expect(retro.length).toBeGreaterThan(0);

    const assigned = await runCommand(db(), exceptionsCommand, ['assign', q1!, q2!, '--to', 'dana', '--as', 'lee', '--note', 'employer questions']);
    expect(assigned.code, assigned.err).toBe(0);
    expect(assigned.out).toBe(`#${q1}: open, owner dana\n#${q2}: open, owner dana\n`);
    expect((await runCommand(db(), exceptionsCommand, ['comment', q1!, '--note', 'called HR, waiting', '--as', 'dana'])).code).toBe(0);
    expect((await runCommand(db(), exceptionsCommand, ['resolve', q1!, '--reason', 'HR confirmed the date', '--as', 'dana'])).code).toBe(0);
    expect((await runCommand(db(), exceptionsCommand, ['reject', q2!, '--reason', 'duplicate of the first', '--as', 'dana'])).code).toBe(0);
    const shown = JSON.parse((await runCommand(db(), exceptionsCommand, ['show', q1!, '--json'])).out) as { state: string; owner: string; history: Array<{ actor: string; kind: string; fromState: string | null; toState: string; note: string | null }> };
    expect(shown).toMatchObject({ state: 'resolved', owner: 'dana' });
    expect(shown.history.map((h) => [h.actor, h.kind, h.fromState, h.toState, h.note])).toEqual([
      ['edibridge', 'state', null, 'open', 'opened'],
      ['lee', 'assign', 'open', 'open', 'assigned to dana: employer questions'],
      ['dana', 'comment', 'open', 'open', 'called HR, waiting'],
      ['dana', 'state', 'open', 'resolved', 'HR confirmed the date'],
    ]);

    // A final item is refused; the others of the same command are done (exit 1 says so).
    const again = await runCommand(db(), exceptionsCommand, ['resolve', q1!, retro[0]!, '--reason', 'billed by hand', '--as', 'dana']);
    expect(again.code).toBe(1);
    expect(again.out).toContain(`#${q1}: refused: exception ${q1} cannot go from resolved to resolved`);
    expect(again.out).toContain(`#${retro[0]}: resolved`);

    // Bulk: every open item that shares the cause.
    const bulk = await runCommand(db(), exceptionsCommand, ['resolve', '--category', 'retro-beyond-six-months', '--file', file, '--reason', 'discretionary billing agreed with the employer', '--as', 'dana', '--json']);
    expect(bulk.code, bulk.err).toBe(0);
    expect((JSON.parse(bulk.out) as unknown[]).length).toBe(retro.length - 1);
    expect(JSON.parse((await runCommand(db(), exceptionsCommand, ['list', '--state', 'open', '--json'])).out)).toEqual([]);
    expect((await runCommand(db(), exceptionsCommand, ['assign', q1!, '--to', 'sam'])).code).toBe(1);
  });

  it('flags items due within 8 hours and overdue ones, and reports by age, partner and category', async () => {
    const file = (await db().query<{ id: string }>("insert into inbound_file (partner, file_name, sha256, size_bytes, status) values ('summit-tpa', 'sla.x12', repeat('5', 64), 1, 'processed') returning id::text as id")).rows[0]!.id;
    // build834's clock is 2026-11-23T12:00Z: received 45 h before is due in 3 h; 50 h before is overdue.
    await recordExceptions(db(), [
      { category: 'unknown-group', fileId: file, segmentPosition: 3, description: 'Group not on file.', receivedAt: new Date('2026-11-21T15:00:00Z') },
      { category: 'unknown-plan', fileId: file, segmentPosition: 4, description: 'Plan not offered.', receivedAt: new Date('2026-11-21T10:00:00Z') },
    ]);
    const table = (await runCommand(db(), exceptionsCommand, ['list', '--partner', 'summit-tpa'])).out;
    expect(table).toMatch(/Group number not on file.*due soon/);
    expect(table).toMatch(/Plan not offered by this group.*OVERDUE/);
    const report = JSON.parse((await runCommand(db(), exceptionsCommand, ['report', '--json'])).out) as { dueSoon: number; overdue: number; byAge: Record<string, number>; byPartner: Record<string, number>; overdueItems: Array<{ category: string }> };
    expect(report).toMatchObject({ dueSoon: 1, overdue: 1, byAge: { '40-48h': 1, overdue: 1 }, byPartner: { 'summit-tpa': 2 } });
    expect(report.overdueItems.map((o) => o.category)).toEqual(['unknown-plan']);
    const csv = (await runCommand(db(), exceptionsCommand, ['report', '--csv'])).out;
    expect(csv).toContain('age,overdue,1');
    expect(csv).toContain('partner,summit-tpa,2');
    expect(csv).toMatch(/\n\d+,unknown-plan,summit-tpa,,2026-11-23T10:00:00.000Z,\n/);
  });

  it('refuses usage errors with exit 2', async () => {
    for (const argv of [['assign', '1'], ['assign', '--to', 'x'], ['comment', '1'], ['resolve', '1'], ['show'], ['show', 'abc'], ['resolve', '1', '--category', 'other', '--reason', 'r'], ['report', '--csv', '--json']]) {
      expect((await runCommand(db(), exceptionsCommand, argv)).code, argv.join(' ')).toBe(2);
    }
  });
});
