/**
 * `edibridge ingest <file> [--partner ID] [--ack-dir DIR] [--json]` — validates a file,
 * writes its acknowledgements, applies its accepted 834 sets and prints what changed.
 * Exit 0 when the file was applied (or is a resend, which applies nothing), 1 when the
 * file or any of its sets was rejected, 2 for usage errors or when the ingest was refused
 * or failed (unknown partner, unreadable file, database error).
 */
import type { Io } from '../cli/io.js';
import { parseCommandArgs } from '../cli/args.js';
import { categoryTitle, type ExceptionCategory } from '../exceptions/categories.js';
import type { Db } from '../db/db.js';
import { migrate } from '../db/migrate.js';
import { openDb } from '../db/open.js';
import { resolvePhiProtector } from '../phi/key.js';
import { coerceError } from '../core/errors.js';
import { ingestFile, type IngestResult } from './ingest.js';

export const INGEST_USAGE = 'usage: edibridge ingest <file> [--partner ID] [--ack-dir DIR] [--json]';
export const DEFAULT_ACK_DIR = 'out/acks';

export interface IngestCommandOptions {
  open?: (env: NodeJS.ProcessEnv) => Promise<Db>;
  batchMembers?: number;
}

export async function ingestCommand(argv: string[], io: Io, options: IngestCommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, {
    partner: { type: 'string' },
    'ack-dir': { type: 'string' },
    json: { type: 'boolean', default: false },
  }, INGEST_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    io.err(`${INGEST_USAGE}\n`);
    return 2;
  }
  const file = positionals[0]!;
  let db: Db | undefined;
  try {
    const phi = await resolvePhiProtector(io.env);
    db = await (options.open ?? ((env) => openDb(env)))(io.env);
    await migrate(db);
    const result = await ingestFile(file, {
      db,
      phi,
      ackDir: values['ack-dir'] ?? DEFAULT_ACK_DIR,
      now: io.now,
      ...(values.partner !== undefined ? { partnerId: values.partner } : {}),
      ...(options.batchMembers !== undefined ? { batchMembers: options.batchMembers } : {}),
    });
    io.out(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatIngest(result));
    const rejected = result.status === 'rejected' || (result.validation !== undefined && result.validation.setsRejected > 0);
    return rejected ? 1 : 0;
  } catch (err) {
    const e = coerceError(err);
    io.err(`edibridge: ${e.message}\n`);
    if (values.json) io.out(`${JSON.stringify({ error: { code: e.code, message: e.message } })}\n`);
    return 2;
  } finally {
    await db?.close().catch(() => {});
  }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The summary people read: no element values, only counts, controls and categories. */
export function formatIngest(r: IngestResult): string {
  const lines = [`${r.file}: file ${r.fileId} from partner ${r.partner}: ${r.status}${r.resumed ? ' (resumed an interrupted ingest)' : ''}`];
  if (r.note) lines.push(`  ${r.note}`);
  if (r.validation) {
    lines.push(`  validation: ${plural(r.validation.setsAccepted, 'set')} accepted, ${r.validation.setsRejected} rejected`);
  }
  for (const a of r.acknowledgements) lines.push(`  ${a.kind} written: ${a.path ?? a.name}`);
  if (r.setsAlreadyApplied) lines.push(`  ${plural(r.setsAlreadyApplied, 'set')} applied by the earlier run`);
  if (r.setsNotApplied) lines.push(`  ${plural(r.setsNotApplied, 'set')} of other transactions (820) not applied by this release`);
  for (const s of r.sets) {
    const c = s.counts;
    lines.push(
      `  set ${s.setControl} (BGN02 ${s.reference || '-'}, ${s.action}): ${s.status}, ${plural(s.members, 'member')}` +
        (s.note ? ` — ${s.note}` : ''),
    );
    if (s.status !== 'duplicate') {
      const verb = s.status === 'verified' ? 'would be ' : '';
      lines.push(
        `    ${verb}added ${c.added}, changed ${c.changed}, terminated ${c.terminated}, cancelled ${c.cancelled}, reinstated ${c.reinstated}, unchanged ${c.unchanged}, held for a person ${c.held}` +
          (s.action !== 'change' ? `; members on file the file omits: ${s.omitted}` : ''),
      );
    }
  }
  const t = r.totals;
  lines.push(`  members added ${t.added}, changed ${t.changed}, terminated ${t.terminated}, cancelled ${t.cancelled}, reinstated ${t.reinstated}`);
  const cats = Object.entries(r.exceptions) as Array<[ExceptionCategory, number]>;
  if (cats.length === 0) lines.push('  exceptions: none');
  else {
    lines.push(`  exceptions (due in 48 hours): ${cats.reduce((a, [, n]) => a + n, 0)}`);
    for (const [cat, n] of cats.sort((a, b) => b[1] - a[1])) lines.push(`    ${String(n).padStart(6)}  ${categoryTitle(cat)}`);
  }
  return `${lines.join('\n')}\n`;
}
