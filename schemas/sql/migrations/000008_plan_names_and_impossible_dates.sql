-- 000008 plan names and impossible dates.
-- Runs inside the migration runner's transaction, with search_path set to the target
-- schema: no BEGIN/COMMIT here, and no schema-qualified names.

-- The names a group's files give its plans in HD04 (plan coverage description, free text of
-- up to 50 characters, spaces allowed: `HD*021**HLT*BRONZE HMO 5000*EMP~`), per insurance
-- line (HD03): the same text may name one plan on HLT and another on DEN. An HD04 that is
-- neither a plan id the group offers on that line nor one of these names is an
-- `unknown-plan` exception. Names are matched after trimming, ignoring case: one name per
-- group, line and spelling regardless of case.
alter table plan add constraint plan_id_insurance_line_key unique (id, insurance_line);

create table group_plan_name (
  group_number text not null,
  -- HD03: always the named plan's own line (the foreign key below says so).
  insurance_line text not null,
  -- HD04 as the group's files carry it, trimmed.
  name text not null check (length(name) between 1 and 50 and name = btrim(name)),
  plan_id text not null,
  primary key (group_number, insurance_line, name),
  -- The plan must be one the group offers; the name goes with the offer.
  foreign key (group_number, plan_id) references group_plan (group_number, plan_id) on delete cascade,
  foreign key (plan_id, insurance_line) references plan (id, insurance_line) on update cascade
);

create unique index group_plan_name_upper_key on group_plan_name (group_number, insurance_line, upper(name));
create index group_plan_name_plan_idx on group_plan_name (plan_id, insurance_line);

-- Dates that cannot be true are business rejects (the 999 cannot carry them): each is an
-- exception naming the member and what the sender must fix, and nothing of that member is
-- applied. The list is src/exceptions/categories.ts, in its order.
alter table exception drop constraint exception_category_check;
alter table exception add constraint exception_category_check check (category in (
  'member-match-uncertain', 'last-name-change', 'dependent-birth-date-change',
  'other-coverage', 'medicare', 'cobra-not-self-administered', 'class-after-hire',
  'class-not-valid', 'dependent-age-26', 'possible-unintended-termination',
  'retro-beyond-six-months', 'invalid-termination-date', 'zip-state-mismatch',
  'unknown-group', 'unknown-plan', 'birth-date-in-future', 'coverage-ends-before-begin',
  'eligibility-ends-before-begin', 'unknown-invoice', 'unknown-member',
  'duplicate-payment', 'payment-total-mismatch', 'rejected-set', 'other'));
