/**
 * The demo's world, on embedded defaults with nothing installed: a fresh folder holding the
 * PGlite database, the local raw-file archive, and an in-process SFTP server (ssh2) under a
 * host key generated for it, whose fingerprint the partners file pins. The partner's inbound
 * folder is seeded with the sample 834s, and the sample 820 once December is billed;
 * everything else is the real service path (src/app/service.ts): pull, archive, process,
 * acknowledge, deliver.
 */
import { copyFile, mkdir, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createUser, ensureOrganisation } from '../access/users.js';
import { groupBalance } from '../billing/statements.js';
import type { Db } from '../db/db.js';
import { generateEd25519KeyPair } from '../transport/sftp/host-key.js';
import { InProcessSftpServer } from '../transport/sftp/memory-server.js';

/** The sample 834s a partner's inbound folder is seeded with, oldest first. */
export const DEMO_ENROLLMENT_FILES = ['enrollment-834-open-enrollment.x12', 'enrollment-834.x12'] as const;
/** The sample 820 dropped once December is billed: it pays that invoice (INV-202612-000001 in a fresh database). */
export const DEMO_PAYMENT_FILE = 'premium-820.x12';
export const DEMO_GROUP = 'GRP10045';
export const DEMO_PERIOD = '2026-12';
export const DEMO_PARTNER = 'acme';

export interface DemoWorld {
  dir: string;
  sftp: InProcessSftpServer;
  /** The environment the demo's service runs with (PGlite and the archive under `dir`). */
  env: NodeJS.ProcessEnv;
  partnersFile: string;
  /** Where files dropped for the partner are pulled from (a folder on this machine). */
  inboundFolder: string;
  outboundFolder: string;
  /** Drops the sample 820 into the partner's folder. */
  dropPayment(): Promise<void>;
  close(): Promise<void>;
}

/** Creates the demo folder afresh under `dir` and starts its SFTP server, seeded with the samples. */
export async function createDemoWorld(dir: string, samplesDir: string, baseEnv: NodeJS.ProcessEnv): Promise<DemoWorld> {
  const root = resolve(dir);
  await rm(root, { recursive: true, force: true });
  await mkdir(join(root, 'keys'), { recursive: true });
  const client = generateEd25519KeyPair('edibridge-demo-client');
  const hostKey = generateEd25519KeyPair('edibridge-demo-host');
  await writeFile(join(root, 'keys', 'demo_ed25519'), client.privateKey, { mode: 0o600 });
  const folders = [`/${DEMO_PARTNER}/to-plan`, `/${DEMO_PARTNER}/to-plan/archive`, `/${DEMO_PARTNER}/from-plan`];
  const sftp = await InProcessSftpServer.start({ root: join(root, 'sftp'), folders, user: 'edibridge', publicKey: client.publicKey, hostKey });
  const inboundFolder = sftp.localPath(folders[0]!);
  // Seeded oldest first: the open enrollment, then the changes, then the payment.
  const t0 = Math.floor(Date.now() / 1000) - 600;
  for (const [i, name] of DEMO_ENROLLMENT_FILES.entries()) {
    const to = join(inboundFolder, name);
    await copyFile(join(samplesDir, name), to);
    await utimes(to, t0 + i * 60, t0 + i * 60);
  }
  const partnersFile = join(root, 'partners.yaml');
  await writeFile(
    partnersFile,
    [
      '# The demo partner: the in-process SFTP server on this machine, its generated host key pinned.',
      'partners:',
      `  - id: ${DEMO_PARTNER}`,
      '    sftp:',
      '      host: 127.0.0.1',
      `      port: ${sftp.port}`,
      '      user: edibridge',
      '      auth: { privateKeyFile: keys/demo_ed25519 }',
      `      hostKey: ${hostKey.fingerprint}`,
      `      inbound: ${folders[0]}`,
      `      outbound: ${folders[2]}`,
      "      pattern: '*.x12'",
      `      afterPull: { move: ${folders[1]} }`,
      '      stable: { looks: 2, seconds: 1 }',
      "    schedule: '* * * * *'",
      "    acks: { ta1: on-error, '999': true }",
      '',
    ].join('\n'),
  );
  const env: NodeJS.ProcessEnv = { ...baseEnv, EDIBRIDGE_DATA_DIR: join(root, 'data'), EDIBRIDGE_PARTNERS_FILE: partnersFile };
  // Embedded defaults whatever the caller's environment says: PGlite and the local archive under the demo folder.
  for (const k of Object.keys(env)) if (k === 'DATABASE_URL' || k === 'EDIBRIDGE_ACK_DIR' || k.startsWith('EDIBRIDGE_STORE') || k.startsWith('EDIBRIDGE_S3_')) delete env[k];
  return {
    dir: root,
    sftp,
    env,
    partnersFile,
    inboundFolder,
    outboundFolder: sftp.localPath(folders[2]!),
    dropPayment: async () => {
      // Written aside and renamed in, as a partner's server would.
      const to = join(inboundFolder, DEMO_PAYMENT_FILE);
      await copyFile(join(samplesDir, DEMO_PAYMENT_FILE), `${to}.part`);
      await rename(`${to}.part`, to);
    },
    close: () => sftp.close(),
  };
}

