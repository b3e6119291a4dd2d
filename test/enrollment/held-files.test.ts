/**
 * Large full files wait for a person (FULLHOLD in src/enrollment/apply/apply-set.ts,
 * src/enrollment/held-files.ts) and `edibridge ingest --dry-run`, on PostgreSQL with the
 * sample reference data and files processed out of a local archive as the service does: a
 * full file ending 3 of 20 members is held (nothing applied, an exception opened, the
 * preview's counts and premium difference), released (applied exactly) or rejected (nothing
 * applied); one ending 1 of 40 is applied at once; a dry run prints what a change file would
 * do and leaves the database as it was.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heldCommand } from '../../src/cli/commands/held.js';
import { ingestCommand } from '../../src/cli/commands/ingest.js';
import type { Io } from '../../src/cli/io.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Db } from '../../src/db/db.js';
import { enrollmentHandler, enrollmentOf } from '../../src/enrollment/handler.js';
import { HeldFileError, getHeldFile, listHeldFiles, rejectHeldFile, releaseHeldFile } from '../../src/enrollment/held-files.js';
import { exceptionHistory, getException } from '../../src/exceptions/store.js';
import { handlerRegistry } from '../../src/ingest/handlers.js';
import type { IngestResult } from '../../src/ingest/ingest.js';
import { processArchivedFile } from '../../src/ingest/process-archived.js';
import { readReferenceFile } from '../../src/reference/index.js';
import { DEFAULT_FULL_FILE_HOLD_PERCENT } from '../../src/reference/schema.js';
import { LocalFolderStore } from '../../src/transport/store/local.js';
import { unclosable } from '../db/harness.js';
import { PHI_KEY_HEX } from '../membership/run-command.js';
import { NOW, SUMMIT, ackDir, build834, count, members, membershipSnapshot, phi, subscriber, useEnrollmentDb, writeTemp, type Sender } from './build834.js';

/** HMO10 EMP in the sample reference data: $455.00 a month. */
const HMO10_EMP_CENTS = 45_500;
const TABLES = ['inbound_file', 'inbound_set', 'member', 'coverage', 'member_history', 'id_card_request', 'retro_adjustment', 'exception', 'exception_event', 'held_full_file', 'outbound_acknowledgement'];

const sub = (i: number): string => `8000000${String(i).padStart(2, '0')}`;

/** A subscriber of GRP20311 (summit-tpa) on HMO10 EMP from 2026-11-01. */
function riverside(i: number): string[] {
  return subscriber(sub(i), { first: `MEMBER${i}`, coverages: [{ line: 'HLT', plan: 'HMO10', level: 'EMP', begin: '20261101' }] });
}

