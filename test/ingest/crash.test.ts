/**
 * Crash safety against real PostgreSQL: `kill -9` of an `edibridge ingest` process in the
 * middle of a multi-set file leaves every transaction set applied wholly or not at all;
 * running the same command again resumes, finishes the file and doubles nothing.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createPgDb } from '../../src/db/pg.js';
import { migrate } from '../../src/db/migrate.js';
import { readReferenceFile } from '../../src/reference/load-file.js';
import { loadReferenceData } from '../../src/reference/store.js';
import { REQUIRE_PG, TEST_DATABASE_URL, pgHarness, probePg, useTestDb } from '../db/harness.js';
import { useTempDirs } from '../support/tmp.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/edibridge.js');
const SETS = 10;
const PER_SET = 4000;
const KEY = Buffer.alloc(32, 9).toString('base64');
const tempDir = useTempDirs();

const available = await probePg(TEST_DATABASE_URL);
if (!available.ok && REQUIRE_PG) throw new Error(`PostgreSQL is required (EDIBRIDGE_REQUIRE_PG=1): ${available.reason}`);

/** A multi-set 834 from acme for GRP10045: families of a subscriber and a child, all adds. */
function bigFile(): string {
  const sets: string[] = [];
  let family = 0;
  for (let s = 1; s <= SETS; s++) {
    const control = String(s).padStart(4, '0');
    const segs = [`ST*834*${control}*005010X220A1`, `BGN*00*CRASH-${control}*20261101*0900****2`, 'REF*38*GRP10045', 'DTP*007*D8*20261101',
      'N1*P5*ACME WIDGETS INC*FI*123456789', 'N1*IN*EDIBRIDGE HEALTH PLAN*FI*987654321'];
    for (let m = 0; m < PER_SET; m += 2) {
      const sub = `7${String(++family).padStart(8, '0')}`;
      segs.push(`INS*Y*18*021*28*A***FT`, `REF*0F*${sub}`, `DTP*356*D8*20261101`, `NM1*IL*1*CRASHTEST*PAT****34*${sub}`,
        'N3*1 EXAMPLE STREET', 'N4*SPRINGFIELD*IL*62701', 'DMG*D8*19800101*F', 'HD*021**HLT*PPO01*ECH', 'DTP*348*D8*20261101');
      segs.push(`INS*N*19*021*28*A`, `REF*0F*${sub}`, 'NM1*IL*1*CRASHTEST*KIM', 'DMG*D8*20100101*M', 'HD*021**HLT*PPO01*ECH', 'DTP*348*D8*20261101');
    }
    segs.push(`SE*${segs.length + 1}*${control}`);
    sets.push(segs.join('~'));
  }
  const isa = 'ISA*00*          *00*          *ZZ*ACMEEMPLOYER   *ZZ*EDIBRIDGEPLAN  *261101*0900*^*00501*000077001*0*T*:';
  return `${isa}~GS*BE*ACMEEMPLOYER*EDIBRIDGEPLAN*20261101*0900*77001*X*005010X220A1~${sets.join('~')}~GE*${SETS}*77001~IEA*1*000077001~`;
}

describe.skipIf(!available.ok)('crash safety (kill -9 mid-ingest, PostgreSQL)', () => {
  const h = useTestDb(() => pgHarness());

  it('every set is applied wholly or not at all, and a rerun finishes without doubling', async () => {
    const schema = h().freshSchemaName();
    const { db } = h();
    await migrate(db, { schema });
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const env = { ...process.env, DATABASE_URL: url.toString(), EDIBRIDGE_PHI_KEY: KEY };
    const ref = await readReferenceFile(join(ROOT, 'samples/reference-data.yaml'));
    const scoped = createPgDb({ connectionString: TEST_DATABASE_URL, searchPath: schema, max: 2 });
    onTestFinished(() => scoped.close());
    const q = async (sql: string): Promise<number> => Number((await scoped.query<{ n: string }>(sql.replaceAll('S.', ''))).rows[0]!.n);
    await loadReferenceData(scoped, ref);
    const dir = tempDir('crash');
    const file = join(dir, 'big-834.x12');
    writeFileSync(file, bigFile());
    const run = (): ReturnType<typeof spawn> => spawn(process.execPath, [BIN, 'ingest', file, '--ack-dir', join(dir, 'acks')], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });

    // First run: killed with SIGKILL once some, but not all, sets are committed.
    const first = run();
    const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    let committed = 0;
    for (let i = 0; i < 6000 && committed < 3; i++) {
      await new Promise((r) => setTimeout(r, 10));
      committed = await q("select count(*)::text as n from S.inbound_set where status = 'applied'").catch(() => 0);
    }
    first.kill('SIGKILL');
    await exited;
    const setsAfterCrash = await q("select count(*)::text as n from S.inbound_set where status = 'applied'");
    expect(setsAfterCrash, 'the crash must come mid-file').toBeGreaterThanOrEqual(3);
    expect(setsAfterCrash).toBeLessThan(SETS);
    // Whole sets only: members = committed sets × members per set, history likewise.
    expect(await q('select count(*)::text as n from S.member')).toBe(setsAfterCrash * PER_SET);
    expect(await q("select count(*)::text as n from S.member_history where set_control not in (select set_control from S.inbound_set)")).toBe(0);
    expect(await q("select count(*)::text as n from S.inbound_file where status = 'processing'")).toBe(1);

    // Second run: resumes, applies the rest, doubles nothing.
    const second = run();
    let out = '';
    second.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => second.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(out).toMatch(/resumed an interrupted ingest/);
    expect(out).toContain(`${setsAfterCrash} sets applied by the earlier run`);
    expect(await q("select count(*)::text as n from S.inbound_set where status = 'applied'")).toBe(SETS);
    expect(await q('select count(*)::text as n from S.member')).toBe(SETS * PER_SET);
    expect(await q('select count(*)::text as n from (select group_number, subscriber_number, relationship from S.member group by 1, 2, 3 having count(*) > 1) d')).toBe(0);
    expect(await q("select count(*)::text as n from S.member_history where action = 'add'")).toBe(SETS * PER_SET);
    expect(await q("select count(*)::text as n from S.inbound_file where status = 'processed'")).toBe(1);

    // Third run: the same bytes again change nothing.
    const third = run();
    let out3 = '';
    third.stdout!.on('data', (d: Buffer) => (out3 += d.toString()));
    expect(await new Promise((resolve) => third.on('exit', resolve))).toBe(0);
    expect(out3).toMatch(/duplicate/);
    expect(await q('select count(*)::text as n from S.member')).toBe(SETS * PER_SET);
  }, 180_000);
});