/** What one cycle did, read back from the database. */
export interface DemoSummary {
  files: Array<{ id: string; name: string; status: string; outcome: string }>;
  invoices: Array<{ number: string; amountDueCents: number; paidCents: number }>;
  payments: Array<{ trace: string; status: string; amountCents: number }>;
  balanceCents: number;
  acknowledgements: Array<{ kind: string; delivery: string; remotePath: string | null; file: string }>;
  members: Record<string, number>;
  exceptions: Record<string, number>;
}

/** Whether every transfer's file is done with (processed, rejected, waiting or failed) and no acknowledgement waits. */
export async function demoSettled(db: Db, expectedFiles: number): Promise<boolean> {
  const { rows } = await db.query<{ transfers: number; open: number; pending: number }>(
    `select (select count(*) from inbound_transfer)::integer as transfers,
            (select count(*) from inbound_file where status in ('received', 'processing'))::integer as open,
            (select count(*) from outbound_acknowledgement where delivery = 'pending')::integer as pending`,
  );
  const r = rows[0]!;
  return r.transfers >= expectedFiles && r.open === 0 && r.pending === 0;
}

export async function demoSummary(db: Db): Promise<DemoSummary> {
  const files = await db.query<DemoSummary['files'][number]>(
    `select f.id::text as id, f.file_name as name, f.status, t.outcome
       from inbound_transfer t join inbound_file f on f.id = t.file_id order by t.id`,
  );
  const acks = await db.query<DemoSummary['acknowledgements'][number]>(
    `select o.kind, o.delivery, o.remote_path as "remotePath", f.file_name as file
       from outbound_acknowledgement o join inbound_file f on f.id = o.file_id order by o.id`,
  );
  const invoices = await db.query<DemoSummary['invoices'][number]>(
    `select i.invoice_number as number, i.amount_due_cents::float8 as "amountDueCents",
            coalesce((select sum(a.amount_cents) from payment_allocation a where a.invoice_id = i.id and a.disposition = 'applied'), 0)::float8 as "paidCents"
       from invoice i order by i.id`,
  );
  const payments = await db.query<DemoSummary['payments'][number]>('select trace_number as trace, status, amount_cents::float8 as "amountCents" from payment order by id');
  const balance = await groupBalance(db, DEMO_GROUP);
  const members = await db.query<{ action: string; n: number }>('select action, count(*)::integer as n from member_history group by action order by action');
  const exceptions = await db.query<{ category: string; n: number }>('select category, count(*)::integer as n from exception group by category order by category');
  return {
    files: files.rows,
    invoices: invoices.rows,
    payments: payments.rows,
    balanceCents: balance.balanceCents,
    acknowledgements: acks.rows,
    members: Object.fromEntries(members.rows.map((r) => [r.action, r.n])),
    exceptions: Object.fromEntries(exceptions.rows.map((r) => [r.category, r.n])),
  };
}

/** The demo's console users: an ops admin of the plan, and Acme's HR admin on the employer portal. */
export interface DemoSignIn {
  login: string;
  password: string;
  role: string;
}

/**
 * Seeds the plan's ops organisation and Acme's (GRP10045 and acme's files) with one user each.
 * Their generated passwords are printed by the demo and, being the demo's own, need no change
 * at the first sign-in.
 */
export async function seedDemoUsers(db: Db, now: Date): Promise<DemoSignIn[]> {
  await ensureOrganisation(db, { name: 'Health Plan Operations', kind: 'plan' });
  await ensureOrganisation(db, { name: 'Acme Widgets', kind: 'partner', groups: [DEMO_GROUP], partners: [DEMO_PARTNER] });
  const out: DemoSignIn[] = [];
  for (const u of [
    { login: 'ops.demo', displayName: 'Demo Ops', role: 'ops-admin', organisation: 'Health Plan Operations' },
    { login: 'hr.demo@acme.example', displayName: 'Acme HR', role: 'partner-admin', organisation: 'Acme Widgets' },
  ] as const) {
    const { user, password } = await createUser(db, u, now);
    out.push({ login: user.login, password, role: user.role });
  }
  await db.query('update app_user set must_change_password = false where login = any($1)', [out.map((u) => u.login)]);
  return out;
}
