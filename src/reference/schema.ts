/**
 * The reference data file: trading partners, employer groups (subgroups, classes, billing,
 * COBRA, full-file omission policy) and plans with their monthly rates. One YAML or JSON
 * file is the whole reference set (see samples/reference-data.yaml); `edibridge setup load`
 * validates it with this schema and replaces what the database holds.
 *
 * Glossary (used exactly so in src/reference):
 * - **partner**: a trading partner, the sender of 834/820 interchanges, known by its ISA05/ISA06
 *   (qualifier + sender ID) and GS02; `receiver` holds our own IDs as that partner addresses
 *   us (ISA07/ISA08, GS03).
 * - **group**: an employer group, by its group (master policy) number (834/820 REF*38).
 * - **subgroup**, **class**: divisions of a group; a class is valid over an effective period.
 *   A group that lists no class gets the default class 1001, valid always.
 * - **plan**: a benefit plan on one insurance line (HD03), rated per coverage level (HD05).
 * - **plan name**: what a group's files call one of its plans in HD04 (free text with spaces,
 *   e.g. `BRONZE HMO 5000`); it means that plan on the plan's insurance line, for that group.
 *
 * Objects are strict (an unknown key is an error: a misspelt optional setting must not be
 * silently ignored). Messages never quote a field's value, only its path.
 */
import { z } from 'zod';

/** HD03 Insurance Line Code, as the 005010X220A1 guide lists it (schemas/x12/834…json). */
export const INSURANCE_LINES = [
  'AG', 'AH', 'AJ', 'AK', 'DCP', 'DEN', 'EPO', 'FAC', 'HE', 'HLT', 'HMO',
  'LTC', 'LTD', 'MM', 'MOD', 'PDG', 'POS', 'PPO', 'PRA', 'STD', 'UR', 'VIS',
] as const;

/** HD05 Coverage Level Code, as the 005010X220A1 guide lists it. */
export const COVERAGE_LEVELS = [
  'CHD', 'DEP', 'E1D', 'E2D', 'E3D', 'E5D', 'E6D', 'E7D', 'E8D', 'E9D',
  'ECH', 'EMP', 'ESP', 'FAM', 'IND', 'SPC', 'SPO', 'TWO',
] as const;

/** ISA05/ISA07 Interchange ID Qualifier codes (X12 5010). */
export const ISA_QUALIFIERS = ['01', '14', '20', '27', '28', '29', '30', '33', 'ZZ'] as const;

export const BILLING_CYCLES = ['monthly', 'quarterly', 'semiannual', 'annual'] as const;

/** What a full (replace, BGN08 RX) file does with the group's members it omits. */
export const OMITTED_MEMBER_POLICIES = ['terminate', 'review'] as const;

/** The share (percent) of a group's members in force a full file may end or queue before it is held. */
export const DEFAULT_FULL_FILE_HOLD_PERCENT = 5;

export const TRANSACTION_SETS = ['834', '820'] as const;

export const DEFAULT_CLASS_CODE = '1001';
/** The default class is valid always: from this date, open-ended. */
export const DEFAULT_CLASS_FROM = '1900-01-01';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `s` is a real calendar date written YYYY-MM-DD. */
export function isIsoDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

const isoDate = z.string({ error: 'must be a date written YYYY-MM-DD' }).refine(isIsoDate, 'must be a real date written YYYY-MM-DD');

const text = (what: string, max = 200) =>
  z
    .string({ error: `${what} must be text` })
    .trim()
    .min(1, `${what} must not be empty`)
    .max(max, `${what} must be at most ${max} characters`);

/** An identifier as X12 carries it: letters, digits, space and a few marks; no padding. */
const x12Id = (what: string, min: number, max: number) =>
  z
    .string({ error: `${what} must be text` })
    .regex(/^[A-Za-z0-9](?:[A-Za-z0-9 ._\-]*[A-Za-z0-9._\-])?$/, `${what} must be letters, digits, spaces, '.', '_' or '-', without leading or trailing spaces`)
    .min(min, `${what} must be at least ${min} characters`)
    .max(max, `${what} must be at most ${max} characters`);

const code = (what: string) =>
  z
    .string({ error: `${what} must be text` })
    .regex(/^[A-Za-z0-9][A-Za-z0-9_\-]{0,29}$/, `${what} must be 1–30 letters, digits, '_' or '-'`);

