/**
 * `edibridge demo [--once] [--port N] [--dir DIR]` — one full cycle of the service on
 * embedded defaults, with nothing installed (src/app/demo.ts): a fresh folder (default
 * ./data/demo) with PGlite, the local archive and an in-process SFTP server seeded with the
 * sample 834s. The sample reference data is loaded, the service starts (the same code as
 * `serve`) and the partner's folder is pulled at once; once the enrollments are applied,
 * December is billed and the sample 820 paying that invoice is dropped and pulled. When every
 * file is processed and every acknowledgement delivered it prints what happened. Then it
 * keeps serving the console (it prints the URL and the seeded ops and employer sign-ins) and
 * the partner's schedule (pulls every minute; drop files into the folder it names) until
 * Ctrl-C, unless --once. Logs go to <dir>/edibridge.log. Exit 1: the cycle did
 * not finish in time.
 */
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { DEMO_ENROLLMENT_FILES, DEMO_GROUP, DEMO_PARTNER, DEMO_PERIOD, createDemoWorld, demoSettled, demoSummary, seedDemoUsers, type DemoSummary } from '../../app/demo.js';
import { billGroup } from '../../billing/invoice.js';
import { dollars } from '../../billing/render-html.js';
import { startService } from '../../app/service.js';
import { readReferenceFile } from '../../reference/load-file.js';
import { loadReferenceData } from '../../reference/store.js';
import { parseCommandArgs } from '../args.js';
import type { CommandOptions, Io } from '../io.js';
import { withApp } from '../run.js';
import { untilStopped, type ServeHooks } from './serve.js';

export const DEMO_USAGE = 'usage: edibridge demo [--once] [--port N] [--dir DIR]';

const SAMPLES = fileURLToPath(new URL('../../../samples/', import.meta.url));
/** How long the first cycle may take before the demo says it did not finish. */
const CYCLE_TIMEOUT_MS = 120_000;

export async function demoCommand(argv: string[], io: Io, options: CommandOptions = {}, hooks: ServeHooks = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, { once: { type: 'boolean' }, port: { type: 'string' }, dir: { type: 'string' } }, DEMO_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (positionals.length > 0 || !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    io.err(`${positionals.length > 0 ? '' : '--port: must be a port number (0–65535)\n'}${DEMO_USAGE}\n`);
    return 2;
  }
  const cwd = options.cwd ?? process.cwd();
  const dir = resolve(cwd, values.dir ?? join(io.env['EDIBRIDGE_DATA_DIR'] ?? 'data', 'demo'));
  const stop = untilStopped(hooks);
  io.out(`edibridge demo in ${dir}\n`);
  const world = await createDemoWorld(dir, SAMPLES, io.env);
  const env = { ...world.env, EDIBRIDGE_LOG_FILE: io.env['EDIBRIDGE_LOG_FILE'] ?? join(dir, 'edibridge.log'), EDIBRIDGE_LOG_LEVEL: io.env['EDIBRIDGE_LOG_LEVEL'] ?? 'info' };
  try {
    return await withApp({ ...io, env }, { ...options, cwd: dir }, { json: false, failure: 1, logLevel: 'info' }, async (app) => {
      const db = await app.db();
      const reference = await loadReferenceData(db, await readReferenceFile(join(SAMPLES, 'reference-data.yaml')));
      io.out(`  reference data loaded: ${reference.trading_partner.total} partners, ${reference.employer_group.total} groups, ${reference.plan.total} plans\n`);
      const users = await seedDemoUsers(db, app.now());
      io.out(`  SFTP server (in-process, its host key pinned) on 127.0.0.1:${world.sftp.port}: ${DEMO_ENROLLMENT_FILES.length} enrollment files waiting in ${DEMO_PARTNER}'s folder\n`);
      const service = await startService(app, { port, jobOptions: { stableIntervalMs: 500 } });
      try {
        const partner = (await app.partners()).find((p) => p.id === DEMO_PARTNER)!;
        const until = Date.now() + CYCLE_TIMEOUT_MS;
        const settle = async (files: number): Promise<boolean> => {
          while (!(await demoSettled(db, files))) {
            if (Date.now() > until) {
              io.err(`edibridge demo: the cycle did not finish within ${CYCLE_TIMEOUT_MS / 1000} s; see ${env.EDIBRIDGE_LOG_FILE}\n`);
              return false;
            }
            await new Promise((r) => setTimeout(r, 250));
          }
          return true;
        };
        await service.pullNow(partner);
        if (!(await settle(DEMO_ENROLLMENT_FILES.length))) return 1;
        const bill = await billGroup(db, { group: DEMO_GROUP, period: DEMO_PERIOD });
        io.out(`  ${DEMO_GROUP} billed for ${DEMO_PERIOD}: invoice ${bill.invoiceNumber}; the employer's 820 paying it is dropped in its folder\n`);
        await world.dropPayment();
        await service.pullNow(partner);
        if (!(await settle(DEMO_ENROLLMENT_FILES.length + 1))) return 1;
        io.out(formatDemoSummary(await demoSummary(db)));
        if (values.once) return 0;
        io.out(
          [
            '',
            `Console: http://localhost:${service.port}/ (API under /api, its OpenAPI document at /api/openapi.json; /healthz, /readyz, /metrics).`,
            ...users.map((u) => `  sign in as ${u.login} with password ${u.password} (${u.role === 'ops-admin' ? 'ops admin: dashboard, queue, held files, audit' : "Acme's HR admin: the employer portal"})`),
            `Logs in ${env.EDIBRIDGE_LOG_FILE}.`,
            `Drop X12 files into ${world.inboundFolder}: pulled every minute, acknowledgements appear in ${world.outboundFolder}.`,
            'Ctrl-C stops.',
            '',
          ].join('\n'),
        );
        await stop.stopped;
        return 0;
      } finally {
        await service.stop();
      }
    });
  } finally {
    stop.dispose();
    await world.close();
  }
}

export function formatDemoSummary(s: DemoSummary): string {
  const lines = ['', 'Files pulled, archived and processed:'];
  for (const f of s.files) lines.push(`  #${f.id} ${f.name}: ${f.outcome === 'new' ? f.status : `${f.outcome} (not applied)`}`);
  lines.push('Invoices:');
  for (const i of s.invoices) lines.push(`  ${i.number}: due ${dollars(i.amountDueCents)}, paid ${dollars(i.paidCents)}`);
  lines.push('Payments:');
  for (const p of s.payments) lines.push(`  ${p.trace}: ${dollars(p.amountCents)} ${p.status}`);
  lines.push(`Balance of the group: ${dollars(s.balanceCents)}`);
  lines.push('Acknowledgements:');
  for (const a of s.acknowledgements) lines.push(`  ${a.kind} for ${a.file}: ${a.delivery}${a.remotePath ? ` to ${a.remotePath}` : ''}`);
  const members = Object.entries(s.members).map(([k, n]) => `${n} ${k}`);
  lines.push(`Members: ${members.length ? members.join(', ') : 'none changed'}`);
  const exceptions = Object.entries(s.exceptions).map(([k, n]) => `${n} ${k}`);
  lines.push(`Exceptions opened: ${exceptions.length ? exceptions.join(', ') : 'none'}`);
  return `${lines.join('\n')}\n`;
}
