/**
 * pg-boss's database port over ours: `executeSql(text, values)` on a `Db`, so the job engine
 * runs on the same code path for PostgreSQL (a pg pool) and PGlite (in this process).
 *
 * pg-boss sends two kinds of SQL: statements with parameters (one statement each: `query`,
 * the extended protocol) and, without parameters, single statements or scripts such as
 * `BEGIN; SET LOCAL …; SELECT pg_advisory_xact_lock(…); …; COMMIT;` whose last statement's
 * rows it reads (`script`, the simple protocol).
 */
import type { Db } from '../db/db.js';

export interface BossDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number }>;
}

export function bossDb(db: Db): BossDb {
  return {
    executeSql: (text, values) => (values !== undefined && values.length > 0 ? db.query(text, values) : db.script(text)),
  };
}
