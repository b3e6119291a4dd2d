/**
 * The census on PostgreSQL: family composition counted from the dependents in force, beside
 * the coverage level the file sent (HD05), and a line for each disagreement, e.g. a child
 * held for a person (`unknown-plan`) under a subscriber sent as FAM.
 */
import { describe, expect, it } from 'vitest';
import { censusCommand } from '../../src/cli/commands/members.js';
import { judgeLevel } from '../../src/membership/census.js';
import { build834, categories, dependent, ingest, subscriber, useEnrollmentDb } from '../enrollment/build834.js';
import { runCommand } from './run-command.js';

const hlt = (level: string, plan = 'PPO01') => ({ coverages: [{ line: 'HLT', plan, level }] });

describe('census: family composition beside the coverage level sent (PostgreSQL)', () => {
  const db = useEnrollmentDb();

  it('shows both side by side and explains each difference (a held child, a level not raised)', async () => {
    const r = await ingest(db(), build834([
      // FAM with a spouse and a child in force: agrees.
      subscriber('900000001', hlt('FAM')),
      dependent('900000001', '01', 'JORDAN', '19860530'),
      dependent('900000001', '19', 'RILEY', '20150909'),
      // FAM, but the only child is held (HMO10 is not a plan of the group): no dependent in force.
      subscriber('900000002', hlt('FAM')),
      dependent('900000002', '19', 'HELD', '20150909', hlt('FAM', 'HMO10')),
      subscriber('900000003', hlt('FAM')),
      dependent('900000003', '19', 'HELDTOO', '20160101', hlt('FAM', 'HMO10')),
      // EMP with a spouse in force: the level was not raised.
      subscriber('900000004', hlt('EMP')),
      dependent('900000004', '01', 'SPOUSE', '19870101'),
      // ESP with a spouse: agrees.
      subscriber('900000005', hlt('ESP')),
      dependent('900000005', '01', 'PARTNER', '19880101'),
    ]));
    expect(r.totals).toMatchObject({ added: 9, held: 2 });
    expect(await categories(db())).toEqual(['unknown-plan', 'unknown-plan']);

    const json = await runCommand(db(), censusCommand, ['GRP10045', '--on', '2026-12-01', '--json']);
    expect(json.code).toBe(0);
    const c = JSON.parse(json.out);
    expect(c).toMatchObject({
      subscribers: 5,
      dependents: 4,
      byComposition: { employee: 2, 'employee-spouse': 2, 'employee-children': 0, family: 1 },
      levels: {
        HLT: {
          EMP: { employee: 0, 'employee-spouse': 1, 'employee-children': 0, family: 0 },
          ESP: { employee: 0, 'employee-spouse': 1, 'employee-children': 0, family: 0 },
          FAM: { employee: 2, 'employee-spouse': 0, 'employee-children': 0, family: 1 },
        },
      },
    });
    expect(c.disagreements).toEqual([
      {
        insuranceLine: 'HLT', coverageLevel: 'EMP', spouses: 1, children: 0, subscribers: 1, kind: 'more',
        explanation: '1 subscriber has HLT coverage level EMP but a spouse in force on HLT: the file may not have raised the level when a dependent was added',
      },
      {
        insuranceLine: 'HLT', coverageLevel: 'FAM', spouses: 0, children: 0, subscribers: 2, kind: 'fewer',
        explanation: '2 subscribers have HLT coverage level FAM but no dependent in force on HLT: a dependent may be held for a person (see edibridge exceptions list), ended, or not yet begun, or the file did not lower the level',
      },
    ]);

    const text = await runCommand(db(), censusCommand, ['GRP10045', '--on', '2026-12-01']);
    expect(text.code).toBe(0);
    expect(text.out).toContain('Subscribers by the coverage level sent (HD05) beside the dependents in force on the line:');
    expect(text.out).toContain('\n  line  level    Employee only  Employee + spouse  Employee + children  Family\n');
    expect(text.out).toMatch(/\n {2}HLT {3}FAM +2 +0 +0 +1\n/);
    expect(text.out).toContain('  2 subscribers have HLT coverage level FAM but no dependent in force on HLT: a dependent may be held for a person');
    expect(text.out).toContain('  1 subscriber has HLT coverage level EMP but a spouse in force on HLT');

    // Before coverage begins nobody is in force: nothing to compare.
    const before = JSON.parse((await runCommand(db(), censusCommand, ['GRP10045', '--on', '2026-11-15', '--json'])).out);
    expect(before).toMatchObject({ subscribers: 0, levels: {}, disagreements: [] });
  });

  it('judges a level against the dependents in force', () => {
    expect(judgeLevel('EMP', 0, 0)).toBe('agrees');
    expect(judgeLevel('FAM', 0, 2)).toBe('agrees');
    expect(judgeLevel('FAM', 1, 0)).toBe('fewer');
    expect(judgeLevel('ESP', 0, 1)).toBe('other');
    expect(judgeLevel('ECH', 1, 1)).toBe('more');
    expect(judgeLevel('E2D', 1, 2)).toBe('more');
    expect(judgeLevel('E5D', 0, 0)).toBe('fewer');
    expect(judgeLevel('SPC', 0, 0)).toBeUndefined();
    expect(judgeLevel(null, 0, 0)).toBeUndefined();
  });
});
