/**
 * Storing the reference set. The file is the full reference set: `loadReferenceData`
 * upserts every row it lists and deletes every row it no longer lists, in ONE transaction
 * (a failure, e.g. a group still referenced elsewhere, rolls back everything). Rows go in
 * as arrays (`insert … select from unnest($1::text[], …)`), one statement per table, and an
 * unchanged row is not rewritten, so loading the same file twice changes nothing.
 */
import type { Db } from '../db/db.js';
import type { ReferenceData } from './schema.js';

/** The reference tables, in the order they are reported. */
export const REFERENCE_TABLES = [
  'trading_partner',
  'employer_group',
  'group_subgroup',
  'group_class',
  'plan',
  'plan_rate',
  'group_plan',
  'group_plan_name',
] as const;
export type ReferenceTable = (typeof REFERENCE_TABLES)[number];

export interface TableCounts {
  inserted: number;
  updated: number;
  deleted: number;
  /** Rows in the table afterwards. */
  total: number;
}
export type ReferenceCounts = Record<ReferenceTable, TableCounts>;

interface Column {
  name: string;
  /** The Postgres type of the array element (`text`, `date`, …): `$n::type[]`. */
  type: string;
  /** What to insert, from the unnested column `u.<name>` (default `u.<name>`). */
  expr?: string;
}

interface TableSpec {
  table: ReferenceTable;
  columns: readonly Column[];
  key: readonly string[];
}

type Value = string | number | boolean | null;

const SPECS = {
  trading_partner: {
    table: 'trading_partner',
    key: ['id'],
    columns: [
      { name: 'id', type: 'text' },
      { name: 'name', type: 'text' },
      { name: 'isa_qualifier', type: 'text' },
      { name: 'isa_id', type: 'text' },
      { name: 'gs_id', type: 'text' },
      { name: 'receiver_isa_qualifier', type: 'text' },
      { name: 'receiver_isa_id', type: 'text' },
      { name: 'receiver_gs_id', type: 'text' },
      // Arrays of arrays do not unnest row by row: sent comma-joined.
      { name: 'transaction_sets', type: 'text', expr: "string_to_array(u.transaction_sets, ',')" },
    ],
  },
  employer_group: {
    table: 'employer_group',
    key: ['group_number'],
    columns: [
      { name: 'group_number', type: 'text' },
      { name: 'name', type: 'text' },
      { name: 'partner_id', type: 'text' },
      { name: 'billing_day', type: 'int4' },
      { name: 'billing_cycle', type: 'text' },
      { name: 'cobra_self_administered', type: 'bool' },
      { name: 'omitted_members', type: 'text' },
      { name: 'payment_tolerance_cents', type: 'int8' },
      { name: 'terminated_on', type: 'date' },
      { name: 'full_file_hold_percent', type: 'numeric' },
    ],
  },
  group_subgroup: {
    table: 'group_subgroup',
    key: ['group_number', 'code'],
    columns: [
      { name: 'group_number', type: 'text' },
      { name: 'code', type: 'text' },
      { name: 'name', type: 'text' },
    ],
  },
  group_class: {
    table: 'group_class',
    key: ['group_number', 'code'],
    columns: [
      { name: 'group_number', type: 'text' },
      { name: 'code', type: 'text' },
      { name: 'description', type: 'text' },
      { name: 'effective_from', type: 'date' },
      { name: 'effective_to', type: 'date' },
    ],
  },
  plan: {
    table: 'plan',
    key: ['id'],
    columns: [
      { name: 'id', type: 'text' },
      { name: 'insurance_line', type: 'text' },
      { name: 'name', type: 'text' },
    ],
  },
  plan_rate: {
    table: 'plan_rate',
    key: ['plan_id', 'coverage_level', 'effective_from'],
    columns: [
      { name: 'plan_id', type: 'text' },
      { name: 'coverage_level', type: 'text' },
      { name: 'effective_from', type: 'date' },
      { name: 'effective_to', type: 'date' },
      { name: 'monthly_rate', type: 'numeric' },
    ],
  },
  group_plan: {
    table: 'group_plan',
    key: ['group_number', 'plan_id'],
    columns: [
      { name: 'group_number', type: 'text' },
      { name: 'plan_id', type: 'text' },
    ],
  },
  group_plan_name: {
    table: 'group_plan_name',
    key: ['group_number', 'insurance_line', 'name'],
    columns: [
      { name: 'group_number', type: 'text' },
      { name: 'insurance_line', type: 'text' },
      { name: 'name', type: 'text' },
      { name: 'plan_id', type: 'text' },
    ],
  },
} as const satisfies Record<ReferenceTable, TableSpec>;

