/**
 * `edibridge setup load <file> [--json]` — validates a reference data file (.yaml/.yml or
 * .json) and makes it the database's reference set (partners, groups, plans, rates).
 * Invalid data changes nothing, lists every problem, and never opens the database.
 * Exit 0 on success, 1 for invalid data or a database failure, 2 for usage or an unreadable file.
 */
import { resolve } from 'node:path';
import { coerceError } from '../../core/errors.js';
import { ReferenceDataError, readReferenceFile } from '../../reference/load-file.js';
import type { ReferenceData } from '../../reference/schema.js';
import { REFERENCE_TABLES, loadReferenceData } from '../../reference/store.js';
import { parseCommandArgs } from '../args.js';
import type { CommandOptions, Io } from '../io.js';
import { withApp } from '../run.js';

export const SETUP_USAGE = 'usage: edibridge setup load <file.yaml|file.json> [--json]';

export async function setupCommand(argv: string[], io: Io, options: CommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, { json: { type: 'boolean', default: false } }, SETUP_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [sub, file, ...extra] = positionals;
  if (sub !== 'load' || file === undefined || extra.length > 0) {
    io.err(`${SETUP_USAGE}\n`);
    return 2;
  }
  // Validate before touching the database: bad data never opens it.
  let data: ReferenceData;
  try {
    data = await readReferenceFile(resolve(options.cwd ?? process.cwd(), file));
  } catch (err) {
    const e = coerceError(err);
    io.err(`edibridge: ${e.message}\n`);
    if (values.json) {
      const issues = e instanceof ReferenceDataError && e.issues ? { issues: e.issues } : {};
      io.out(`${JSON.stringify({ error: { code: e.code, message: e.message.split('\n')[0], ...issues } })}\n`);
    }
    return e instanceof ReferenceDataError ? 1 : 2;
  }
  return withApp(io, options, { json: values.json, failure: 1 }, async (app) => {
    const db = await app.db();
    const counts = await loadReferenceData(db, data);
    app.log.info({ counts }, 'reference data loaded');
    if (values.json) {
      io.out(`${JSON.stringify({ kind: db.kind, file, counts })}\n`);
    } else {
      io.out(`loaded ${file} into the ${db.kind} database:\n`);
      for (const t of REFERENCE_TABLES) {
        const c = counts[t];
        io.out(`  ${t}: ${c.total} (inserted ${c.inserted}, updated ${c.updated}, deleted ${c.deleted})\n`);
      }
    }
    return 0;
  });
}
