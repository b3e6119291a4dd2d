-- 000003 exceptions: the exception queue's records (the work queue's screens come later).
-- An exception is one item a person must decide on: a change the rules do not apply on their
-- own (a last-name change, Medicare, a dependent turning 26…), or a payment or enrollment
-- that cannot be matched. The plans promise an answer within 48 hours of the file arriving,
-- so each exception carries its due time from the start; the history of who did what is
-- kept in exception_event, which is only ever appended to.
-- Runs inside the migration runner's transaction, with search_path set to the target
-- schema: no BEGIN/COMMIT here, and no schema-qualified names.

create table exception (
  id bigserial primary key,
  -- What kind of decision is needed; the list is src/exceptions/categories.ts, which gives
  -- each a title for ops. A new category needs a migration as well as a title.
  category text not null check (category in (
    'member-match-uncertain', 'last-name-change', 'dependent-birth-date-change',
    'other-coverage', 'medicare', 'cobra-not-self-administered', 'class-after-hire',
    'class-not-valid', 'dependent-age-26', 'possible-unintended-termination',
    'retro-beyond-six-months', 'invalid-termination-date', 'zip-state-mismatch',
    'unknown-group', 'unknown-plan', 'unknown-invoice', 'unknown-member',
    'duplicate-payment', 'payment-total-mismatch', 'rejected-set', 'other')),
  -- The trading partner that sent the file (copied from inbound_file.partner so that the
  -- queue filters by partner without a join, and keeps it if the partner is renamed).
  partner text not null,
  -- Restrict: a file that has exceptions is evidence and is not deleted under them.
  file_id bigint not null references inbound_file (id) on delete restrict,
  -- ST02 of the transaction set and the segment's position in it (ST = 1); null when the
  -- exception is about the whole file or set.
  set_control text check (set_control ~ '^[0-9A-Za-z]{4,9}$'),
  segment_position integer check (segment_position >= 1),
  -- What ops search by. No foreign key to employer_group: an unknown group is itself an
  -- exception, and the record must survive the group being removed from reference data.
  group_number text,
  -- The subscriber's member ID (PHI: shown to ops, never logged).
  subscriber_id text,
  subgroup text,
  class_code text,
  -- In plain language, what is wrong and what is needed (no codes an employer cannot read).
  description text not null check (length(description) > 0),
  -- When the file arrived, and the 48-hour promise that follows from it.
  received_at timestamptz not null,
  due_at timestamptz not null check (due_at >= received_at),
  -- open → in_progress → resolved | rejected (open may go straight to resolved or
  -- rejected); resolved and rejected are final. Enforced by src/exceptions/store.ts, with
  -- every change written to exception_event in the same transaction.
  state text not null default 'open' check (state in ('open', 'in_progress', 'resolved', 'rejected')),
  -- The person working the item; null until someone takes it.
  owner text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Re-running the same file must not raise the same exception twice: the position in the
  -- file and the category identify it. Nulls count as equal here (a file-level exception
  -- has no set or segment, and must still dedupe).
  constraint exception_dedupe_key unique nulls not distinct (file_id, set_control, segment_position, category)
);

-- The queue: open items by due time (overdue first), and the usual filters.
create index exception_state_due_at_idx on exception (state, due_at);
create index exception_group_number_idx on exception (group_number);
create index exception_category_idx on exception (category);

-- An exception's history, one row per change of state (the first, from null to open, is
-- written with the exception). Append-only: a trigger refuses updates and deletes, so the
-- history cannot be rewritten by any writer.
create table exception_event (
  id bigserial primary key,
  exception_id bigint not null references exception (id) on delete restrict,
  at timestamptz not null default now(),
  -- Who made the change: a user name, or 'edibridge' for the intake itself.
  actor text not null check (length(actor) > 0),
  from_state text check (from_state in ('open', 'in_progress', 'resolved', 'rejected')),
  to_state text not null check (to_state in ('open', 'in_progress', 'resolved', 'rejected')),
  note text
);

create index exception_event_exception_id_idx on exception_event (exception_id, at);

create function exception_event_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'exception_event is append-only (% refused)', tg_op using errcode = '55000';
end
$$;

create trigger exception_event_append_only before update or delete on exception_event
  for each row execute function exception_event_append_only();