const effective = z
  .strictObject({
    from: isoDate,
    to: isoDate.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.to !== undefined && isIsoDate(v.from) && isIsoDate(v.to) && v.to < v.from) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    }
  });
export type EffectivePeriod = z.infer<typeof effective>;

/** Money: a number (or decimal string) >= 0 with at most 2 decimals; normalised to "123.40". */
const money = z
  .union([z.number(), z.string()], { error: 'must be an amount such as 512.40' })
  .transform((v, ctx): string => {
    const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'x') : v.trim();
    if ((typeof v === 'string' && !/^-?\d+(\.\d+)?$/.test(s)) || !Number.isFinite(Number(s))) {
      ctx.addIssue({ code: 'custom', message: 'must be an amount such as 512.40' });
      return z.NEVER;
    }
    const n = Number(s);
    if (!(n >= 0)) {
      ctx.addIssue({ code: 'custom', message: 'must not be negative' });
      return z.NEVER;
    }
    const cents = n * 100;
    if (Math.abs(cents - Math.round(cents)) > 1e-6) {
      ctx.addIssue({ code: 'custom', message: 'must have at most 2 decimals' });
      return z.NEVER;
    }
    if (n >= 1e10) {
      ctx.addIssue({ code: 'custom', message: 'must be less than 10000000000' });
      return z.NEVER;
    }
    return (Math.round(cents) / 100).toFixed(2);
  });

const partner = z.strictObject({
  /** Our own key for the partner (transport config, file register). */
  id: z.string({ error: 'must be text' }).regex(/^[a-z0-9][a-z0-9_\-]{0,62}$/, "must be 1–63 lower-case letters, digits, '_' or '-'"),
  name: text('name'),
  /** ISA05/ISA06: how the partner identifies itself as sender. */
  isa: z.strictObject({
    qualifier: z.enum(ISA_QUALIFIERS, { error: `must be an ISA qualifier: ${ISA_QUALIFIERS.join(', ')}` }),
    id: x12Id('ISA sender ID', 1, 15),
  }),
  /** GS02: the partner's application sender code. */
  gs_id: x12Id('GS sender code', 2, 15),
  /** Our IDs as this partner addresses us: ISA07/ISA08 and GS03. */
  receiver: z.strictObject({
    isa_qualifier: z.enum(ISA_QUALIFIERS, { error: `must be an ISA qualifier: ${ISA_QUALIFIERS.join(', ')}` }),
    isa_id: x12Id('ISA receiver ID', 1, 15),
    gs_id: x12Id('GS receiver code', 2, 15),
  }),
  /** Transaction sets the partner sends us. */
  transactions: z
    .array(z.enum(TRANSACTION_SETS, { error: `must be one of ${TRANSACTION_SETS.join(', ')}` }))
    .min(1, 'must list at least one transaction set')
    .refine((a) => new Set(a).size === a.length, 'must not repeat a transaction set'),
});

const subgroup = z.strictObject({
  code: code('subgroup code'),
  name: text('name'),
});

const groupClass = z.strictObject({
  code: code('class code'),
  description: text('description'),
  effective,
});

/** HD04 as a partner writes it: letters, digits, spaces and marks, no padding, at most 50. */
const planName = z.strictObject({
  name: z
    .string({ error: 'must be text' })
    .regex(/^\S(?:.*\S)?$/, 'must not be empty or start or end with a space')
    .max(50, 'must be at most 50 characters (the length of HD04)')
    .refine((v) => !/[~*^:|\r\n]/.test(v), 'must not contain ~ * ^ : | or a line break (X12 delimiters)'),
  /** The plan id this name means; a plan the group offers. */
  plan: z.string({ error: 'must be a plan id' }),
});

/** How an HD04 compares with a plan name: trimmed, case ignored (the one rule, see planNameKey). */
export function normalisePlanName(name: string): string {
  return name.trim().toUpperCase();
}

