/**
 * `edibridge members show <member-id|subscriber-number> [--group G] [--on DATE] [--json]` and
 * `edibridge census <group> [--on DATE] [--json]`. Exit 0 when found, 1 when nothing matches
 * or the database fails, 2 for usage errors.
 */
import { z } from 'zod';
import type { Io } from '../cli/io.js';
import { parseCommandArgs } from '../cli/args.js';
import type { Db } from '../db/db.js';
import { migrate } from '../db/migrate.js';
import { openDb } from '../db/open.js';
import { isoDay } from '../enrollment/apply/dates.js';
import { resolvePhiProtector } from '../phi/key.js';
import { isIsoDate } from '../reference/schema.js';
import { coerceError } from '../core/errors.js';
import { groupCensus, type Census } from './census.js';
import { findFamilies, type FamilyView } from './member-view.js';

export const MEMBERS_USAGE = 'usage: edibridge members show <member-id|subscriber-number> [--group G] [--on YYYY-MM-DD] [--json]';
export const CENSUS_USAGE = 'usage: edibridge census <group-number> [--on YYYY-MM-DD] [--json]';

export interface MembershipCommandOptions {
  open?: (env: NodeJS.ProcessEnv) => Promise<Db>;
}

const Key = z.string().trim().min(1).max(80).regex(/^[0-9A-Za-z._-]+$/, 'letters, digits, dot, dash or underscore');
const Day = z.string().refine(isIsoDate, 'a date written YYYY-MM-DD');

async function withDb<T>(io: Io, options: MembershipCommandOptions, json: boolean, run: (db: Db) => Promise<T>): Promise<T | number> {
  let db: Db | undefined;
  try {
    db = await (options.open ?? ((env) => openDb(env)))(io.env);
    await migrate(db);
    return await run(db);
  } catch (err) {
    const e = coerceError(err);
    io.err(`edibridge: ${e.message}\n`);
    if (json) io.out(`${JSON.stringify({ error: { code: e.code, message: e.message } })}\n`);
    return 1;
  } finally {
    await db?.close().catch(() => {});
  }
}

function checkArgs(io: Io, usage: string, checks: Array<[string, z.ZodType, unknown]>): boolean {
  for (const [name, schema, value] of checks) {
    if (value === undefined) continue;
    const r = schema.safeParse(value);
    if (!r.success) {
      io.err(`${name}: ${r.error.issues[0]?.message ?? 'invalid'}\n${usage}\n`);
      return false;
    }
  }
  return true;
}

export async function membersCommand(argv: string[], io: Io, options: MembershipCommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, { group: { type: 'string' }, on: { type: 'string' }, json: { type: 'boolean', default: false } }, MEMBERS_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [sub, id, ...extra] = positionals;
  if (sub !== 'show' || id === undefined || extra.length > 0) {
    io.err(`${MEMBERS_USAGE}\n`);
    return 2;
  }
  if (!checkArgs(io, MEMBERS_USAGE, [['member id', Key, id], ['--group', Key, values.group], ['--on', Day, values.on]])) return 2;
  const on = values.on ?? isoDay(io.now());
  const result = await withDb(io, options, values.json, async (db) => {
    const phi = await resolvePhiProtector(io.env);
    return findFamilies(db, phi, id.trim(), on, values.group === undefined ? {} : { groupNumber: values.group });
  });
  if (typeof result === 'number') return result;
  if (result.length === 0) {
    io.err(`edibridge: no member with that member ID or subscriber number${values.group ? ' in that group' : ''}\n`);
    if (values.json) io.out('[]\n');
    return 1;
  }
  io.out(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${result.map((f) => formatFamily(f, on)).join('\n')}\n`);
  return 0;
}

export async function censusCommand(argv: string[], io: Io, options: MembershipCommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, { on: { type: 'string' }, json: { type: 'boolean', default: false } }, CENSUS_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [group, ...extra] = positionals;
  if (group === undefined || extra.length > 0) {
    io.err(`${CENSUS_USAGE}\n`);
    return 2;
  }
  if (!checkArgs(io, CENSUS_USAGE, [['group number', Key, group], ['--on', Day, values.on]])) return 2;
  const on = values.on ?? isoDay(io.now());
  const result = await withDb(io, options, values.json, async (db) => {
    const known = await db.query('select 1 from employer_group where group_number = $1', [group]);
    return known.rowCount ? groupCensus(db, group, on) : undefined;
  });
  if (typeof result === 'number') return result;
  if (!result) {
    io.err(`edibridge: no group ${group} in the reference data\n`);
    return 1;
  }
  io.out(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatCensus(result));
  return 0;
}

const COMPOSITION_TITLES = {
  employee: 'Employee only',
  'employee-spouse': 'Employee + spouse',
  'employee-children': 'Employee + children',
  family: 'Family',
} as const;

export function formatCensus(c: Census): string {
  const lines = [`Group ${c.groupNumber} on ${c.on}: ${c.subscribers} subscribers, ${c.dependents} dependents, ${c.subscribers + c.dependents} members`];
  for (const [k, title] of Object.entries(COMPOSITION_TITLES) as Array<[keyof typeof COMPOSITION_TITLES, string]>) {
    lines.push(`  ${title.padEnd(22)}${String(c.byComposition[k]).padStart(9)}`);
  }
  const lines2 = Object.entries(c.coverages);
  if (lines2.length) {
    lines.push('Coverages in force:');
    for (const [line, levels] of lines2) {
      lines.push(`  ${line.padEnd(5)}${Object.entries(levels).map(([lvl, n]) => `${lvl} ${n}`).join(', ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function formatFamily(f: FamilyView, on: string): string {
  const lines = [`Group ${f.groupNumber}, subscriber number ${f.subscriberNumber} (status on ${on})`];
  for (const m of f.members) {
    const name = [m.name.first, m.name.middle, m.name.last, m.name.suffix].filter(Boolean).join(' ');
    const ends = m.eligibilityEnd ? ` through ${m.eligibilityEnd}` : '';
    lines.push(
      `  ${m.memberId}  ${m.subscriber ? 'subscriber' : `dependent (${m.relationship})`}  ${name || '-'}  born ${m.birthDate ?? '-'}  SSN ${m.ssnLast4 ? `***-**-${m.ssnLast4}` : '-'}`,
      `    ${m.status}, eligible from ${m.eligibilityBegin}${ends}; class ${m.classCode}${m.subgroup ? `, subgroup ${m.subgroup}` : ''}${m.benefitStatus === 'C' ? ', COBRA' : ''}`,
    );
    for (const c of m.coverages) {
      lines.push(`    ${c.insuranceLine} ${c.planId} ${c.coverageLevel ?? '-'} ${c.begin} → ${c.cancelled ? 'cancelled' : c.end ?? 'open'}`);
    }
    for (const h of m.history) {
      lines.push(`    ${h.at.toISOString().slice(0, 16)}Z ${h.action}${h.effectiveDate ? ` effective ${h.effectiveDate}` : ''}${h.changed.length ? ` (${h.changed.join(', ')})` : ''} from file ${h.fileId} ISA13 ${h.interchangeControl} set ${h.setControl}${h.segmentPosition ? ` segment ${h.segmentPosition}` : ''}`);
    }
  }
  return lines.join('\n');
}
