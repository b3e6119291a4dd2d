/**
 * Loading reference data into both adapters (in-memory PGlite; PostgreSQL at
 * TEST_DATABASE_URL when it answers): counts, idempotence, updates and removals, and that a
 * refused file or a failed load leaves the database exactly as it was.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { DbError } from '../../src/db/errors.js';
import { migrate } from '../../src/db/migrate.js';
import { ReferenceDataError, parseReferenceData, parseReferenceText, readReferenceFile } from '../../src/reference/load-file.js';
import type { ReferenceData } from '../../src/reference/schema.js';
import { REFERENCE_TABLES, countReferenceRows, findPartnerByIsa, loadReferenceData } from '../../src/reference/store.js';
import { REQUIRE_PG, TEST_DATABASE_URL, pgHarness, pgliteHarness, probePg, redactUrl, useTestDb, type DbHarness } from '../db/harness.js';
import { useTempDirs } from '../support/tmp.js';

const SAMPLE = fileURLToPath(new URL('../../samples/reference-data.yaml', import.meta.url));
const tempDir = useTempDirs();

function sampleInput(): Record<string, any> {
  return parseReferenceText(readFileSync(SAMPLE, 'utf8'), 'yaml', SAMPLE) as Record<string, any>;
}

const SAMPLE_TOTALS = {
  trading_partner: 2,
  employer_group: 3,
  group_subgroup: 5,
  group_class: 6,
  plan: 4,
  plan_rate: 20,
  group_plan: 9,
  group_plan_name: 2,
};

/** Every reference row, in a stable order: the database "exactly as it was". */
async function snapshot(db: Db): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of REFERENCE_TABLES) {
    out[t] = (await db.query(`select * from ${t} t order by t::text`)).rows;
  }
  return out;
}

async function wipe(db: Db): Promise<void> {
  await db.exec('delete from group_plan_name; delete from group_plan; delete from group_class; delete from group_subgroup; delete from plan_rate; delete from employer_group; delete from plan; delete from trading_partner;');
}

