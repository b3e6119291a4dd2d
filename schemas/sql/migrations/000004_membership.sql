-- 000004 membership: members, their coverages, the history of every change, ID-card requests,
-- retroactive billing adjustments, and the register of applied transaction sets.
-- Runs inside the migration runner's transaction, with search_path set to the target
-- schema: no BEGIN/COMMIT here, and no schema-qualified names.

-- A person enrolled through an employer group: a subscriber (the employee) or a dependent.
-- A family is the subscriber and the dependents sharing (group_number, subscriber_number).
-- PHI lives in this table only: names, SSN (encrypted), birth date, addresses.
create table member (
  id bigserial primary key,
  -- The member ID we issue, printed on ID cards: 'EB' and the row's id in ten digits, so it
  -- is unique and never reused without an index of its own (look it up by its digits).
  member_id text generated always as ('EB' || lpad(id::text, 10, '0')) stored,
  group_number text not null references employer_group (group_number) on delete restrict,
  -- REF*0F: the employer's number for the subscriber; the family key within the group.
  subscriber_number text not null check (length(subscriber_number) between 1 and 80),
  is_subscriber boolean not null,
  -- INS02: 18 self, 01 spouse, 19 child, ...
  relationship text not null check (relationship ~ '^[0-9A-Z]{2}$'),
  -- SSN encrypted with AES-256-GCM (nonce | tag | ciphertext) under the PHI key; the HMAC is
  -- a blind index under a key derived from it, so matching never decrypts.
  ssn_enc bytea,
  ssn_hmac bytea,
  last_name text,
  first_name text,
  middle_name text,
  name_suffix text,
  birth_date date,
  gender text,
  -- INS05 A/C/S/T, INS07 COBRA qualifying event, INS08, INS10, INS06-1 Medicare plan.
  benefit_status text not null default 'A',
  cobra_event text,
  employment_status text,
  handicapped boolean not null default false,
  medicare_plan text,
  hire_date date,
  subgroup text,
  class_code text not null default '1001',
  home_line1 text,
  home_line2 text,
  home_city text,
  home_state text,
  home_zip text,
  home_county text,
  -- Null: the mailing address is the home address (a home change then moves mail too).
  mailing_line1 text,
  mailing_line2 text,
  mailing_city text,
  mailing_state text,
  mailing_zip text,
  -- 2100F custodial parent (a child's ID card goes there): name and address as sent.
  custodial_parent jsonb,
  -- Eligibility: from begin, through end (inclusive; null open-ended). A future end is a
  -- termination that waits for its date. Cancelled: enrolled but never covered.
  eligibility_begin date not null,
  eligibility_end date check (eligibility_end >= eligibility_begin),
  cancelled boolean not null default false,
  -- The files that created and last changed the row. Not foreign keys: inbound files are
  -- never deleted, and a per-row key check on the bulk path costs more than it protects
  -- (the history keeps the full trail, keyed to its file).
  created_file_id bigint not null,
  updated_file_id bigint not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- One subscriber per family; matching loads whole families by this key.
create unique index member_family_subscriber_idx on member (group_number, subscriber_number) where is_subscriber;
create index member_family_idx on member (group_number, subscriber_number);
-- Matching by SSN: the same person under another subscriber number is never a new member.
create index member_ssn_hmac_idx on member (ssn_hmac) where ssn_hmac is not null;
-- Ids are drawn a batch at a time; a cache keeps that from logging every 32 values.
alter sequence member_id_seq cache 1000;

-- A coverage on one insurance line (HD03) in one plan, from begin through end (inclusive).
-- A plan or level change ends the old coverage the day before the new one begins.
create table coverage (
  id bigserial primary key,
  member_id bigint not null references member (id) on delete restrict,
  insurance_line text not null,
  plan_id text not null references plan (id) on delete restrict,
  coverage_level text,
  begin_date date not null,
  end_date date check (end_date >= begin_date),
  cancelled boolean not null default false,
  unique (member_id, insurance_line, begin_date)
);

alter sequence coverage_id_seq cache 1000;

-- Every change to a member, with its source (file, interchange, set, segment position).
-- Append-only (a trigger refuses updates and deletes). `changed` names the fields that
-- changed; `previous` holds their former values (the SSN only as the word 'changed').
create table member_history (
  id bigserial primary key,
  member_id bigint not null references member (id) on delete restrict,
  at timestamptz not null default now(),
  action text not null check (action in ('add', 'change', 'terminate', 'cancel', 'reinstate')),
  effective_date date,
  changed text[] not null default '{}',
  previous jsonb,
  -- The source. file_id is not a foreign key, for the reason given at member.created_file_id.
  file_id bigint not null,
  interchange_control text not null,
  set_control text not null,
  segment_position integer check (segment_position >= 1)
);

create index member_history_member_id_idx on member_history (member_id, id);

create function member_history_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'member_history is append-only (% refused)', tg_op using errcode = '55000';
end
$$;

create trigger member_history_append_only before update or delete on member_history
  for each row execute function member_history_append_only();

-- A card to print and mail: the subscriber and at most five dependents per card; a child
-- whose custodial parent is named gets a card mailed to that parent.
create table id_card_request (
  id bigserial primary key,
  group_number text not null,
  subscriber_number text not null,
  card_number integer not null check (card_number >= 1),
  member_ids bigint[] not null check (cardinality(member_ids) between 1 and 6),
  mail_to text not null check (mail_to in ('subscriber', 'custodial-parent')),
  file_id bigint not null,
  status text not null default 'pending' check (status in ('pending', 'printed', 'cancelled')),
  requested_at timestamptz not null default now()
);

create index id_card_request_status_idx on id_card_request (status, requested_at);
-- A family's cards not yet printed are replaced when it gets new ones.
create index id_card_request_pending_family_idx on id_card_request (group_number, subscriber_number) where status = 'pending';

-- Premium owed or refunded for coverage applied retroactively (received more than 30 days
-- after it took effect). Billing adjusts up to six months back on its own ('pending'); older
-- activity is a discretionary item for a person ('review', with an exception).
create table retro_adjustment (
  id bigserial primary key,
  member_id bigint not null references member (id) on delete restrict,
  coverage_id bigint references coverage (id) on delete restrict,
  kind text not null check (kind in ('charge', 'credit')),
  effective_date date not null,
  received_date date not null,
  -- Whole or part months of coverage between the effective date and receipt.
  months integer not null check (months >= 1),
  status text not null default 'pending' check (status in ('pending', 'review', 'billed')),
  file_id bigint not null,
  created_at timestamptz not null default now()
);

create index retro_adjustment_status_idx on retro_adjustment (status);
create index retro_adjustment_member_id_idx on retro_adjustment (member_id);

-- Transaction sets taken from files: a set is recorded in the same transaction that applies
-- it, so a crash leaves it applied wholly or not at all, and a rerun skips it.
create table inbound_set (
  id bigserial primary key,
  file_id bigint not null references inbound_file (id) on delete restrict,
  partner text not null,
  -- Byte offset of the ST in the file: identifies the set even when control numbers repeat.
  file_offset bigint not null check (file_offset >= 0),
  interchange_control text not null,
  set_control text not null,
  transaction_set text not null check (transaction_set in ('834', '820')),
  -- BGN02 (834) or TRN02 (820): unique per file from a partner; a repeat is a resend.
  reference text,
  -- BGN08: change, verify, replace.
  action text,
  -- applied: its changes are in; verified: compared only; duplicate: a resend, nothing applied;
  -- rejected: its 999 rejected it.
  status text not null check (status in ('applied', 'verified', 'duplicate', 'rejected')),
  summary jsonb not null default '{}',
  recorded_at timestamptz not null default now(),
  unique (file_id, file_offset)
);

-- A reference applied (or verified) once per partner: a second set with it is a resend. A
-- verify file and a change file may share one (the status is part of the key).
create unique index inbound_set_reference_idx on inbound_set (partner, transaction_set, reference, status)
  where status in ('applied', 'verified') and reference is not null;

-- A claim on a file being ingested: by whom (host:pid) and until when. A crashed ingest's
-- claim is taken over once it expires, or at once by the same host when its process is gone.
alter table inbound_file add column claimed_by text;
alter table inbound_file add column claim_expires_at timestamptz;

-- Exceptions name the member they are about: a subscriber's termination can queue two
-- dependents aged 26+ at the same segment position, and each is its own item.
alter table exception add column member_id text;
alter table exception drop constraint exception_dedupe_key;
alter table exception add constraint exception_dedupe_key
  unique nulls not distinct (file_id, set_control, segment_position, category, member_id);

-- ISA13/GS06 of the acknowledgements we send: nine digits, unique across runs and workers.
create sequence outbound_control_seq minvalue 1 maxvalue 999999999 cycle;
