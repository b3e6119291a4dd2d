/**
 * Re-running an exception's held 834 change (src/exceptions/rerun.ts) on PostgreSQL with the
 * sample reference data, from files processed out of a local archive as the service does:
 * held again without a fix (a `rerun` event, no second item), applied once the reference data
 * offers the plan (the family added, the items resolved, history kept), applied once only,
 * a member's later change never undone by re-running a held dependent, and refusals (a final
 * item, a payment or transfer item, a queued decision, a file with no archived copy).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exceptionsCommand } from '../../src/cli/commands/exceptions.js';
import type { Io } from '../../src/cli/io.js';
import { silentLogger } from '../../src/core/logger.js';
import { enrollmentHandler } from '../../src/enrollment/handler.js';
import { ExceptionRerunError, rerunException, type RerunResult } from '../../src/exceptions/rerun.js';
import { exceptionHistory, getException, recordExceptions, recordPartnerException } from '../../src/exceptions/store.js';
import { handlerRegistry } from '../../src/ingest/handlers.js';
import { processArchivedFile } from '../../src/ingest/process-archived.js';
import { loadReferenceData, readReferenceFile, type ReferenceData } from '../../src/reference/index.js';
import { LocalFolderStore } from '../../src/transport/store/local.js';
import { unclosable } from '../db/harness.js';
import { PHI_KEY_HEX } from '../membership/run-command.js';
import {
  NOW,
  ackDir,
  build834,
  count,
  coverages,
  dependent,
  history,
  ingest,
  insPositions,
  member,
  members,
  phi,
  subscriber,
  useEnrollmentDb,
} from '../enrollment/build834.js';

const REFERENCE = fileURLToPath(new URL('../../samples/reference-data.yaml', import.meta.url));
const SUB = '700000001';

describe('exception re-run (PostgreSQL)', () => {
  const db = useEnrollmentDb();
  let dir: string;
  let store: LocalFolderStore;
  let reference: ReferenceData;
  let files = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edibridge-rerun-'));
    store = new LocalFolderStore(join(dir, 'archive'));
    reference = await readReferenceFile(REFERENCE);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Archives the text and processes it from the archive as acme's (the service's path); returns the file id. */
  async function ingestArchived(text: string): Promise<string> {
    const key = `inbound/acme/2026-11-23/rerun-${++files}.x12`;
    await store.put(key, (async function* () {
      yield Buffer.from(text);
    })());
    const r = await processArchivedFile(
      { db: db(), store, handlers: handlerRegistry(enrollmentHandler({ phi })), now: () => NOW, log: silentLogger(), ackDir: ackDir() },
      { partnerId: 'acme', key },
    );
    expect(r.status).toBe('processed');
    return r.fileId;
  }

  /** The sample reference data, with GRP10045 offering HMO10 too when `withHmo`. */
  async function loadReference(withHmo: boolean): Promise<void> {
    const groups = reference.groups.map((g) => (g.group_number === 'GRP10045' && withHmo ? { ...g, plans: [...g.plans, 'HMO10'] } : g));
    await loadReferenceData(db(), { ...reference, groups });
  }

  const deps = (): Parameters<typeof rerunException>[0] => ({ db: db(), store, phi, now: () => NOW });

  async function itemAt(position: number): Promise<string> {
    const { rows } = await db().query<{ id: string }>('select id::text as id from exception where segment_position = $1 order by id', [position]);
    expect(rows, `items at segment ${position}`).toHaveLength(1);
    return rows[0]!.id;
  }

  async function refusal(id: string): Promise<ExceptionRerunError> {
    const err = await rerunException(deps(), { id, actor: 'dana' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ExceptionRerunError);
    return err as ExceptionRerunError;
  }

  /** The command with its archive in this test's folder. */
  async function command(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io: Io = {
      out: (t) => void (out += t),
      err: (t) => void (err += t),
      now: () => NOW,
      env: { EDIBRIDGE_PHI_KEY: PHI_KEY_HEX, EDIBRIDGE_STORE_DIR: join(dir, 'archive'), EDIBRIDGE_DATA_DIR: join(dir, 'data') },
      log: { write: () => {} },
    };
    const code = await exceptionsCommand(argv, io, { open: async () => unclosable(db()) });
    return { code, out, err };
  }

  it('holds a plan the group does not offer again until the reference data offers it, then applies the family once', async () => {
    const text = build834([
      subscriber(SUB, { coverages: [{ line: 'HLT', plan: 'HMO10', level: 'ESP' }] }),
      dependent(SUB, '01', 'JORDAN', '19860101', { coverages: [{ line: 'HLT', plan: 'HMO10', level: 'ESP' }] }),
    ]);
    const [[subAt, depAt]] = insPositions(text) as [[number, number]];
    const fileId = await ingestArchived(text);
    expect(await count(db(), 'member')).toBe(0);
    const subItem = await itemAt(subAt);
    const depItem = await itemAt(depAt);
    expect((await getException(db(), subItem))!.category).toBe('unknown-plan');
    // The dependent is held with its new subscriber, under the subscriber's category.
    expect((await getException(db(), depItem))!.category).toBe('unknown-plan');

    try {
      // Nothing fixed: held again, recorded on both items, no second item.
      const held = await rerunException(deps(), { id: subItem, actor: 'dana' });
      expect(held).toMatchObject({ outcome: 'held', item: { id: subItem, state: 'open' }, counts: { added: 0, held: 2 }, hold: { category: 'unknown-plan' } });
      expect(held.reason).toMatch(/^unknown-plan: A coverage's plan \(HD04\)/);
      expect(held.others).toEqual([{ id: depItem, outcome: 'held', state: 'open' }]);
      expect(await count(db(), 'exception')).toBe(2);
      expect(await count(db(), 'member')).toBe(0);
      const heldHistory = await exceptionHistory(db(), subItem);
      expect(heldHistory.map((e) => [e.actor, e.kind, e.fromState, e.toState])).toEqual([
        ['edibridge', 'state', null, 'open'],
        ['dana', 'rerun', 'open', 'open'],
      ]);
      expect(heldHistory[1]!.note).toMatch(/^re-run: still held \(unknown-plan\): A coverage's plan/);

      // The plan is offered now: the family is applied through the same rules, by the command.
      await loadReference(true);
      const ran = await command(['rerun', subItem, '--as', 'dana', '--json']);
      expect(ran.code, ran.err).toBe(0);
      const applied = JSON.parse(ran.out) as RerunResult;
      expect(applied).toMatchObject({ outcome: 'applied', reason: 're-run applied the change', item: { id: subItem, state: 'resolved' }, counts: { added: 2, held: 0 } });
      expect(applied.others).toEqual([{ id: depItem, outcome: 'applied', state: 'resolved' }]);
      expect((await members(db())).map((m) => [m.first_name, m.is_subscriber])).toEqual([
        ['ALEX', true],
        ['JORDAN', false],
      ]);
      expect((await coverages(db())).map((c) => [c.first_name, c.insurance_line, c.plan_id, c.coverage_level, c.begin_date])).toEqual([
        ['ALEX', 'HLT', 'HMO10', 'ESP', '2026-12-01'],
        ['JORDAN', 'HLT', 'HMO10', 'ESP', '2026-12-01'],
      ]);
      // The members' history names the original file, set and segments.
      expect((await history(db())).map((h) => [h.first_name, h.action, h.file_id, h.set_control, h.segment_position])).toEqual([
        ['ALEX', 'add', fileId, '0001', subAt],
        ['JORDAN', 'add', fileId, '0001', depAt],
      ]);
      expect(await count(db(), 'id_card_request')).toBe(1);
      expect(await count(db(), 'exception')).toBe(2);
      const subHistory = await exceptionHistory(db(), subItem);
      expect(subHistory.map((e) => [e.kind, e.fromState, e.toState, e.note])).toEqual([
        ['state', null, 'open', 'opened'],
        ['rerun', 'open', 'open', heldHistory[1]!.note],
        ['rerun', 'open', 'open', 're-run applied the change (2 added)'],
        ['state', 'open', 'resolved', 're-run applied the change'],
      ]);
      const depHistory = await exceptionHistory(db(), depItem);
      expect(depHistory.map((e) => [e.kind, e.toState])).toEqual([
        ['state', 'open'],
        ['rerun', 'open'],
        ['rerun', 'open'],
        ['state', 'resolved'],
      ]);
      expect(depHistory[1]!.note).toBe(`re-run (with exception ${subItem}): still held (unknown-plan): Held with the subscriber's enrollment (see the subscriber's exception).`);
      expect(depHistory[2]!.note).toBe(`re-run applied the change (with exception ${subItem}) (2 added)`);
      expect(depHistory[3]!.note).toBe(`re-run applied the change (with exception ${subItem})`);
      const shown = await command(['show', subItem]);
      expect(shown.out).toContain('dana: rerun — re-run applied the change (2 added)');

      // Applied once: both items are resolved, so re-running either is refused and changes nothing.
      const before = [await members(db()), await coverages(db()), await count(db(), 'member_history')];
      for (const id of [subItem, depItem]) {
        const again = await refusal(id);
        expect(again).toMatchObject({ code: 'INVALID_STATE', refusal: 'FINAL_STATE' });
        expect(again.message).toBe(`exception ${id} is resolved: it cannot be re-run`);
      }
      const cli = await command(['rerun', subItem, '--as', 'dana']);
      expect(cli.code).toBe(1);
      expect(cli.err).toContain(`exception ${subItem} is resolved: it cannot be re-run`);
      expect([await members(db()), await coverages(db()), await count(db(), 'member_history')]).toEqual(before);
      expect((await exceptionHistory(db(), subItem)).length).toBe(4);
    } finally {
      await loadReference(false).catch(() => {});
    }
  });

  it('re-runs only the held event of a family: a change applied beside it, and changed since, is not applied again', async () => {
    await ingestArchived(build834([subscriber(SUB, { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'FAM' }] })]));
    // The subscriber's first name is corrected (applied) beside a spouse added on a plan not offered (held).
    const text = build834([
      member({ sub: SUB, mt: '001', last: 'SAMPLE', first: 'ALEXA', ssn: '900000001', dob: '19850214' }),
      dependent(SUB, '01', 'JORDAN', '19860101', { coverages: [{ line: 'HLT', plan: 'HMO10', level: 'FAM' }] }),
    ]);
    const [[, depAt]] = insPositions(text) as [[number, number]];
    await ingestArchived(text);
    expect((await members(db())).map((m) => m.first_name)).toEqual(['ALEXA']);
    const depItem = await itemAt(depAt);
    // A later file corrects the name again.
    await ingestArchived(build834([member({ sub: SUB, mt: '001', last: 'SAMPLE', first: 'ALEKS', ssn: '900000001', dob: '19850214' })]));
    try {
      await loadReference(true);
      const r = await command(['rerun', depItem, '--as', 'dana']);
      expect(r, r.err).toMatchObject({ code: 0, out: `#${depItem}: applied (1 added), resolved\n` });
      expect((await members(db())).map((m) => m.first_name)).toEqual(['ALEKS', 'JORDAN']);
    } finally {
      await loadReference(false).catch(() => {});
    }
  });

  it('refuses items it cannot re-run, naming the categories that can be', async () => {
    const fileId = await ingestArchived(build834([subscriber(SUB, { coverages: [{ line: 'HLT', plan: 'HMO10', level: 'EMP' }] })]));
    const held = (await db().query<{ id: string }>("select id::text as id from exception where category = 'unknown-plan'")).rows[0]!.id;
    await recordExceptions(db(), [
      { category: 'unknown-invoice', fileId, setControl: '0001', segmentPosition: 3, description: 'Payment for an invoice we cannot find.' },
      { category: 'retro-beyond-six-months', fileId, setControl: '0001', segmentPosition: 4, description: 'Billing decision.' },
      { category: 'unknown-group', fileId, description: 'No set or position.' },
    ]);
    await recordPartnerException(db(), { category: 'host-key-changed', partner: 'acme', subject: 'SHA256:abc', description: 'Host key changed.', at: NOW });
    const idOf = async (category: string): Promise<string> =>
      (await db().query<{ id: string }>('select id::text as id from exception where category = $1', [category])).rows[0]!.id;

    const payment = await refusal(await idOf('unknown-invoice'));
    expect(payment).toMatchObject({ code: 'INVALID_STATE', refusal: 'NOT_RERUNNABLE' });
    expect(payment.message).toMatch(/is about a payment \(820\).*only an 834 change held by the enrollment rules can be re-run \(categories: unknown-group, unknown-plan, member-match-uncertain,/);
    const viaCommand = await command(['rerun', await idOf('unknown-invoice'), '--as', 'dana', '--json']);
    expect(viaCommand.code).toBe(1);
    expect(JSON.parse(viaCommand.out)).toMatchObject({ error: { code: 'INVALID_STATE' } });
    expect((await refusal(await idOf('host-key-changed'))).message).toMatch(/is about a transfer/);
    expect((await refusal(await idOf('retro-beyond-six-months'))).message).toMatch(/queued beside a change the rules applied/);
    expect(await refusal(await idOf('unknown-group'))).toMatchObject({ refusal: 'NO_SOURCE' });

    // A rejected item is final.
    await db().query("update exception set state = 'rejected' where id = $1::bigint", [held]);
    expect(await refusal(held)).toMatchObject({ refusal: 'FINAL_STATE', message: `exception ${held} is rejected: it cannot be re-run` });

    // A file ingested from a local path has no archived copy.
    await ingest(db(), build834([subscriber('700000002', { coverages: [{ line: 'HLT', plan: 'HMO10', level: 'EMP' }] })]));
    const local = (await db().query<{ id: string }>("select id::text as id from exception where category = 'unknown-plan' and state = 'open'")).rows[0]!.id;
    expect(await refusal(local)).toMatchObject({ refusal: 'NO_ARCHIVED_COPY' });

    expect(await command(['rerun', held, '--note', 'x'])).toMatchObject({ code: 2 });
    expect(await command(['rerun'])).toMatchObject({ code: 2 });
    expect(await count(db(), 'member')).toBe(0);
  });
});