const group = z.strictObject({
  /** The group (master policy) number, as in REF*38. */
  group_number: x12Id('group number', 1, 50),
  name: text('name'),
  /** The partner that sends this group's files. */
  partner: z.string({ error: 'must be a partner id' }),
  billing: z.strictObject({
    /** Day of the month bills are generated (a weekend moves it to the following Monday). */
    day: z
      .number({ error: 'must be a whole number from 1 to 28' })
      .int('must be a whole number from 1 to 28')
      .min(1, 'must be from 1 to 28')
      .max(28, 'must be from 1 to 28 (every month has it)'),
    cycle: z.enum(BILLING_CYCLES, { error: `must be one of ${BILLING_CYCLES.join(', ')}` }).default('monthly'),
    /** How far (in dollars) a payment may differ from the bill before a person looks (default 1.00). */
    tolerance: z
      .number({ error: 'must be an amount in dollars, e.g. 1.00' })
      .min(0, 'must not be negative')
      .max(100000, 'must be at most 100000')
      .refine((n) => Number.isInteger(Math.round(n * 100)) && Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, 'must have at most two decimals')
      .default(1),
  }),
  /** The day the group's coverage with the plan ended (payments for later periods go to a person). */
  terminated_on: isoDate.optional(),
  /** Whether the group administers COBRA itself (else COBRA enrollments go to a person). */
  cobra_self_administered: z.boolean({ error: 'must be true or false' }).default(false),
  /** Members a full file omits: terminated, or queued for review (default: the safe choice). */
  omitted_members: z.enum(OMITTED_MEMBER_POLICIES, { error: `must be one of ${OMITTED_MEMBER_POLICIES.join(', ')}` }).default('review'),
  /**
   * A full file that would end or queue more than this share (percent) of the group's members
   * in force is held for a person to release or reject (src/enrollment/held-files.ts); 100:
   * never held.
   */
  full_file_hold_percent: z
    .number({ error: 'must be a percentage from 0 to 100, e.g. 5' })
    .min(0, 'must be from 0 to 100')
    .max(100, 'must be from 0 to 100')
    .refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, 'must have at most two decimals')
    .default(DEFAULT_FULL_FILE_HOLD_PERCENT),
  subgroups: z.array(subgroup).default([]),
  classes: z.array(groupClass).default([]),
  /** Ids of the plans the group offers. */
  plans: z.array(z.string({ error: 'must be a plan id' })).default([]),
  /**
   * What the group's files call its plans in HD04 (plan coverage description, free text, up
   * to 50 characters): each name means the plan on that plan's insurance line (HD03). Matched
   * after trimming, ignoring case; an HD04 that is neither a plan id the group offers on the
   * line nor one of these names is `unknown-plan`.
   */
  plan_names: z.array(planName).default([]),
});

const rate = z.strictObject({
  coverage_level: z.enum(COVERAGE_LEVELS, { error: 'must be an HD05 coverage level code of 005010X220A1 (EMP, ESP, ECH, FAM, …)' }),
  monthly_rate: money,
  effective,
});

const plan = z.strictObject({
  id: code('plan id'),
  insurance_line: z.enum(INSURANCE_LINES, { error: 'must be an HD03 insurance line code of 005010X220A1 (HLT, DEN, VIS, PDG, …)' }),
  name: text('name'),
  rates: z.array(rate).default([]),
});

/** Reports each later duplicate of `key` in `items`, naming the first occurrence's index. */
function unique<T>(
  ctx: z.RefinementCtx,
  items: readonly T[],
  key: (t: T) => string,
  path: (i: number) => (string | number)[],
  what: string,
  firstPath: (i: number) => string,
): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else ctx.addIssue({ code: 'custom', path: path(i), message: `duplicate ${what} (same as ${firstPath(first)})` });
  });
}

const overlaps = (a: EffectivePeriod, b: EffectivePeriod): boolean =>
  a.from <= (b.to ?? '9999-12-31') && b.from <= (a.to ?? '9999-12-31');

