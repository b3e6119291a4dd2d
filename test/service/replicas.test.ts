/**
 * Two replicas of `edibridge serve` (processes running bin/edibridge.js, so `npm run build`
 * first) against one PostgreSQL, one object store (a shared EDIBRIDGE_STORE_DIR) and one SFTP
 * server (the in-process one, run by this test), with four trading partners pulled on
 * schedules with seconds. 200 small 834s are dropped into the partners' inbound folders in
 * batches while both replicas run. Then: every file was pulled once, processed once, its
 * members applied once, and its acknowledgement delivered once; no schedule slot ran twice;
 * both replicas did work; both stop on SIGTERM with exit 0.
 *
 * Isolation: the tables live in a fresh schema of the TEST_DATABASE_URL database, named by
 * the URL's search_path (as test/ingest/crash.test.ts does); serve keeps its job queue beside
 * them in `<schema>_jobs`. Both are dropped at the end (kept, and named, when the test fails).
 *
 * Skipped when PostgreSQL is unreachable (failed instead with EDIBRIDGE_REQUIRE_PG=1) or
 * dist/ is not built.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { createPgDb } from '../../src/db/pg.js';
import { generateEd25519KeyPair } from '../../src/transport/sftp/host-key.js';
import { InProcessSftpServer } from '../../src/transport/sftp/memory-server.js';
import { REQUIRE_PG, TEST_DATABASE_URL, pgHarness, probePg, useTestDb } from '../db/harness.js';
import { build834, dependent, subscriber, type Sender } from '../enrollment/build834.js';
import { useTempDirs } from '../support/tmp.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/edibridge.js');
const KEY = Buffer.alloc(32, 11).toString('base64');
const FILES = 200;
const BATCHES = 10;
const BATCH_GAP_MS = 1000;
const SETTLE_MS = 90_000;
const tempDir = useTempDirs();

const built = existsSync(join(ROOT, 'dist/cli/commands/serve.js'));
if (!built) console.warn('dist/ has no serve command: run `npm run build` for the replicas test');
const available = await probePg(TEST_DATABASE_URL);
if (!available.ok && REQUIRE_PG) throw new Error(`PostgreSQL is required (EDIBRIDGE_REQUIRE_PG=1): ${available.reason}`);
if (!available.ok) console.warn(`PostgreSQL unavailable at TEST_DATABASE_URL, replicas test skipped: ${available.reason}`);

interface Partner {
  id: string;
  name: string;
  sender: Sender;
  group: string;
}

/** Four partners, each its own ISA sender and group; the first two as in samples/reference-data.yaml. */
const PARTNERS: Partner[] = [
  { id: 'acme', name: 'Acme Widgets Inc', sender: { qualifier: 'ZZ', id: 'ACMEEMPLOYER', gsId: 'ACMEEMPLOYER' }, group: 'GRP10045' },
  { id: 'summit-tpa', name: 'Summit Benefits Administrators LLC', sender: { qualifier: '30', id: '411234567', gsId: 'SUMMITTPA' }, group: 'GRP20311' },
  { id: 'harbor', name: 'Harbor Foods Co', sender: { qualifier: 'ZZ', id: 'HARBORFOODS', gsId: 'HARBORFOODS' }, group: 'GRP40021' },
  { id: 'pinecrest', name: 'Pinecrest Health Partners', sender: { qualifier: '01', id: '123456789', gsId: 'PINECRESTHR' }, group: 'GRP50077' },
];

function referenceData(): string {
  const rates = (from: string): string[] =>
    ['EMP', 'ESP', 'ECH', 'FAM'].map((level, i) => `      - { coverage_level: ${level}, monthly_rate: ${(100 + i * 50).toFixed(2)}, effective: { from: '${from}' } }`);
  return [
    '# The replicas test: four partners, each with its own ISA sender and group.',
    'partners:',
    ...PARTNERS.flatMap((p) => [
      `  - id: ${p.id}`,
      `    name: ${p.name}`,
      `    isa: { qualifier: '${p.sender.qualifier}', id: '${p.sender.id}' }`,
      `    gs_id: ${p.sender.gsId}`,
      '    receiver: { isa_qualifier: ZZ, isa_id: EDIBRIDGEPLAN, gs_id: EDIBRIDGEPLAN }',
      "    transactions: ['834']",
    ]),
    'plans:',
    '  - id: PPO01',
    '    insurance_line: HLT',
    '    name: PPO 500',
    '    rates:',
    ...rates('2020-01-01'),
    '  - id: DEN01',
    '    insurance_line: DEN',
    '    name: Dental Plus',
    '    rates:',
    ...rates('2020-01-01'),
    'groups:',
    ...PARTNERS.flatMap((p) => [
      `  - group_number: ${p.group}`,
      `    name: ${p.name}`,
      `    partner: ${p.id}`,
      '    billing: { day: 1, cycle: monthly }',
      '    plans: [PPO01, DEN01]',
    ]),
    '',
  ].join('\n');
}

