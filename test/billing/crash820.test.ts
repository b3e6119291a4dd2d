/**
 * Money is never applied twice, on real PostgreSQL: `kill -9` of an `edibridge ingest` in the
 * middle of a many-set 820 leaves each payment applied wholly or not at all; running the same
 * command again finishes the file, and every line's money is applied exactly once.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { billGroup } from '../../src/billing/invoice.js';
import { groupBalance } from '../../src/billing/statements.js';
import { createPgDb } from '../../src/db/pg.js';
import { migrate } from '../../src/db/migrate.js';
import { loadReferenceData, readReferenceFile } from '../../src/reference/index.js';
import { REQUIRE_PG, TEST_DATABASE_URL, pgHarness, probePg, useTestDb } from '../db/harness.js';
import { useTempDirs } from '../support/tmp.js';
import { build820, type Loop } from './build820.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/edibridge.js');
const SETS = 8;
const PER_SET = 1000;
const EMP_CENTS = 51240;
const tempDir = useTempDirs();

const available = await probePg(TEST_DATABASE_URL);
if (!available.ok && REQUIRE_PG) throw new Error(`PostgreSQL is required (EDIBRIDGE_REQUIRE_PG=1): ${available.reason}`);

describe.skipIf(!available.ok)('crash safety of cash application (kill -9 mid-820, PostgreSQL)', () => {
  const h = useTestDb(() => pgHarness());

  it('each payment is applied wholly or not at all, and a rerun applies the rest exactly once', async () => {
    const schema = h().freshSchemaName();
    await migrate(h().db, { schema });
    const scoped = createPgDb({ connectionString: TEST_DATABASE_URL, searchPath: schema, max: 2 });
    onTestFinished(() => scoped.close());
    await loadReferenceData(scoped, await readReferenceFile(join(ROOT, 'samples/reference-data.yaml')));
    // SETS × PER_SET subscribers in PPO01 EMP from December, and December billed.
    await scoped.query(`insert into inbound_file (partner, file_name, sha256, size_bytes, status) values ('acme', 'setup', repeat('0', 64), 0, 'processed')`);
    await scoped.query(
      `insert into member (group_number, subscriber_number, is_subscriber, relationship, eligibility_begin, created_file_id, updated_file_id)
       select 'GRP10045', 'S' || lpad(n::text, 7, '0'), true, '18', '2026-12-01', 1, 1 from generate_series(1, $1::int) n`,
      [SETS * PER_SET],
    );
    await scoped.query(`insert into coverage (member_id, insurance_line, plan_id, coverage_level, begin_date) select id, 'HLT', 'PPO01', 'EMP', '2026-12-01' from member`);
    const bill = await billGroup(scoped, { group: 'GRP10045', period: '2026-12' });
    expect(bill.activeLines).toBe(SETS * PER_SET);

    const payments = Array.from({ length: SETS }, (_, s) => ({
      trace: `CRASH-820-${s + 1}`,
      loops: Array.from({ length: PER_SET }, (_, i): Loop => ({
        kind: 'individual',
        member: `S${String(s * PER_SET + i + 1).padStart(7, '0')}`,
        rmr: [{ reference: bill.invoiceNumber, paid: (EMP_CENTS / 100).toFixed(2) }],
      })),
    }));
    const dir = tempDir('crash820');
    const file = join(dir, 'big-820.x12');
    writeFileSync(file, build820(payments));
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const env = { ...process.env, DATABASE_URL: url.toString(), EDIBRIDGE_PHI_KEY: Buffer.alloc(32, 9).toString('base64') };
    const run = (): ReturnType<typeof spawn> => spawn(process.execPath, [BIN, 'ingest', file, '--ack-dir', join(dir, 'acks')], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const count = async (sql: string): Promise<number> => Number((await scoped.query<{ n: string }>(sql)).rows[0]!.n);

    const first = run();
    const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    let committed = 0;
    for (let i = 0; i < 6000 && committed < 3; i++) {
      await new Promise((r) => setTimeout(r, 10));
      committed = await count("select count(*)::text as n from inbound_set where transaction_set = '820'").catch(() => 0);
    }
    first.kill('SIGKILL');
    await exited;
    const afterCrash = await count("select count(*)::text as n from inbound_set where transaction_set = '820'");
    expect(afterCrash, 'the crash must come mid-file').toBeGreaterThanOrEqual(3);
    expect(afterCrash).toBeLessThan(SETS);
    // Wholly or not at all: every recorded payment has all its lines, and no line exists without its payment's set.
    expect(await count('select count(*)::text as n from payment')).toBe(afterCrash);
    expect(await count('select count(*)::text as n from payment_allocation')).toBe(afterCrash * PER_SET);

    const second = run();
    let out = '';
    second.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => second.on('exit', (c) => resolve(c)));
    expect(code, out).toBe(0);
    expect(await count('select count(*)::text as n from payment')).toBe(SETS);
    expect(await count("select count(*)::text as n from payment_allocation where disposition = 'applied'")).toBe(SETS * PER_SET);
    expect(await count('select count(distinct member_id)::text as n from payment_allocation')).toBe(SETS * PER_SET);
    expect(await groupBalance(scoped, 'GRP10045')).toMatchObject({ balanceCents: 0, paidCents: SETS * PER_SET * EMP_CENTS, creditCents: 0, suspenseCents: 0 });
  }, 180_000);
});
