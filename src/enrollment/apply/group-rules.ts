/**
 * The reference data the apply rules consult, loaded once per ingest: each group's partner,
 * COBRA and full-file settings (omissions, hold share), subgroups, classes with their effective periods, the
 * plans it offers by insurance line, and what its files call them (HD04 plan names).
 */
import type { Db } from '../../db/db.js';
import { normalisePlanName } from '../../reference/schema.js';

export interface ClassPeriod {
  from: string;
  to: string | null;
}

export interface GroupRules {
  groupNumber: string;
  partnerId: string;
  cobraSelfAdministered: boolean;
  omittedMembers: 'terminate' | 'review';
  /** A full file ending or queuing more than this share (percent) of the members in force is held. */
  fullFileHoldPercent: number;
  subgroups: ReadonlySet<string>;
  classes: ReadonlyMap<string, ClassPeriod>;
  /** Plan id → its insurance line, for the plans the group offers. */
  plans: ReadonlyMap<string, string>;
  /** planNameKey(line, HD04) → plan id: the group's names for its plans. */
  planNames: ReadonlyMap<string, string>;
}

/** The key of an HD04 plan name on an insurance line: trimmed, case ignored. */
export function planNameKey(line: string, name: string): string {
  return `${line}\u0000${normalisePlanName(name)}`;
}

export async function loadGroupRules(db: Db): Promise<Map<string, GroupRules>> {
  const groups = await db.query<{ group_number: string; partner_id: string; cobra_self_administered: boolean; omitted_members: 'terminate' | 'review'; full_file_hold_percent: string }>(
    'select group_number, partner_id, cobra_self_administered, omitted_members, full_file_hold_percent from employer_group',
  );
  const subgroups = await db.query<{ group_number: string; code: string }>('select group_number, code from group_subgroup');
  const classes = await db.query<{ group_number: string; code: string; effective_from: string; effective_to: string | null }>(
    'select group_number, code, effective_from, effective_to from group_class',
  );
  const plans = await db.query<{ group_number: string; plan_id: string; insurance_line: string }>(
    'select gp.group_number, gp.plan_id, p.insurance_line from group_plan gp join plan p on p.id = gp.plan_id',
  );
  const names = await db.query<{ group_number: string; insurance_line: string; name: string; plan_id: string }>(
    'select group_number, insurance_line, name, plan_id from group_plan_name',
  );
  const out = new Map<string, GroupRules>();
  for (const g of groups.rows) {
    out.set(g.group_number, {
      groupNumber: g.group_number,
      partnerId: g.partner_id,
      cobraSelfAdministered: g.cobra_self_administered,
      omittedMembers: g.omitted_members,
      fullFileHoldPercent: Number(g.full_file_hold_percent),
      subgroups: new Set(subgroups.rows.filter((r) => r.group_number === g.group_number).map((r) => r.code)),
      classes: new Map(
        classes.rows.filter((r) => r.group_number === g.group_number).map((r) => [r.code, { from: r.effective_from, to: r.effective_to }]),
      ),
      plans: new Map(plans.rows.filter((r) => r.group_number === g.group_number).map((r) => [r.plan_id, r.insurance_line])),
      planNames: new Map(names.rows.filter((r) => r.group_number === g.group_number).map((r) => [planNameKey(r.insurance_line, r.name), r.plan_id])),
    });
  }
  return out;
}

/** Whether the class period covers `on`. */
export function classValidOn(p: ClassPeriod, on: string): boolean {
  return p.from <= on && (p.to === null || p.to >= on);
}