/** Server folders of a partner: where it drops files, where pulled files go, where acknowledgements land. */
const folders = (p: Partner) => ({ inbound: `/${p.id}/to-plan`, archive: `/${p.id}/pulled`, outbound: `/${p.id}/from-plan` });

function partnersFile(port: number, hostKey: string): string {
  return [
    'partners:',
    ...PARTNERS.flatMap((p) => {
      const f = folders(p);
      return [
        `  - id: ${p.id}`,
        '    sftp:',
        '      host: 127.0.0.1',
        `      port: ${port}`,
        '      user: edibridge',
        '      auth: { privateKeyFile: keys/client_ed25519 }',
        `      hostKey: ${hostKey}`,
        `      inbound: ${f.inbound}`,
        `      outbound: ${f.outbound}`,
        "      pattern: '*.x12'",
        `      afterPull: { move: ${f.archive} }`,
        '      stable: { looks: 2, seconds: 0.2 }',
        "    schedule: '*/2 * * * * *'",
      ];
    }),
    '',
  ].join('\n');
}

/** The first day of next month (YYYYMMDD): coverage that is neither retro nor far ahead, whatever today is. */
function nextMonth(): string {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return d.toISOString().slice(0, 10).replaceAll('-', '');
}

interface DroppedFile {
  partner: Partner;
  name: string;
  members: number;
}

/** File i: a subscriber (and, for odd i, a child) of the partner's group, with a unique ISA13. */
function fileFor(i: number, begin: string): DroppedFile & { text: string } {
  const partner = PARTNERS[i % PARTNERS.length]!;
  const sub = `7${String(i + 1).padStart(8, '0')}`;
  const coverages = [
    { line: 'HLT', plan: 'PPO01', level: i % 2 ? 'ECH' : 'EMP', begin },
    { line: 'DEN', plan: 'DEN01', level: i % 2 ? 'ECH' : 'EMP', begin },
  ];
  const members = [subscriber(sub, { coverages })];
  if (i % 2) members.push(dependent(sub, '19', 'JORDAN', '20150607', { coverages: [{ line: 'HLT', plan: 'PPO01', level: 'ECH', begin }] }));
  const text = build834(members, { sender: partner.sender, masterPolicy: partner.group });
  return { partner, name: `${partner.id}_${String(i).padStart(3, '0')}.x12`, members: members.length, text };
}

