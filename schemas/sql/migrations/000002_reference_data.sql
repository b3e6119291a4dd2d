-- 000002 reference data: trading partners, employer groups and plans.
-- Loaded as a whole from one YAML/JSON file (`edibridge setup load`), which is the full
-- reference set: the loader upserts what the file lists and deletes what it no longer lists,
-- in one transaction. The file's validator (src/reference/schema.ts) checks the same rules
-- as the constraints here; the constraints stay so that no other writer can break them.
-- Runs inside the migration runner's transaction, with search_path set to the target
-- schema: no BEGIN/COMMIT here, and no schema-qualified names.

-- A sender of 834/820 interchanges. Intake finds a file's partner by ISA05/ISA06, so that
-- pair is unique; an interchange from a pair not listed here is from an unknown partner.
create table trading_partner (
  -- Our own key for the partner (transport config key, inbound_file.partner).
  id text primary key check (id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  name text not null,
  -- ISA05/ISA06 and GS02: how the partner identifies itself as sender (ISA06 stored trimmed).
  isa_qualifier text not null check (isa_qualifier ~ '^[0-9A-Z]{2}$'),
  isa_id text not null check (length(isa_id) between 1 and 15),
  gs_id text not null check (length(gs_id) between 2 and 15),
  -- ISA07/ISA08 and GS03: our IDs as this partner addresses us. An ISA08 that is not ours
  -- rejects the interchange (TA1 009).
  receiver_isa_qualifier text not null check (receiver_isa_qualifier ~ '^[0-9A-Z]{2}$'),
  receiver_isa_id text not null check (length(receiver_isa_id) between 1 and 15),
  receiver_gs_id text not null check (length(receiver_gs_id) between 2 and 15),
  -- The transaction sets the partner sends us; anything else from it is refused.
  transaction_sets text[] not null
    check (cardinality(transaction_sets) > 0 and transaction_sets <@ array['834', '820']::text[]),
  unique (isa_qualifier, isa_id)
);

-- An employer group, by its group (master policy) number (REF*38 in 834 and 820).
create table employer_group (
  group_number text primary key,
  name text not null,
  -- The partner that sends this group's files. Restrict: a partner still named by a group
  -- cannot be removed (the loader removes the groups first).
  partner_id text not null references trading_partner (id) on delete restrict,
  -- Bills are generated on this day each month (a weekend moves it to the following
  -- Monday); at most 28 so that every month has it.
  billing_day integer not null check (billing_day between 1 and 28),
  billing_cycle text not null default 'monthly'
    check (billing_cycle in ('monthly', 'quarterly', 'semiannual', 'annual')),
  -- When false, COBRA enrollments for the group go to a person instead of being applied.
  cobra_self_administered boolean not null default false,
  -- What a full (replace) file does with members it omits: omissions are the most common
  -- cause of coverage gaps, so the default queues them for review.
  omitted_members text not null default 'review' check (omitted_members in ('terminate', 'review'))
);

create index employer_group_partner_id_idx on employer_group (partner_id);

create table group_subgroup (
  group_number text not null references employer_group (group_number) on delete cascade,
  code text not null,
  name text not null,
  primary key (group_number, code)
);

-- A class is valid over its effective period: a member's class must be valid on the hire
-- or effective date. A group that lists none gets class 1001, valid always.
create table group_class (
  group_number text not null references employer_group (group_number) on delete cascade,
  code text not null,
  description text not null,
  effective_from date not null,
  -- Null: open-ended.
  effective_to date check (effective_to >= effective_from),
  primary key (group_number, code)
);

-- A benefit plan on one insurance line (HD03 codes of 005010X220A1); its id is what the
-- 834's HD04 (plan coverage description) carries.
create table plan (
  id text primary key,
  insurance_line text not null check (insurance_line in (
    'AG', 'AH', 'AJ', 'AK', 'DCP', 'DEN', 'EPO', 'FAC', 'HE', 'HLT', 'HMO',
    'LTC', 'LTD', 'MM', 'MOD', 'PDG', 'POS', 'PPO', 'PRA', 'STD', 'UR', 'VIS')),
  name text not null
);

-- Monthly premium per plan and coverage level (HD05 codes), over an effective period.
-- The loader refuses overlapping periods for one plan and level (an exclusion constraint
-- would need btree_gist, which the embedded database lacks).
create table plan_rate (
  plan_id text not null references plan (id) on delete cascade,
  coverage_level text not null check (coverage_level in (
    'CHD', 'DEP', 'E1D', 'E2D', 'E3D', 'E5D', 'E6D', 'E7D', 'E8D', 'E9D',
    'ECH', 'EMP', 'ESP', 'FAM', 'IND', 'SPC', 'SPO', 'TWO')),
  effective_from date not null,
  effective_to date check (effective_to >= effective_from),
  -- Money is numeric, never float.
  monthly_rate numeric(12, 2) not null check (monthly_rate >= 0),
  primary key (plan_id, coverage_level, effective_from)
);

-- The plans a group offers; an enrollment in another plan is an error for that group.
create table group_plan (
  group_number text not null references employer_group (group_number) on delete cascade,
  plan_id text not null references plan (id) on delete restrict,
  primary key (group_number, plan_id)
);

create index group_plan_plan_id_idx on group_plan (plan_id);
