-- 000018 held full files: a full file (834 BGN08 RX) that would end or queue more of a
-- group's members in force than the group's share (employer_group.full_file_hold_percent,
-- default 5) is not applied at once. It is held, with what it would change, until a person
-- releases it (the set is then applied) or rejects it (nothing of it is applied); either
-- decision is recorded here and in the history of its `full-file-held` exception.
-- Runs inside the migration runner's transaction, with search_path set to the target
-- schema: no BEGIN/COMMIT here, and no schema-qualified names.

-- The share of the group's members in force, in percent, that a full file may end or queue
-- before it waits for a person (100: never held).
alter table employer_group add column full_file_hold_percent numeric(5, 2) not null default 5
  check (full_file_hold_percent between 0 and 100);

-- A held set is recorded like the others (a resumed ingest does not apply it again); its
-- release replaces that record with the applied one.
alter table inbound_set drop constraint inbound_set_status_check;
alter table inbound_set add constraint inbound_set_status_check
  check (status in ('applied', 'verified', 'duplicate', 'rejected', 'held'));

alter table exception drop constraint exception_category_check;
alter table exception add constraint exception_category_check check (category in (
  'member-match-uncertain', 'last-name-change', 'dependent-birth-date-change',
  'other-coverage', 'medicare', 'cobra-not-self-administered', 'class-after-hire',
  'class-not-valid', 'dependent-age-26', 'possible-unintended-termination',
  'retro-beyond-six-months', 'invalid-termination-date', 'zip-state-mismatch',
  'unknown-group', 'unknown-plan', 'birth-date-in-future', 'coverage-ends-before-begin',
  'eligibility-ends-before-begin', 'full-file-held', 'unknown-invoice', 'unknown-member',
  'member-not-covered', 'paid-billed-mismatch', 'duplicate-payment',
  'payment-total-mismatch', 'terminated-group-payment', 'unreadable-file', 'sender-mismatch',
  'duplicate-interchange', 'host-key-changed', 'rejected-set', 'other'));

create table held_full_file (
  id bigserial primary key,
  -- Restrict: a held file is evidence, as its exception is.
  file_id bigint not null references inbound_file (id) on delete restrict,
  partner text not null,
  -- Where the set starts in the file and its envelope: a release reads it again from there.
  file_offset bigint not null check (file_offset >= 0),
  interchange_control text not null,
  set_control text not null check (set_control ~ '^[0-9A-Za-z]{4,9}$'),
  -- BGN02.
  reference text,
  -- The group whose share the file passed (the first, when several did).
  group_number text not null,
  -- held → released (applied) | rejected (nothing applied); released and rejected are final.
  state text not null default 'held' check (state in ('held', 'released', 'rejected')),
  -- What applying it would change, measured by applying it and rolling back: members
  -- added, changed, ended, queued, held, the group's members in force and the monthly
  -- premium before and after, in cents. No PHI.
  preview jsonb not null,
  exception_id bigint references exception (id) on delete restrict,
  held_at timestamptz not null default now(),
  -- Who decided, when, and why.
  decided_by text check (length(decided_by) > 0),
  decided_at timestamptz,
  note text,
  -- What the release applied (its counts), as the ingest reports a set.
  result jsonb,
  constraint held_full_file_set_key unique (file_id, file_offset),
  constraint held_full_file_decided check ((state = 'held') = (decided_at is null) and (state = 'held') = (decided_by is null))
);

create index held_full_file_state_idx on held_full_file (state, held_at);
create index held_full_file_group_idx on held_full_file (group_number);