/** Rows of a table in column order, from the validated data. */
function rowsOf(data: ReferenceData): Record<ReferenceTable, Value[][]> {
  const lineOf = new Map(data.plans.map((p) => [p.id, p.insurance_line]));
  return {
    trading_partner: data.partners.map((p) => [
      p.id,
      p.name,
      p.isa.qualifier,
      p.isa.id,
      p.gs_id,
      p.receiver.isa_qualifier,
      p.receiver.isa_id,
      p.receiver.gs_id,
      p.transactions.join(','),
    ]),
    employer_group: data.groups.map((g) => [
      g.group_number,
      g.name,
      g.partner,
      g.billing.day,
      g.billing.cycle,
      g.cobra_self_administered,
      g.omitted_members,
      Math.round(g.billing.tolerance * 100),
      g.terminated_on ?? null,
      String(g.full_file_hold_percent),
    ]),
    group_subgroup: data.groups.flatMap((g) => g.subgroups.map((s) => [g.group_number, s.code, s.name])),
    group_class: data.groups.flatMap((g) =>
      g.classes.map((c) => [g.group_number, c.code, c.description, c.effective.from, c.effective.to ?? null]),
    ),
    plan: data.plans.map((p) => [p.id, p.insurance_line, p.name]),
    plan_rate: data.plans.flatMap((p) =>
      p.rates.map((r) => [p.id, r.coverage_level, r.effective.from, r.effective.to ?? null, r.monthly_rate]),
    ),
    group_plan: data.groups.flatMap((g) => g.plans.map((p) => [g.group_number, p])),
    group_plan_name: data.groups.flatMap((g) => g.plan_names.map((n) => [g.group_number, lineOf.get(n.plan) ?? null, n.name, n.plan])),
  };
}

/** Column-major arrays, one per column, for `unnest`. */
function columnsOf(spec: TableSpec, rows: readonly Value[][]): Value[][] {
  return spec.columns.map((_, c) => rows.map((r) => r[c] ?? null));
}

function unnestFrom(spec: TableSpec, only?: readonly string[]): { sql: string; names: string[] } {
  const cols = only ? spec.columns.filter((c) => only.includes(c.name)) : spec.columns;
  const params = cols.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  const names = cols.map((c) => c.name);
  return { sql: `unnest(${params}) as u(${names.join(', ')})`, names };
}

/** Inserts or updates the rows; an unchanged row is left alone. */
async function upsert(tx: Db, spec: TableSpec, rows: readonly Value[][]): Promise<{ inserted: number; updated: number }> {
  if (rows.length === 0) return { inserted: 0, updated: 0 };
  const from = unnestFrom(spec);
  const select = spec.columns.map((c) => ('expr' in c && c.expr ? c.expr : `u.${c.name}`)).join(', ');
  const rest = spec.columns.map((c) => c.name).filter((n) => !spec.key.includes(n));
  const conflict =
    rest.length === 0
      ? 'do nothing'
      : `do update set ${rest.map((n) => `${n} = excluded.${n}`).join(', ')}
         where (${rest.map((n) => `${spec.table}.${n}`).join(', ')}, null) is distinct from (${rest.map((n) => `excluded.${n}`).join(', ')}, null)`;
  const { rows: out } = await tx.query<{ inserted: boolean }>(
    `insert into ${spec.table} (${spec.columns.map((c) => c.name).join(', ')})
     select ${select} from ${from.sql}
     on conflict (${spec.key.join(', ')}) ${conflict}
     returning (xmax::text = '0') as inserted`,
    columnsOf(spec, rows),
  );
  const inserted = out.filter((r) => r.inserted).length;
  return { inserted, updated: out.length - inserted };
}

