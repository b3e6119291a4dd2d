-- 000012 billing: invoices (list bills) from coverages × rates, the payments 820s bring and
-- how each remittance line was applied, and the discretionary billing items a person decides.
-- Money is integer cents (bigint): no rounding anywhere between a file and a balance.
-- Runs inside the migration runner's transaction, with search_path set to the target
-- schema: no BEGIN/COMMIT here, and no schema-qualified names.

-- How far a payment may differ from the bill before a person looks (whole file, per invoice
-- or member line), and the day a group's coverage with the plan ended (payments for later
-- periods go to a person).
alter table employer_group add column payment_tolerance_cents bigint not null default 100 check (payment_tolerance_cents >= 0);
alter table employer_group add column terminated_on date;

-- Invoice numbers: INV-<yyyymm of the period>-<6 digits>, from this sequence only, so a number
-- is never reused, even when an invoice's transaction rolls back.
create sequence invoice_number_seq minvalue 1 maxvalue 999999 no cycle;

-- One invoice per group and billing period (a month, or the months of the group's cycle).
create table invoice (
  id bigserial primary key,
  invoice_number text not null unique check (invoice_number ~ '^INV-[0-9]{6}-[0-9]{6}$'),
  group_number text not null references employer_group (group_number) on delete restrict,
  period_start date not null,
  period_end date not null check (period_end >= period_start),
  -- The billing day of the period's first month (a weekend moves it to the Monday after).
  bill_date date not null,
  due_date date not null check (due_date >= bill_date),
  -- The group's balance before this invoice: what earlier invoices billed less what was paid
  -- (negative: credit).
  prior_balance_cents bigint not null,
  -- The active members section, and the adjustments section.
  current_charges_cents bigint not null,
  adjustments_cents bigint not null,
  amount_due_cents bigint not null check (amount_due_cents = prior_balance_cents + current_charges_cents + adjustments_cents),
  -- Flagged past due (an unpaid balance after the due date), and when a payment cleared it.
  past_due_at timestamptz,
  cleared_at timestamptz,
  created_at timestamptz not null default now(),
  unique (group_number, period_start)
);

create table invoice_line (
  id bigserial primary key,
  invoice_id bigint not null references invoice (id) on delete restrict,
  line_no integer not null check (line_no >= 1),
  section text not null check (section in ('active', 'adjustment')),
  member_id bigint not null references member (id) on delete restrict,
  coverage_id bigint references coverage (id) on delete restrict,
  plan_id text not null,
  coverage_level text not null,
  -- The months of coverage the line bills (active: the period; adjustment: the months back).
  period_start date not null,
  period_end date not null check (period_end >= period_start),
  months integer not null check (months >= 1),
  monthly_rate_cents bigint not null,
  amount_cents bigint not null,
  -- The retroactive change an adjustment line bills (each billed once).
  retro_adjustment_id bigint unique references retro_adjustment (id) on delete restrict,
  unique (invoice_id, line_no)
);
create index invoice_line_member_idx on invoice_line (member_id);

-- Retroactive activity older than six months: billed only once a person decides; the amount
-- is computed when the group is billed.
create table billing_review_item (
  id bigserial primary key,
  retro_adjustment_id bigint not null unique references retro_adjustment (id) on delete restrict,
  group_number text not null,
  member_id bigint not null references member (id) on delete restrict,
  kind text not null check (kind in ('charge', 'credit')),
  months integer not null check (months >= 1),
  amount_cents bigint not null,
  status text not null default 'open' check (status in ('open', 'billed', 'waived')),
  created_at timestamptz not null default now()
);

-- One payment per 820 transaction set: the money (BPR), its trace (TRN), whose it is.
create table payment (
  id bigserial primary key,
  file_id bigint not null references inbound_file (id) on delete restrict,
  set_control text not null,
  trace_number text not null,
  -- TRN03: the originator (payer) of the trace; trace numbers are unique per originator.
  originator text not null default '',
  group_number text,
  payer_name text,
  payer_id text,
  amount_cents bigint not null,
  credit_debit text not null,
  method text not null,
  handling text not null,
  effective_date date,
  period_start date,
  period_end date,
  -- BPR01 I + BPR04 NON: remittance information only, no money moved.
  remittance_only boolean not null,
  -- applied: its lines applied (some may wait in suspense); held: the whole payment waits for a
  -- person (total disagreeing with its lines, a terminated group); duplicate: its trace was
  -- applied before, nothing applied; information: remittance only.
  status text not null check (status in ('applied', 'held', 'duplicate', 'information')),
  received_at timestamptz not null,
  created_at timestamptz not null default now(),
  unique (file_id, set_control)
);
-- Money is never applied twice: one payment (other than a recorded duplicate) per trace.
create unique index payment_trace_idx on payment (trace_number, originator) where status <> 'duplicate';
create index payment_group_idx on payment (group_number);

-- Where each remittance line's money went: applied to an invoice (or the group's account),
-- credit (an overpayment, on the group's account), suspense (waiting for a person, with its
-- exception), or information (a remittance-only payment).
create table payment_allocation (
  id bigserial primary key,
  payment_id bigint not null references payment (id) on delete restrict,
  kind text not null check (kind in ('line', 'previous-payment-adjustment', 'unmatched-total')),
  -- The RMR's (or ADX's) position in its set (ST = 1).
  segment_position integer,
  reference_qualifier text,
  reference text,
  group_number text,
  invoice_id bigint references invoice (id) on delete restrict,
  member_id bigint references member (id) on delete restrict,
  amount_cents bigint not null,
  -- What we billed for it, and what the payer says was billed (RMR05).
  billed_cents bigint,
  payer_billed_cents bigint,
  disposition text not null check (disposition in ('applied', 'credit', 'suspense', 'information')),
  exception_id bigint references exception (id) on delete restrict
);
create index payment_allocation_payment_idx on payment_allocation (payment_id);
create index payment_allocation_invoice_idx on payment_allocation (invoice_id);
create index payment_allocation_group_idx on payment_allocation (group_number);
create index payment_allocation_member_idx on payment_allocation (member_id);

alter table exception drop constraint exception_category_check;
alter table exception add constraint exception_category_check check (category in (
  'member-match-uncertain', 'last-name-change', 'dependent-birth-date-change',
  'other-coverage', 'medicare', 'cobra-not-self-administered', 'class-after-hire',
  'class-not-valid', 'dependent-age-26', 'possible-unintended-termination',
  'retro-beyond-six-months', 'invalid-termination-date', 'zip-state-mismatch',
  'unknown-group', 'unknown-plan', 'birth-date-in-future', 'coverage-ends-before-begin',
  'eligibility-ends-before-begin', 'unknown-invoice', 'unknown-member',
  'member-not-covered', 'paid-billed-mismatch', 'duplicate-payment',
  'payment-total-mismatch', 'terminated-group-payment', 'unreadable-file', 'sender-mismatch',
  'duplicate-interchange', 'host-key-changed', 'rejected-set', 'other'));