/** A subscriber of GRP10045 (acme) on PPO01 EMP from 2026-11-01. */
function acme(i: number): string[] {
  return subscriber(sub(i), { first: `MEMBER${i}`, coverages: [{ line: 'HLT', plan: 'PPO01', level: 'EMP', begin: '20261101' }] });
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('held full files and dry runs (PostgreSQL)', () => {
  const db = useEnrollmentDb();
  let dir: string;
  let store: LocalFolderStore;
  let files = 0;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'edibridge-held-'));
    store = new LocalFolderStore(join(dir, 'archive'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Archives the text and processes it from the archive as the partner's (the service's path). */
  async function ingestArchived(text: string, partnerId: string): Promise<IngestResult> {
    const key = `inbound/${partnerId}/2026-11-23/held-${++files}.x12`;
    await store.put(key, (async function* () {
      yield Buffer.from(text);
    })());
    const r = await processArchivedFile(
      { db: db(), store, handlers: handlerRegistry(enrollmentHandler({ phi })), now: () => NOW, log: silentLogger(), ackDir: ackDir() },
      { partnerId, key },
    );
    expect(r.status).toBe('processed');
    expect(r.validation?.setsRejected).toBe(0);
    return r;
  }

  /** `n` members on file in the group, then a full file (DTP*007 2026-12-01) listing all but `omit`. */
  async function fullFileOmitting(n: number, omit: number, who: (i: number) => string[], sender: Sender, group: string, partner: string): Promise<IngestResult> {
    await ingestArchived(build834(range(n).map(who), { sender, masterPolicy: group }), partner);
    return ingestArchived(build834(range(n - omit).map(who), { sender, masterPolicy: group, action: 'RX', effective: '20261201' }), partner);
  }

  const deps = (): Parameters<typeof releaseHeldFile>[0] => ({ db: db(), store, phi, now: () => NOW });

  async function rowCounts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const t of TABLES) out[t] = await count(db(), t);
    return out;
  }

  it("holds a full file that would end 3 of a group's 20 members: nothing applied, an exception opened, the preview measured", async () => {
    const first = await ingestArchived(build834(range(20).map(riverside), { sender: SUMMIT, masterPolicy: 'GRP20311' }), 'summit-tpa');
    expect(enrollmentOf(first).totals.added).toBe(20);
    const before = await membershipSnapshot(db());
    const r = await ingestArchived(build834(range(17).map(riverside), { sender: SUMMIT, masterPolicy: 'GRP20311', action: 'RX', effective: '20261201' }), 'summit-tpa');

    // The set is valid: the file is processed and its 999 accepts it.
    const ack = r.acknowledgements.find((a) => a.kind === '999')!;
    expect(readFileSync(ack.path!, 'utf8')).toMatch(/AK9\*A\*1\*1\*1/);
    const set = enrollmentOf(r).sets[0]!;
    expect(set).toMatchObject({ status: 'held', action: 'replace', members: 17, omitted: 3, counts: { added: 0, terminated: 0 } });
    expect(r.exceptions).toEqual({ 'full-file-held': 1 });

    // Nothing of it applied.
    expect(await membershipSnapshot(db())).toEqual(before);
    expect((await members(db())).filter((m) => m.eligibility_end !== null)).toEqual([]);
    const sets = await db().query<{ status: string }>('select status from inbound_set where file_id = $1 order by id', [r.fileId]);
    expect(sets.rows).toEqual([{ status: 'held' }]);

    // The preview: 3 ended of 20, HMO10 EMP × 3 less a month.
    const [held] = await listHeldFiles(db(), { state: 'held' });
    expect(held).toMatchObject({ fileId: r.fileId, setControl: '0001', groupNumber: 'GRP20311', partner: 'summit-tpa', state: 'held', decidedBy: null });
    expect(held!.preview).toMatchObject({
      group: 'GRP20311',
      groups: [{ group: 'GRP20311', inForce: 20, omitted: 3, holdPercent: 5 }],
      added: 0,
      changed: 0,
      ended: 3,
      queued: 0,
      held: 0,
      unchanged: 17,
      premiumDay: '2026-12-01',
      premiumBeforeCents: 20 * HMO10_EMP_CENTS,
      premiumAfterCents: 17 * HMO10_EMP_CENTS,
      premiumChangeCents: -3 * HMO10_EMP_CENTS,
    });
    expect(set.heldFile).toEqual({ id: held!.id, preview: held!.preview });

    // One exception, in plain words with the counts, naming no member.
    const ex = await getException(db(), held!.exceptionId!);
    expect(ex).toMatchObject({ category: 'full-file-held', state: 'open', groupNumber: 'GRP20311', subscriberId: null, setControl: '0001', fileId: r.fileId });
    expect(ex!.description).toContain('would end or queue 3 of its 20 members in force (15%)');
    expect(ex!.description).toContain('-$1,365.00');
    expect(ex!.description).not.toMatch(/MEMBER|8000000/);
    expect(await count(db(), 'exception')).toBe(1);
  });

  it('applies a released file exactly: the 3 members ended, the decision recorded, the exception resolved', async () => {
    const r = await fullFileOmitting(20, 3, riverside, SUMMIT, 'GRP20311', 'summit-tpa');
    const id = enrollmentOf(r).sets[0]!.heldFile!.id;
    const released = await releaseHeldFile(deps(), { id, actor: 'ops.lee', note: 'employer confirmed three leavers' });
    expect(released.outcome).toMatchObject({ status: 'applied', omitted: 3, counts: { terminated: 3, unchanged: 17, added: 0, held: 0 } });
    expect(released.heldFile).toMatchObject({ state: 'released', decidedBy: 'ops.lee', note: 'employer confirmed three leavers', result: { status: 'applied', counts: { terminated: 3 } } });
    expect(released.heldFile.decidedAt).toBeInstanceOf(Date);

    const all = await members(db());
    expect(all.filter((m) => m.eligibility_end !== null).map((m) => [m.first_name, m.eligibility_end])).toEqual([
      ['MEMBER18', '2026-11-30'],
      ['MEMBER19', '2026-11-30'],
      ['MEMBER20', '2026-11-30'],
    ]);
    const sets = await db().query<{ status: string }>('select status from inbound_set where file_id = $1 order by id', [r.fileId]);
    expect(sets.rows).toEqual([{ status: 'applied' }]);

    const ex = (await getException(db(), released.heldFile.exceptionId!))!;
    expect(ex.state).toBe('resolved');
    const history = await exceptionHistory(db(), ex.id);
    expect(history.map((h) => [h.actor, h.fromState, h.toState])).toEqual([
      ['edibridge', null, 'open'],
      ['ops.lee', 'open', 'resolved'],
    ]);
    expect(history[1]!.note).toBe('released: the full file was applied (17 unchanged, 3 terminated). employer confirmed three leavers');

    // A decided file is final.
    const again = await releaseHeldFile(deps(), { id, actor: 'ops.kim' }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(HeldFileError);
    expect(again).toMatchObject({ code: 'INVALID_STATE', refusal: 'ALREADY_DECIDED' });
    await expect(rejectHeldFile(db(), { id, actor: 'ops.kim', note: 'too late' })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(getHeldFile(db(), '999')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await members(db())).filter((m) => m.eligibility_end !== null)).toHaveLength(3);
  });

  it('applies nothing of a rejected file; the note is recorded and the exception rejected (GRP10045, omissions queued)', async () => {
    await ingestArchived(build834(range(20).map(acme)), 'acme');
    const before = await membershipSnapshot(db());
    const r = await ingestArchived(build834(range(17).map(acme), { action: 'RX', effective: '20261201' }), 'acme');
    const set = enrollmentOf(r).sets[0]!;
    expect(set.status).toBe('held');
    // The review group would queue the 3, not end them; the premium would not change.
    expect(set.heldFile!.preview).toMatchObject({ ended: 0, queued: 3, premiumChangeCents: 0, groups: [{ group: 'GRP10045', inForce: 20, omitted: 3 }] });
    const id = set.heldFile!.id;

    const rejected = await rejectHeldFile(db(), { id, actor: 'ops.lee', note: 'the employer sent a partial list by mistake' });
    expect(rejected).toMatchObject({ state: 'rejected', decidedBy: 'ops.lee', note: 'the employer sent a partial list by mistake', result: null });
    expect(await membershipSnapshot(db())).toEqual(before);
    const ex = (await getException(db(), rejected.exceptionId!))!;
    expect(ex.state).toBe('rejected');
    expect((await exceptionHistory(db(), ex.id)).at(-1)).toMatchObject({ actor: 'ops.lee', toState: 'rejected', note: 'rejected: nothing of the full file was applied. the employer sent a partial list by mistake' });
    expect((await db().query('select category from exception')).rows).toEqual([{ category: 'full-file-held' }]);
    await expect(releaseHeldFile(deps(), { id, actor: 'ops.kim' })).rejects.toMatchObject({ code: 'INVALID_STATE', refusal: 'ALREADY_DECIDED' });
    expect(await membershipSnapshot(db())).toEqual(before);
    expect(await listHeldFiles(db(), { state: 'held' })).toEqual([]);
    expect((await listHeldFiles(db(), { state: 'rejected', group: 'GRP10045' })).map((h) => h.id)).toEqual([id]);
  });

  it('applies at once a full file that ends 1 of 40 members (2.5%, within 5%)', async () => {
    const r = await fullFileOmitting(40, 1, riverside, SUMMIT, 'GRP20311', 'summit-tpa');
    expect(enrollmentOf(r).sets[0]).toMatchObject({ status: 'applied', omitted: 1, counts: { terminated: 1, unchanged: 39 } });
    expect(r.exceptions).toEqual({});
    expect((await members(db())).filter((m) => m.eligibility_end !== null).map((m) => m.first_name)).toEqual(['MEMBER40']);
    expect(await count(db(), 'held_full_file')).toBe(0);
  });

  it('holds and releases through `edibridge held`, reading the file again from the archive', async () => {
    const r = await fullFileOmitting(20, 3, riverside, SUMMIT, 'GRP20311', 'summit-tpa');
    const id = enrollmentOf(r).sets[0]!.heldFile!.id;
    const list = await run(heldCommand, 'list');
    expect(list.code).toBe(0);
    expect(list.out).toContain(`#${id} held GRP20311 file ${r.fileId}`);
    expect(list.out).toContain('ends or queues 3 of 20 members, premium -$1,365.00/month');
    const show = await run(heldCommand, 'show', id);
    expect(show.out).toContain('if released: added 0, changed 0, ended 3, queued 0');
    expect(show.out).toContain('monthly premium on 2026-12-01: $9,100.00 before, $7,735.00 after (-$1,365.00)');
    expect((await run(heldCommand, 'reject', id)).code).toBe(2); // a rejection needs --note
    const released = await run(heldCommand, 'release', id, '--as', 'ops.lee', '--json');
    expect(released.err).toBe('');
    expect(released.code).toBe(0);
    expect(JSON.parse(released.out)).toMatchObject({ heldFile: { state: 'released', decidedBy: 'ops.lee' }, outcome: { counts: { terminated: 3 } } });
    const again = await run(heldCommand, 'release', id, '--as', 'ops.lee');
    expect(again.code).toBe(1);
    expect(again.err).toContain(`held file ${id} was released already`);
  });

  it('dry-runs a change file: prints what it would change and records nothing', async () => {
    await ingestArchived(build834(range(3).map(acme)), 'acme');
    const before = await rowCounts();
    const snapshot = await membershipSnapshot(db());
    const text = build834([
      ...range(2).map((i) => acme(i + 10)),
      subscriber(sub(3), { first: 'MEMBER3', mt: '024', dates: [['357', '20261130']], coverages: [] }),
    ]);
    const path = writeTemp(text);
    const r = await run(ingestCommand, path, '--dry-run');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('dry run for partner acme: nothing was recorded');
    expect(r.out).toContain('validation: 1 set accepted, 0 rejected');
    // PPO01 EMP is $512.40: two added, one ended on 2026-11-30 (before the receipt date the premium is measured on).
    expect(r.out).toMatch(/set 0001 \(BGN02 \S+, change\): would add 2, change 0, terminate or cancel 1, reinstate 0, queue 0, hold 0; monthly premium \+\$\d/);
    expect(await rowCounts()).toEqual(before);
    expect(await membershipSnapshot(db())).toEqual(snapshot);
    expect(readdirSync(ackDir()).some((d) => d === path.split('/').at(-1))).toBe(false);

    const json = await run(ingestCommand, path, '--dry-run', '--json');
    const set = JSON.parse(json.out).handlers[0].result.sets[0];
    expect(set).toMatchObject({ status: 'applied', counts: { added: 2, terminated: 1 }, queued: 0 });
    expect(typeof set.premiumChangeCents).toBe('number');
    expect(await rowCounts()).toEqual(before);

    // Then ingested for real, the same counts are applied.
    const real = await run(ingestCommand, path, '--ack-dir', ackDir());
    expect(real.code).toBe(0);
    expect((await members(db())).length).toBe(5);
  });

  it('dry-runs a large full file as held, with its preview, and records nothing', async () => {
    await ingestArchived(build834(range(20).map(riverside), { sender: SUMMIT, masterPolicy: 'GRP20311' }), 'summit-tpa');
    const before = await rowCounts();
    const path = writeTemp(build834(range(17).map(riverside), { sender: SUMMIT, masterPolicy: 'GRP20311', action: 'RX', effective: '20261201' }));
    const r = await run(ingestCommand, path, '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toContain('would be held: it would end or queue 3 of the 20 members of GRP20311 in force (more than 5%), nothing applied; if released: add 0, change 0, end 3, queue 0, hold 0; monthly premium -$1,365.00');
    expect(await rowCounts()).toEqual(before);
  });

  it('holds above 5% of the members by default', async () => {
    expect(DEFAULT_FULL_FILE_HOLD_PERCENT).toBe(5);
    // The sample reference data names no share: every group takes the default.
    const sample = await readReferenceFile(fileURLToPath(new URL('../../samples/reference-data.yaml', import.meta.url)));
    expect(sample.groups.map((g) => g.full_file_hold_percent)).toEqual([5, 5, 5]);
    const column = await db().query<{ d: string }>(
      "select column_default as d from information_schema.columns where table_schema = current_schema() and table_name = 'employer_group' and column_name = 'full_file_hold_percent'",
    );
    expect(Number(column.rows[0]!.d)).toBe(5);
    // 1 of 20 is exactly 5%: not more than the share, so applied.
    const r = await fullFileOmitting(20, 1, riverside, SUMMIT, 'GRP20311', 'summit-tpa');
    expect(enrollmentOf(r).sets[0]!.status).toBe('applied');
  });

  async function run(command: typeof heldCommand, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io: Io = {
      out: (t) => void (out += t),
      err: (t) => void (err += t),
      now: () => NOW,
      env: { EDIBRIDGE_PHI_KEY: PHI_KEY_HEX, EDIBRIDGE_STORE_DIR: join(dir, 'archive'), EDIBRIDGE_DATA_DIR: dir, EDIBRIDGE_ACK_DIR: ackDir() },
      log: { write: () => {} },
    };
    const code = await command(argv, io, { open: async (): Promise<Db> => unclosable(db()) });
    return { code, out, err };
  }
});