export const ReferenceDataSchema = z
  .strictObject({
    partners: z.array(partner).min(1, 'must list at least one partner'),
    plans: z.array(plan).default([]),
    groups: z.array(group).default([]),
  })
  .superRefine((data, ctx) => {
    unique(ctx, data.partners, (p) => p.id, (i) => ['partners', i, 'id'], 'partner id', (i) => `partners[${i}]`);
    unique(
      ctx,
      data.partners,
      (p) => `${p.isa.qualifier}:${p.isa.id}`,
      (i) => ['partners', i, 'isa'],
      'ISA sender qualifier and ID',
      (i) => `partners[${i}]`,
    );
    unique(ctx, data.plans, (p) => p.id, (i) => ['plans', i, 'id'], 'plan id', (i) => `plans[${i}]`);
    unique(ctx, data.groups, (g) => g.group_number, (i) => ['groups', i, 'group_number'], 'group number', (i) => `groups[${i}]`);

    data.plans.forEach((p, pi) => {
      p.rates.forEach((r, ri) => {
        for (let j = 0; j < ri; j++) {
          const other = p.rates[j];
          if (other && other.coverage_level === r.coverage_level && overlaps(other.effective, r.effective)) {
            ctx.addIssue({
              code: 'custom',
              path: ['plans', pi, 'rates', ri, 'effective'],
              message: `overlaps plans[${pi}].rates[${j}] for the same coverage level`,
            });
            break;
          }
        }
      });
    });

    const partnerIds = new Set(data.partners.map((p) => p.id));
    const planIds = new Set(data.plans.map((p) => p.id));
    const lineOf = new Map(data.plans.map((p) => [p.id, p.insurance_line]));
    data.groups.forEach((g, gi) => {
      if (!partnerIds.has(g.partner)) {
        ctx.addIssue({ code: 'custom', path: ['groups', gi, 'partner'], message: 'names no partner listed under partners' });
      }
      const at = `groups[${gi}]`;
      unique(ctx, g.subgroups, (s) => s.code, (i) => ['groups', gi, 'subgroups', i, 'code'], 'subgroup code in this group', (i) => `${at}.subgroups[${i}]`);
      unique(ctx, g.classes, (c) => c.code, (i) => ['groups', gi, 'classes', i, 'code'], 'class code in this group', (i) => `${at}.classes[${i}]`);
      unique(ctx, g.plans, (p) => p, (i) => ['groups', gi, 'plans', i], 'plan in this group', (i) => `${at}.plans[${i}]`);
      g.plans.forEach((p, i) => {
        if (!planIds.has(p)) ctx.addIssue({ code: 'custom', path: ['groups', gi, 'plans', i], message: 'names no plan listed under plans' });
      });
      // A name means one plan on its line, and never another offered plan's id there.
      const offered = new Set(g.plans);
      const named = new Map<string, number>();
      g.plan_names.forEach((n, i) => {
        const plan = lineOf.get(n.plan);
        if (!offered.has(n.plan) || plan === undefined) {
          ctx.addIssue({ code: 'custom', path: ['groups', gi, 'plan_names', i, 'plan'], message: 'names no plan this group offers (under its plans)' });
          return;
        }
        const key = `${plan}\u0000${normalisePlanName(n.name)}`;
        const first = named.get(key);
        if (first !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['groups', gi, 'plan_names', i, 'name'], message: `duplicate plan name on this insurance line, case ignored (same as ${at}.plan_names[${first}])` });
          return;
        }
        named.set(key, i);
        const clash = g.plans.find((id) => id !== n.plan && lineOf.get(id) === plan && normalisePlanName(id) === normalisePlanName(n.name));
        if (clash !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['groups', gi, 'plan_names', i, 'name'], message: "is the id of another plan the group offers on this insurance line" });
        }
      });
    });
  })
  .transform((data) => ({
    ...data,
    groups: data.groups.map((g) =>
      g.classes.length > 0
        ? g
        : { ...g, classes: [{ code: DEFAULT_CLASS_CODE, description: 'Default class', effective: { from: DEFAULT_CLASS_FROM } }] },
    ),
  }));

/** The file as written (before defaults). */
export type ReferenceDataInput = z.input<typeof ReferenceDataSchema>;
/** The validated reference set, defaults applied, rates normalised to "123.40" strings. */
export type ReferenceData = z.output<typeof ReferenceDataSchema>;
export type TradingPartner = ReferenceData['partners'][number];
export type EmployerGroup = ReferenceData['groups'][number];
export type GroupSubgroup = EmployerGroup['subgroups'][number];
export type GroupClass = EmployerGroup['classes'][number];
export type Plan = ReferenceData['plans'][number];
export type PlanRate = Plan['rates'][number];
export type GroupPlanName = EmployerGroup['plan_names'][number];
export type InsuranceLine = (typeof INSURANCE_LINES)[number];
export type CoverageLevel = (typeof COVERAGE_LEVELS)[number];
export type BillingCycle = (typeof BILLING_CYCLES)[number];
export type OmittedMemberPolicy = (typeof OMITTED_MEMBER_POLICIES)[number];
