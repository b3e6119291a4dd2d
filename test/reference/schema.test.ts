/** The reference data file's schema: defaults, code lists, and every problem reported by path. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EdiBridgeError } from '../../src/core/errors.js';
import { formatPath } from '../../src/core/issues.js';
import { ReferenceDataError, parseReferenceData, parseReferenceText } from '../../src/reference/load-file.js';
import { COVERAGE_LEVELS, INSURANCE_LINES, isIsoDate } from '../../src/reference/schema.js';

const SAMPLE = fileURLToPath(new URL('../../samples/reference-data.yaml', import.meta.url));
const GUIDE = fileURLToPath(new URL('../../schemas/x12/834.005010X220A1.json', import.meta.url));

/** The sample as plain data, to mutate. */
function sampleInput(): Record<string, any> {
  return parseReferenceText(readFileSync(SAMPLE, 'utf8'), 'yaml', SAMPLE) as Record<string, any>;
}

function issuesOf(input: unknown): readonly string[] {
  try {
    parseReferenceData(input, 'test.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ReferenceDataError);
    expect((err as EdiBridgeError).code).toBe('CONFIG_INVALID');
    return (err as ReferenceDataError).issues;
  }
  throw new Error('expected the data to be refused');
}

describe('reference data schema', () => {
  it('accepts the sample, applying defaults', () => {
    const data = parseReferenceData(sampleInput());
    expect(data.partners.map((p) => p.id)).toEqual(['acme', 'summit-tpa']);
    const [acme, riverside, lakeside] = data.groups;
    expect(acme?.cobra_self_administered).toBe(true);
    expect(riverside?.omitted_members).toBe('terminate');
    expect(lakeside?.omitted_members).toBe('review');
    expect(lakeside?.cobra_self_administered).toBe(false);
    expect(lakeside?.classes).toEqual([{ code: '1001', description: 'Default class', effective: { from: '1900-01-01' } }]);
    expect(data.plans[0]?.rates[0]?.monthly_rate).toBe('512.40');
    expect(riverside?.plan_names).toEqual([
      { name: 'BRONZE HMO 5000', plan: 'HMO10' },
      { name: 'DENTAL PLUS PPO', plan: 'DEN01' },
    ]);
    expect(lakeside?.plan_names).toEqual([]);
  });

  it('accepts one name on two lines for two plans, and a name that is a plan id on another line', () => {
    const d = sampleInput();
    d['groups'][2].plan_names = [
      { name: 'GOLD', plan: 'PPO01' },
      { name: 'gold', plan: 'DEN01' },
      { name: 'VIS01', plan: 'HMO10' },
    ];
    expect(parseReferenceData(d).groups[2]?.plan_names).toHaveLength(3);
  });

  it('uses the HD03 and HD05 code lists of the 005010X220A1 guide', () => {
    const guide = readFileSync(GUIDE, 'utf8');
    const codes = (name: string): string[] => {
      const m = new RegExp(`"name": "${name}", "usage": "[A-Z]", "codes": (\\[[^\\]]*\\])`).exec(guide);
      return JSON.parse(m?.[1] ?? '[]') as string[];
    };
    expect([...INSURANCE_LINES]).toEqual(codes('Insurance Line Code'));
    expect([...COVERAGE_LEVELS]).toEqual(codes('Coverage Level Code'));
  });

  it('checks dates are real calendar dates', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('2026-1-01')).toBe(false);
  });

  it('formats paths as groups[2].classes[0].effective.from', () => {
    expect(formatPath(['groups', 2, 'classes', 0, 'effective', 'from'])).toBe('groups[2].classes[0].effective.from');
    expect(formatPath([])).toBe('(top level)');
  });

  const cases: [string, (d: Record<string, any>) => void, RegExp][] = [
    ['unknown partner on a group', (d) => (d['groups'][1].partner = 'nobody'), /^groups\[1\]\.partner: names no partner/],
    ['duplicate group number', (d) => (d['groups'][2].group_number = 'GRP10045'), /^groups\[2\]\.group_number: duplicate group number \(same as groups\[0\]\)/],
    ['bad date', (d) => (d['groups'][0].classes[1].effective.from = '2026-02-30'), /^groups\[0\]\.classes\[1\]\.effective\.from: must be a real date/],
    ['to before from', (d) => (d['groups'][0].classes[2].effective.to = '2025-12-31'), /^groups\[0\]\.classes\[2\]\.effective\.to: must not be before from/],
    ['rate with 3 decimals', (d) => (d['plans'][2].rates[1].monthly_rate = 76.505), /^plans\[2\]\.rates\[1\]\.monthly_rate: must have at most 2 decimals/],
    ['negative rate', (d) => (d['plans'][2].rates[1].monthly_rate = -1), /^plans\[2\]\.rates\[1\]\.monthly_rate: must not be negative/],
    ['billing day 31', (d) => (d['groups'][1].billing.day = 31), /^groups\[1\]\.billing\.day: must be from 1 to 28/],
    ['unknown coverage level', (d) => (d['plans'][0].rates[3].coverage_level = 'XYZ'), /^plans\[0\]\.rates\[3\]\.coverage_level: must be an HD05 coverage level/],
    ['unknown insurance line', (d) => (d['plans'][3].insurance_line = 'EYE'), /^plans\[3\]\.insurance_line: must be an HD03 insurance line/],
    ['duplicate class code', (d) => (d['groups'][0].classes[1].code = '1001'), /^groups\[0\]\.classes\[1\]\.code: duplicate class code in this group \(same as groups\[0\]\.classes\[0\]\)/],
    ['duplicate subgroup code', (d) => (d['groups'][2].subgroups[1].code = 'MAIN'), /^groups\[2\]\.subgroups\[1\]\.code: duplicate subgroup code/],
    ['duplicate partner id', (d) => (d['partners'][1].id = 'acme'), /^partners\[1\]\.id: duplicate partner id/],
    ['unknown plan on a group', (d) => d['groups'][0].plans.push('NOPE'), /^groups\[0\]\.plans\[3\]: names no plan/],
    ['overlapping rates', (d) => (d['plans'][0].rates[4].effective.from = '2026-12-01'), /^plans\[0\]\.rates\[4\]\.effective: overlaps plans\[0\]\.rates\[0\]/],
    ['misspelt key', (d) => (d['groups'][0].omited_members = 'terminate'), /^groups\[0\]: Unrecognized key/],
    ['bad omission policy', (d) => (d['groups'][0].omitted_members = 'delete'), /^groups\[0\]\.omitted_members: must be one of terminate, review/],
    // GRP20311 offers HMO10 (HLT) and DEN01 (DEN); its sample plan_names are BRONZE HMO 5000 and DENTAL PLUS PPO.
    ['a plan name for a plan the group does not offer', (d) => d['groups'][1].plan_names.push({ name: 'ACME PPO', plan: 'PPO01' }), /^groups\[1\]\.plan_names\[2\]\.plan: names no plan this group offers/],
    ['the same plan name twice on one line, case ignored', (d) => d['groups'][1].plan_names.push({ name: 'Bronze HMO 5000', plan: 'HMO10' }), /^groups\[1\]\.plan_names\[2\]\.name: duplicate plan name on this insurance line, case ignored \(same as groups\[1\]\.plan_names\[0\]\)/],
    ['a plan name that is another offered plan\'s id on its line', (d) => (d['groups'][2].plan_names = [{ name: 'hmo10', plan: 'PPO01' }]), /^groups\[2\]\.plan_names\[0\]\.name: is the id of another plan the group offers on this insurance line/],
    ['a plan name longer than HD04 (50)', (d) => (d['groups'][1].plan_names[0].name = 'B'.repeat(51)), /^groups\[1\]\.plan_names\[0\]\.name: must be at most 50 characters/],
    ['a plan name with padding', (d) => (d['groups'][1].plan_names[0].name = ' BRONZE HMO 5000'), /^groups\[1\]\.plan_names\[0\]\.name: must not be empty or start or end with a space/],
    ['a plan name holding an X12 delimiter', (d) => (d['groups'][1].plan_names[0].name = 'BRONZE*HMO'), /^groups\[1\]\.plan_names\[0\]\.name: must not contain/],
  ];
  it.each(cases)('refuses %s, naming the path', (_name, mutate, expected) => {
    const d = sampleInput();
    mutate(d);
    const issues = issuesOf(d);
    expect(issues.some((i) => expected.test(i)), issues.join('\n')).toBe(true);
  });

  it('lists every problem at once, never quoting values', () => {
    const d = sampleInput();
    d['groups'][0].billing.day = 31;
    d['groups'][1].classes[0].effective.from = 'JANE-DOE-1985';
    d['plans'][1].rates[0].monthly_rate = 455.123;
    let err: unknown;
    try {
      parseReferenceData(d, 'test.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReferenceDataError);
    const e = err as ReferenceDataError;
    expect(e.issues).toHaveLength(3);
    expect(e.message).toMatch(/^invalid reference data in test\.yaml: 3 problems\n {2}- /);
    expect(e.message).not.toContain('JANE');
    expect(e.message).not.toContain('455.123');
    expect(e.context).toEqual({ file: 'test.yaml' });
  });

  it('reports YAML and JSON syntax errors by position only', () => {
    expect(() => parseReferenceText('partners:\n  - id: acme\n   name: [SECRET', 'yaml', 'x.yaml')).toThrow(/not valid YAML/);
    try {
      parseReferenceText('{"partners": [SECRET]}', 'json', 'x.json');
    } catch (e) {
      expect((e as Error).message).toMatch(/not valid JSON/);
      expect((e as Error).message).not.toContain('SECRET');
    }
    expect(() => parseReferenceText('a: 1\na: 2\n', 'yaml', 'x.yaml')).toThrow(ReferenceDataError);
  });
});