function describeReferenceStore(kind: Db['kind'], harness: () => DbHarness): void {
  const db = (): Db => harness().db;

  beforeAll(async () => {
    await migrate(db());
  });
  beforeEach(async () => {
    await wipe(db());
  });

  it(`loads the sample (${kind})`, async () => {
    const counts = await loadReferenceData(db(), await readReferenceFile(SAMPLE));
    for (const t of REFERENCE_TABLES) {
      expect(counts[t], t).toEqual({ inserted: SAMPLE_TOTALS[t], updated: 0, deleted: 0, total: SAMPLE_TOTALS[t] });
    }
    expect(await countReferenceRows(db())).toEqual(SAMPLE_TOTALS);
    const groups = await db().query('select * from employer_group order by group_number');
    expect(groups.rows).toEqual([
      { group_number: 'GRP10045', name: 'Acme Widgets Inc', partner_id: 'acme', billing_day: 1, billing_cycle: 'monthly', cobra_self_administered: true, omitted_members: 'review', payment_tolerance_cents: '100', terminated_on: null, full_file_hold_percent: '5.00' },
      { group_number: 'GRP20311', name: 'Riverside Dental Associates PC', partner_id: 'summit-tpa', billing_day: 15, billing_cycle: 'monthly', cobra_self_administered: false, omitted_members: 'terminate', payment_tolerance_cents: '500', terminated_on: null, full_file_hold_percent: '5.00' },
      { group_number: 'GRP30007', name: 'Lakeside Community Credit Union', partner_id: 'summit-tpa', billing_day: 20, billing_cycle: 'quarterly', cobra_self_administered: false, omitted_members: 'review', payment_tolerance_cents: '100', terminated_on: null, full_file_hold_percent: '5.00' },
    ]);
    const cls = await db().query("select code, effective_from, effective_to from group_class where group_number = 'GRP30007'");
    expect(cls.rows).toEqual([{ code: '1001', effective_from: '1900-01-01', effective_to: null }]);
    const rate = await db().query(
      "select monthly_rate, effective_from, effective_to from plan_rate where plan_id = 'PPO01' and coverage_level = 'EMP' order by effective_from",
    );
    expect(rate.rows).toEqual([
      { monthly_rate: '512.40', effective_from: '2026-01-01', effective_to: '2026-12-31' },
      { monthly_rate: '538.02', effective_from: '2027-01-01', effective_to: null },
    ]);
  });

  it('finds a partner by ISA qualifier and (padded) sender ID', async () => {
    await loadReferenceData(db(), await readReferenceFile(SAMPLE));
    const acme = await findPartnerByIsa(db(), 'ZZ', 'ACMEEMPLOYER   ');
    expect(acme).toEqual({
      id: 'acme',
      name: 'Acme Widgets Inc',
      isaQualifier: 'ZZ',
      isaId: 'ACMEEMPLOYER',
      gsId: 'ACMEEMPLOYER',
      receiverIsaQualifier: 'ZZ',
      receiverIsaId: 'EDIBRIDGEPLAN',
      receiverGsId: 'EDIBRIDGEPLAN',
      transactionSets: ['834', '820'],
    });
    expect(await findPartnerByIsa(db(), '01', 'ACMEEMPLOYER')).toBeUndefined();
    expect(await findPartnerByIsa(db(), 'ZZ', 'STRANGER')).toBeUndefined();
  });

  it('changes nothing when the same file is loaded again', async () => {
    const data = await readReferenceFile(SAMPLE);
    await loadReferenceData(db(), data);
    const before = await snapshot(db());
    const again = await loadReferenceData(db(), data);
    for (const t of REFERENCE_TABLES) expect(again[t], t).toEqual({ inserted: 0, updated: 0, deleted: 0, total: SAMPLE_TOTALS[t] });
    expect(await snapshot(db())).toEqual(before);
  });

  it('updates changed rows and removes rows the file no longer lists', async () => {
    await loadReferenceData(db(), await readReferenceFile(SAMPLE));
    const d = sampleInput();
    d['partners'][1].name = 'Summit Benefit Administrators'; // update
    d['groups'].splice(2, 1); // GRP30007: its 2 subgroups, default class and 4 plans go too
    d['groups'][0].subgroups.pop(); // one subgroup fewer
    d['groups'][0].classes.push({ code: '4001', description: 'Interns', effective: { from: '2026-06-01' } });
    d['groups'][1].omitted_members = 'review';
    d['plans'][3].rates[0].monthly_rate = 7.25; // VIS01 EMP
    d['plans'].splice(3, 1); // VIS01 goes after all, with its 4 rates and its group_plan rows
    d['groups'][0].plans = ['PPO01', 'DEN01'];
    const counts = await loadReferenceData(db(), parseReferenceData(d));
    expect(counts).toEqual({
      trading_partner: { inserted: 0, updated: 1, deleted: 0, total: 2 },
      employer_group: { inserted: 0, updated: 1, deleted: 1, total: 2 },
      group_subgroup: { inserted: 0, updated: 0, deleted: 3, total: 2 },
      group_class: { inserted: 1, updated: 0, deleted: 1, total: 6 },
      plan: { inserted: 0, updated: 0, deleted: 1, total: 3 },
      plan_rate: { inserted: 0, updated: 0, deleted: 4, total: 16 },
      group_plan: { inserted: 0, updated: 0, deleted: 5, total: 4 },
      group_plan_name: { inserted: 0, updated: 0, deleted: 0, total: 2 },
    });
    const g = await db().query<{ omitted_members: string }>("select omitted_members from employer_group where group_number = 'GRP20311'");
    expect(g.rows).toEqual([{ omitted_members: 'review' }]);
    // A changed rate is an update of that row.
    const d2 = sampleInput();
    d2['plans'][2].rates[0].monthly_rate = '39.00';
    await loadReferenceData(db(), await readReferenceFile(SAMPLE));
    const c2 = await loadReferenceData(db(), parseReferenceData(d2));
    expect(c2.plan_rate).toEqual({ inserted: 0, updated: 1, deleted: 0, total: 20 });
    const r = await db().query("select monthly_rate from plan_rate where plan_id = 'DEN01' and coverage_level = 'EMP'");
    expect(r.rows).toEqual([{ monthly_rate: '39.00' }]);
  });

  const invalid: [string, (d: Record<string, any>) => void, RegExp][] = [
    ['an unknown partner on a group', (d) => (d['groups'][1].partner = 'nobody'), /groups\[1\]\.partner: /],
    ['a duplicate group number', (d) => (d['groups'][2].group_number = 'GRP20311'), /groups\[2\]\.group_number: /],
    ['a bad date', (d) => (d['groups'][0].classes[0].effective.from = '2026-04-31'), /groups\[0\]\.classes\[0\]\.effective\.from: /],
    ['a rate with 3 decimals', (d) => (d['plans'][0].rates[2].monthly_rate = 973.555), /plans\[0\]\.rates\[2\]\.monthly_rate: /],
    ['billing day 31', (d) => (d['groups'][2].billing.day = 31), /groups\[2\]\.billing\.day: /],
    ['an unknown coverage level', (d) => (d['plans'][1].rates[0].coverage_level = 'EMX'), /plans\[1\]\.rates\[0\]\.coverage_level: /],
  ];
  it.each(invalid)('refuses a file with %s, naming the path, and changes nothing', async (_name, mutate, path) => {
    await loadReferenceData(db(), await readReferenceFile(SAMPLE));
    // Something the file would change, to see that it did not.
    const d = sampleInput();
    d['groups'][1].subgroups.pop();
    d['plans'][0].name = 'Renamed';
    mutate(d);
    const before = await snapshot(db());
    const dir = tempDir('ref');
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(d));
    const err = await readReferenceFile(file).then(
      (data) => loadReferenceData(db(), data),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ReferenceDataError);
    expect((err as ReferenceDataError).message).toMatch(path);
    expect(await snapshot(db())).toEqual(before);
    expect(await countReferenceRows(db())).toEqual(SAMPLE_TOTALS);
  });

  it('rolls back everything when the database refuses part of a load', async () => {
    await loadReferenceData(db(), await readReferenceFile(SAMPLE));
    const before = await snapshot(db());
    const d = parseReferenceData(sampleInput());
    // Bypass the schema: a rate the database's check refuses, after partners, groups and
    // plans have been upserted and stale rows deleted.
    const bad = structuredClone(d) as ReferenceData;
    bad.groups.splice(1, 1);
    bad.partners[0] = { ...bad.partners[0]!, name: 'Changed' };
    (bad.plans[0]!.rates[0] as { coverage_level: string }).coverage_level = 'XXX';
    const err = await loadReferenceData(db(), bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DbError);
    expect((err as DbError).sqlState).toBe('23514');
    expect(await snapshot(db())).toEqual(before);
  });

  it('loads a JSON file exactly like the YAML one', async () => {
    const yaml = await readReferenceFile(SAMPLE);
    const dir = tempDir('ref');
    const file = join(dir, 'reference-data.json');
    writeFileSync(file, JSON.stringify(sampleInput(), null, 2));
    const json = await readReferenceFile(file);
    expect(json).toEqual(yaml);
    const first = await loadReferenceData(db(), json);
    expect(first.plan_rate.inserted).toBe(20);
    const fromYaml = await loadReferenceData(db(), yaml);
    for (const t of REFERENCE_TABLES) expect(fromYaml[t], t).toEqual({ inserted: 0, updated: 0, deleted: 0, total: SAMPLE_TOTALS[t] });
  });
}

describe('reference data on pglite', () => {
  const harness = useTestDb(pgliteHarness);
  describeReferenceStore('pglite', harness);
});

const probe = await probePg(TEST_DATABASE_URL);
if (!probe.ok) {
  console.warn(`PostgreSQL is not reachable at ${redactUrl(TEST_DATABASE_URL)} (${probe.reason}): the pg reference data tests are ${REQUIRE_PG ? 'failed' : 'skipped'}.`);
  describe('reference data on pg', () => {
    if (REQUIRE_PG) it('has a PostgreSQL server to test against', () => { throw new Error(probe.reason); });
    else it.skip('skipped: PostgreSQL not reachable', () => {});
  });
} else {
  describe('reference data on pg', () => {
    const harness = useTestDb(pgHarness);
    describeReferenceStore('pg', harness);
  });
}