interface Replica {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

function spawnCli(args: string[], cwd: string, env: NodeJS.ProcessEnv, name: string): Replica {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  child.stdout!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { name, child, exited, stderr: () => err };
}

/** The JSON log lines a process wrote (other output skipped). */
function logLines(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut at the end of the buffer
    }
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

describe.skipIf(!available.ok || !built)('two serve replicas, one database, one store, one SFTP server (PostgreSQL)', () => {
  const h = useTestDb(() => pgHarness());

  it('pulls, applies and acknowledges each of 200 files exactly once, both replicas working', async () => {
    const t0 = Date.now();
    const dir = tempDir('replicas');

    // A fresh schema for the tables (named by the URL's search_path); serve puts its job queue beside it, in <schema>_jobs.
    const schema = h().freshSchemaName();
    const jobsSchema = `${schema}_jobs`;
    await h().db.query(`create schema ${schema}`);
    const scoped: Db = createPgDb({ connectionString: TEST_DATABASE_URL, searchPath: schema, max: 2, applicationName: 'edibridge-test-replicas' });
    onTestFinished(() => scoped.close());
    const serviceUrl = new URL(TEST_DATABASE_URL);
    serviceUrl.searchParams.set('options', `-c search_path=${schema}`);

    // The SFTP server: one user, each partner its own folders.
    const client = generateEd25519KeyPair('edibridge-replicas-client');
    const hostKey = generateEd25519KeyPair('edibridge-replicas-host');
    mkdirSync(join(dir, 'keys'));
    writeFileSync(join(dir, 'keys', 'client_ed25519'), client.privateKey, { mode: 0o600 });
    const sftp = await InProcessSftpServer.start({
      root: join(dir, 'sftp'),
      folders: PARTNERS.flatMap((p) => Object.values(folders(p))),
      user: 'edibridge',
      publicKey: client.publicKey,
      hostKey,
    });
    onTestFinished(() => sftp.close());
    writeFileSync(join(dir, 'partners.yaml'), partnersFile(sftp.port, hostKey.fingerprint));
    writeFileSync(join(dir, 'reference-data.yaml'), referenceData());

    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EDIBRIDGE_') && !k.startsWith('DATABASE_')));
    Object.assign(env, {
      DATABASE_URL: serviceUrl.toString(),
      EDIBRIDGE_PHI_KEY: KEY,
      EDIBRIDGE_PARTNERS_FILE: join(dir, 'partners.yaml'),
      EDIBRIDGE_STORE: 'local',
      EDIBRIDGE_STORE_DIR: join(dir, 'store'),
      EDIBRIDGE_LOG_LEVEL: 'info',
      EDIBRIDGE_JOB_POLL_SECONDS: '0.5',
      EDIBRIDGE_JOB_RETRY_DELAY_SECONDS: '1',
      EDIBRIDGE_SHUTDOWN_SECONDS: '10',
    });

    // Reference data first (this migrates the schema), as an operator would.
    const setup = spawnCli(['setup', 'load', join(dir, 'reference-data.yaml')], dir, { ...env, EDIBRIDGE_DATA_DIR: join(dir, 'setup') }, 'setup');
    expect(await within(setup.exited, 60_000), setup.stderr()).toBe(0);

    // Both replicas at once, each with its own data folder.
    const replicas: Replica[] = ['r1', 'r2'].map((name) => {
      const cwd = join(dir, name);
      mkdirSync(cwd);
      return spawnCli(['serve', '--port', '0'], cwd, { ...env, EDIBRIDGE_DATA_DIR: join(cwd, 'data') }, name);
    });
    onTestFinished(() => {
      for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    });
    const logs = (): string => replicas.map((r) => `--- ${r.name} (pid ${r.child.pid}) ---\n${r.stderr().split('\n').slice(-40).join('\n')}`).join('\n');
    const ports = new Map<string, number>();
    for (const r of replicas) {
      const until = Date.now() + 60_000;
      for (;;) {
        const m = /"port":(\d+)[^\n]*listening on port/.exec(r.stderr());
        if (m) {
          ports.set(r.name, Number(m[1]));
          break;
        }
        if (Date.now() > until || r.child.exitCode !== null) throw new Error(`${r.name} did not start:\n${r.stderr()}\n${logs()}`);
        await sleep(100);
      }
    }
    for (const [name, port] of ports) {
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status, `${name} ready`).toBe(200);
    }
    const started = Date.now();

    // 200 files in batches while the replicas run: each written under a temporary name and
    // renamed into place, as a partner's client does.
    const begin = nextMonth();
    const dropped: DroppedFile[] = [];
    const perBatch = FILES / BATCHES;
    for (let b = 0; b < BATCHES; b++) {
      for (let i = b * perBatch; i < (b + 1) * perBatch; i++) {
        const f = fileFor(i, begin);
        const inbound = sftp.localPath(folders(f.partner).inbound);
        writeFileSync(join(inbound, `${f.name}.tmp`), f.text);
        renameSync(join(inbound, `${f.name}.tmp`), join(inbound, f.name));
        dropped.push({ partner: f.partner, name: f.name, members: f.members });
      }
      if (b < BATCHES - 1) await sleep(BATCH_GAP_MS);
    }
    const droppedAt = Date.now();
    const expectedMembers = dropped.reduce((n, f) => n + f.members, 0);

    // Settled: every file pulled and done with, no acknowledgement waiting, the mailboxes empty.
    const state = async () =>
      (
        await scoped.query<{ transfers: number; open: number; done: number; pending: number; acks: number }>(
          `select (select count(*) from inbound_transfer)::int as transfers,
                  (select count(*) from inbound_file where status in ('received', 'processing'))::int as open,
                  (select count(*) from inbound_file where status not in ('received', 'processing'))::int as done,
                  (select count(*) from outbound_acknowledgement where delivery = 'pending')::int as pending,
                  (select count(*) from outbound_acknowledgement)::int as acks`,
        )
      ).rows[0]!;
    const inboxLeft = (): number => PARTNERS.reduce((n, p) => n + readdirSync(sftp.localPath(folders(p).inbound)).length, 0);
    let last = await state();
    const deadline = Date.now() + SETTLE_MS;
    while (!(last.transfers >= FILES && last.open === 0 && last.done >= FILES && last.pending === 0 && last.acks >= FILES && inboxLeft() === 0)) {
      if (Date.now() > deadline) throw new Error(`not settled in ${SETTLE_MS / 1000} s: ${JSON.stringify(last)}, ${inboxLeft()} files left in the inboxes\n${logs()}`);
      await sleep(500);
      last = await state();
    }
    const settledAt = Date.now();
    // A little longer: later schedule slots must find nothing more to do.
    await sleep(2500);

    const q = async <R extends Record<string, unknown>>(sql: string): Promise<R[]> => (await scoped.query<R>(sql)).rows;

    // Every file pulled exactly once: 200 transfers, all new, each its own file and remote path.
    const transfers = (await q<{ n: number; new: number; files: number; paths: number; moved: number }>(
      `select count(*)::int as n, count(*) filter (where outcome = 'new')::int as new, count(distinct file_id)::int as files,
              count(distinct (partner, remote_path))::int as paths, count(*) filter (where remote_disposition = 'moved')::int as moved
         from inbound_transfer`,
    ))[0]!;
    expect(transfers).toEqual({ n: FILES, new: FILES, files: FILES, paths: FILES, moved: FILES });
    const files = await q<{ partner: string; file_name: string; status: string }>('select partner, file_name, status from inbound_file order by file_name');
    expect(files).toHaveLength(FILES);
    expect(files.filter((f) => f.status !== 'processed'), 'files not processed').toEqual([]);
    expect(files.map((f) => `${f.partner}/${f.file_name}`).sort()).toEqual(dropped.map((f) => `${f.partner.id}/${f.name}`).sort());
    // The remote side: inboxes empty, each partner's pulled folder holds its 50 files.
    for (const p of PARTNERS) {
      expect(readdirSync(sftp.localPath(folders(p).inbound)), `${p.id} inbound`).toEqual([]);
      expect(readdirSync(sftp.localPath(folders(p).archive)).sort(), `${p.id} pulled`).toEqual(dropped.filter((f) => f.partner === p).map((f) => f.name).sort());
    }

    // Each file's members applied exactly once.
    const applied = (await q<{ members: number; distinct: number; adds: number; history: number; sets: number }>(
      `select (select count(*) from member)::int as members,
              (select count(distinct (group_number, subscriber_number, relationship)) from member)::int as distinct,
              (select count(*) from member_history where action = 'add')::int as adds,
              (select count(*) from member_history)::int as history,
              (select count(*) from inbound_set where status = 'applied')::int as sets`,
    ))[0]!;
    expect(applied).toEqual({ members: expectedMembers, distinct: expectedMembers, adds: expectedMembers, history: expectedMembers, sets: FILES });
    const perGroup = await q<{ group_number: string; n: number }>('select group_number, count(*)::int as n from member group by 1 order by 1');
    expect(Object.fromEntries(perGroup.map((r) => [r.group_number, r.n]))).toEqual(
      Object.fromEntries(PARTNERS.map((p) => [p.group, dropped.filter((f) => f.partner === p).reduce((n, f) => n + f.members, 0)])),
    );

    // Each acknowledgement delivered exactly once: every row delivered, one file per row in the
    // partner's folder, under its own name, with the row's bytes; no temporary files left.
    const acks = await q<{ partner: string; kind: string; delivery: string; remote_path: string | null; body: string; attempts: number }>(
      `select f.partner, o.kind, o.delivery, o.remote_path, o.body, o.delivery_attempts as attempts
         from outbound_acknowledgement o join inbound_file f on f.id = o.file_id order by o.id`,
    );
    expect(acks.length).toBeGreaterThanOrEqual(FILES);
    expect(acks.filter((a) => a.delivery !== 'delivered'), 'acknowledgements not delivered').toEqual([]);
    expect(acks.filter((a) => a.kind === '999')).toHaveLength(FILES);
    expect(new Set(acks.map((a) => a.remote_path)).size).toBe(acks.length);
    expect(acks.filter((a) => a.attempts !== 1), 'acknowledgements delivered in more than one attempt').toEqual([]);
    for (const p of PARTNERS) {
      const outbound = folders(p).outbound;
      const mine = acks.filter((a) => a.partner === p.id);
      const there = readdirSync(sftp.localPath(outbound)).sort();
      expect(there.filter((n) => n.endsWith('.part')), `${p.id}: temporary files left`).toEqual([]);
      expect(there, `${p.id}: one file per acknowledgement`).toEqual(mine.map((a) => posix.basename(a.remote_path!)).sort());
      for (const a of mine) {
        expect(posix.dirname(a.remote_path!)).toBe(outbound);
        expect(readFileSync(sftp.localPath(a.remote_path!), 'latin1')).toBe(a.body);
      }
    }

    // No schedule slot ran twice (the primary key holds it; checked anyway), and each slot was one replica's.
    const runs = await q<{ task: string; slots: number; distinct: number }>(
      'select task, count(*)::int as slots, count(distinct slot)::int as distinct from schedule_run group by task order by task',
    );
    expect(runs.map((r) => r.task)).toEqual(PARTNERS.map((p) => `pull-${p.id}`).sort());
    for (const r of runs) expect(r.distinct, r.task).toBe(r.slots);
    const runBy = await q<{ run_by: string; n: number }>('select run_by, count(*)::int as n from schedule_run group by 1 order by 1');

    // The job queue: one completed process-file job per file, nothing failed or waiting for a retry.
    const jobs = await q<{ name: string; state: string; n: number }>(
      `select name, state, count(*)::int as n from ${jobsSchema}.job group by 1, 2 order by 1, 2`,
    );
    const jobCount = (name: string, state: string): number => jobs.find((j) => j.name === name && j.state === state)?.n ?? 0;
    expect(jobCount('process-file', 'completed'), JSON.stringify(jobs)).toBe(FILES);
    expect(jobs.filter((j) => j.state === 'failed' || j.state === 'retry'), 'failed jobs').toEqual([]);
    const processed = await q<{ files: number; statuses: string[] }>(
      `select count(distinct output->>'fileId')::int as files, array_agg(distinct output->>'status') as statuses
         from ${jobsSchema}.job where name = 'process-file' and state = 'completed'`,
    );
    expect(processed[0]).toEqual({ files: FILES, statuses: ['processed'] });

    // Both replicas did work: per process, the files it processed ('file done'), pulled and the acknowledgements it delivered.
    const split = replicas.map((r) => {
      const lines = logLines(r.stderr());
      const count = (msg: string): number => lines.filter((l) => l['msg'] === msg).length;
      const listening = lines.find((l) => typeof l['msg'] === 'string' && (l['msg'] as string).startsWith('listening on port'));
      return {
        replica: r.name,
        pid: r.child.pid,
        id: listening?.['replica'],
        processed: count('file done'),
        pulled: count('file archived and recorded'),
        delivered: count('acknowledgement delivered'),
        scheduled: count('scheduled pull'),
        warnings: lines.filter((l) => Number(l['level']) >= 40).map((l) => l['msg']),
      };
    });
    expect(split.reduce((n, s) => n + s.processed, 0), JSON.stringify(split)).toBe(FILES);
    expect(split.reduce((n, s) => n + s.pulled, 0), JSON.stringify(split)).toBe(FILES);
    expect(split.reduce((n, s) => n + s.delivered, 0), JSON.stringify(split)).toBe(acks.length);
    for (const s of split) expect(s.processed, `${s.replica} processed files: ${JSON.stringify(split)}`).toBeGreaterThan(0);
    expect(new Set(split.map((s) => s.id)).size).toBe(2);
    expect(split.reduce((n, s) => n + s.scheduled, 0), 'scheduled pulls logged = slots claimed').toBe(runBy.reduce((n, r) => n + r.n, 0));
    for (const r of runBy) expect(split.map((s) => s.id)).toContain(r.run_by);

    // SIGTERM: both stop and exit 0.
    const stopping = Date.now();
    for (const r of replicas) r.child.kill('SIGTERM');
    const codes = await Promise.all(replicas.map((r) => within(r.exited, 20_000)));
    expect(codes, logs()).toEqual([0, 0]);
    for (const r of replicas) expect(r.stderr(), r.name).toContain('job engine stopped');
    const stopped = Date.now();

    console.info(
      `replicas: ${FILES} files (${PARTNERS.length} partners), ${expectedMembers} members, ${acks.length} acknowledgements; ` +
        `split ${JSON.stringify(split)}; schedule runs by replica ${JSON.stringify(runBy)}; ` +
        `start ${((started - t0) / 1000).toFixed(1)} s, dropping ${((droppedAt - started) / 1000).toFixed(1)} s, settled ${((settledAt - droppedAt) / 1000).toFixed(1)} s after the last drop, ` +
        `stop ${((stopped - stopping) / 1000).toFixed(1)} s, total ${((stopped - t0) / 1000).toFixed(1)} s`,
    );
  }, 180_000);
});