/** Deletes the rows whose key the file does not list. */
async function deleteAbsent(tx: Db, spec: TableSpec, rows: readonly Value[][]): Promise<number> {
  const from = unnestFrom(spec, spec.key);
  const keyCols = spec.columns.filter((c) => spec.key.includes(c.name));
  const values = keyCols.map((c) => {
    const i = spec.columns.indexOf(c);
    return rows.map((r) => r[i] ?? null);
  });
  const r = await tx.query(
    `delete from ${spec.table} t where not exists (
       select 1 from ${from.sql} where ${from.names.map((n) => `u.${n} = t.${n}`).join(' and ')})`,
    values,
  );
  return r.rowCount;
}

/**
 * Replaces the stored reference set with `data` (already validated by ReferenceDataSchema)
 * in one transaction, and returns what changed per table.
 */
export async function loadReferenceData(db: Db, data: ReferenceData): Promise<ReferenceCounts> {
  const rows = rowsOf(data);
  return db.transaction(async (tx) => {
    const changed = {} as Record<ReferenceTable, { inserted: number; updated: number }>;
    const deleted = {} as Record<ReferenceTable, number>;
    // Parents first (a group's partner, a group plan's plan must exist)…
    for (const t of ['trading_partner', 'plan', 'employer_group'] as const) changed[t] = await upsert(tx, SPECS[t], rows[t]);
    // …then children, whose stale rows go before their stale parents, so that nothing is
    // deleted by cascade uncounted and a restricting reference fails loudly. A plan name
    // hangs on its group's offer of the plan: names go first and come back last.
    const children = ['group_plan_name', 'group_plan', 'group_class', 'group_subgroup', 'plan_rate'] as const;
    for (const t of children) deleted[t] = await deleteAbsent(tx, SPECS[t], rows[t]);
    for (const t of [...children.slice(1), children[0]]) changed[t] = await upsert(tx, SPECS[t], rows[t]);
    for (const t of ['employer_group', 'plan', 'trading_partner'] as const) deleted[t] = await deleteAbsent(tx, SPECS[t], rows[t]);
    const totals = await countReferenceRows(tx);
    const counts = {} as ReferenceCounts;
    for (const t of REFERENCE_TABLES) counts[t] = { ...changed[t], deleted: deleted[t], total: totals[t] };
    return counts;
  });
}

/** Rows per reference table. */
export async function countReferenceRows(db: Db): Promise<Record<ReferenceTable, number>> {
  const { rows } = await db.query<Record<ReferenceTable, string>>(
    `select ${REFERENCE_TABLES.map((t) => `(select count(*) from ${t}) as ${t}`).join(', ')}`,
  );
  const row = rows[0];
  const out = {} as Record<ReferenceTable, number>;
  for (const t of REFERENCE_TABLES) out[t] = Number(row?.[t] ?? 0);
  return out;
}

export interface TradingPartnerRow {
  id: string;
  name: string;
  isaQualifier: string;
  isaId: string;
  gsId: string;
  receiverIsaQualifier: string;
  receiverIsaId: string;
  receiverGsId: string;
  transactionSets: string[];
}

/**
 * The partner that sends as ISA05 `qualifier` / ISA06 `id` (padding ignored), or undefined:
 * a file from an unknown partner.
 */
const PARTNER_COLUMNS = `id, name, isa_qualifier as "isaQualifier", isa_id as "isaId", gs_id as "gsId",
  receiver_isa_qualifier as "receiverIsaQualifier", receiver_isa_id as "receiverIsaId",
  receiver_gs_id as "receiverGsId", transaction_sets as "transactionSets"`;

export async function findPartnerByIsa(db: Db, qualifier: string, id: string): Promise<TradingPartnerRow | undefined> {
  const { rows } = await db.query<TradingPartnerRow>(`select ${PARTNER_COLUMNS} from trading_partner where isa_qualifier = $1 and isa_id = $2`, [qualifier.trim(), id.trim()]);
  return rows[0];
}

/** The partner with this id, or undefined. */
export async function findPartnerById(db: Db, id: string): Promise<TradingPartnerRow | undefined> {
  const { rows } = await db.query<TradingPartnerRow>(`select ${PARTNER_COLUMNS} from trading_partner where id = $1`, [id]);
  return rows[0];
}
