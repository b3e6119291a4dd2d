-- The schema that schemas/sql/migrations produces, as dumped by dumpSchema()
-- (src/db/schema-dump.ts). Generated: do not edit. test/db checks it against the migrations;
-- after adding a migration, regenerate it with: UPDATE_SCHEMA_DUMP=1 npx vitest run test/db

create sequence app_user_id_seq as bigint owned by app_user.id;

create sequence billing_review_item_id_seq as bigint owned by billing_review_item.id;

create sequence coverage_id_seq as bigint owned by coverage.id;

create sequence exception_event_id_seq as bigint owned by exception_event.id;

create sequence exception_id_seq as bigint owned by exception.id;

create sequence held_full_file_id_seq as bigint owned by held_full_file.id;

create sequence id_card_replacement_id_seq as bigint owned by id_card_replacement.id;

create sequence id_card_request_id_seq as bigint owned by id_card_request.id;

create sequence inbound_file_id_seq as bigint owned by inbound_file.id;

create sequence inbound_set_id_seq as bigint owned by inbound_set.id;

create sequence inbound_transfer_id_seq as bigint owned by inbound_transfer.id;

create sequence invoice_id_seq as bigint owned by invoice.id;

create sequence invoice_line_id_seq as bigint owned by invoice_line.id;

create sequence invoice_number_seq as bigint;

create sequence member_history_id_seq as bigint owned by member_history.id;

create sequence member_id_seq as bigint owned by member.id;

create sequence organisation_id_seq as bigint owned by organisation.id;

create sequence outbound_acknowledgement_id_seq as bigint owned by outbound_acknowledgement.id;

create sequence outbound_control_seq as bigint;

create sequence payment_allocation_id_seq as bigint owned by payment_allocation.id;

create sequence payment_id_seq as bigint owned by payment.id;

create sequence phi_audit_id_seq as bigint owned by phi_audit.id;

create sequence retro_adjustment_id_seq as bigint owned by retro_adjustment.id;

create sequence saved_view_id_seq as bigint owned by saved_view.id;

create table app_user (
  id bigint default nextval('app_user_id_seq'::regclass) not null,
  organisation_id bigint not null,
  login text not null,
  display_name text not null,
  role text not null,
  password_hash text not null,
  password_changed_at timestamp with time zone not null,
  must_change_password boolean default false not null,
  failed_attempts integer default 0 not null,
  locked_at timestamp with time zone,
  last_login_at timestamp with time zone,
  disabled_at timestamp with time zone,
  disabled_reason text,
  created_at timestamp with time zone default now() not null,
  constraint app_user_check CHECK ((disabled_at IS NULL) = (disabled_reason IS NULL)),
  constraint app_user_display_name_check CHECK (length(display_name) >= 1 AND length(display_name) <= 200),
  constraint app_user_failed_attempts_check CHECK (failed_attempts >= 0),
  constraint app_user_login_check CHECK (login = lower(login) AND length(login) >= 3 AND length(login) <= 200),
  constraint app_user_login_key UNIQUE (login),
  constraint app_user_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES organisation(id) ON DELETE RESTRICT,
  constraint app_user_pkey PRIMARY KEY (id),
  constraint app_user_role_check CHECK (role = ANY (ARRAY['ops-admin'::text, 'ops'::text, 'partner-admin'::text, 'partner-user'::text]))
);
CREATE INDEX app_user_organisation_idx ON app_user USING btree (organisation_id);

create table billing_review_item (
  id bigint default nextval('billing_review_item_id_seq'::regclass) not null,
  retro_adjustment_id bigint not null,
  group_number text not null,
  member_id bigint not null,
  kind text not null,
  months integer not null,
  amount_cents bigint not null,
  status text default 'open'::text not null,
  created_at timestamp with time zone default now() not null,
  constraint billing_review_item_kind_check CHECK (kind = ANY (ARRAY['charge'::text, 'credit'::text])),
  constraint billing_review_item_member_id_fkey FOREIGN KEY (member_id) REFERENCES member(id) ON DELETE RESTRICT,
  constraint billing_review_item_months_check CHECK (months >= 1),
  constraint billing_review_item_pkey PRIMARY KEY (id),
  constraint billing_review_item_retro_adjustment_id_fkey FOREIGN KEY (retro_adjustment_id) REFERENCES retro_adjustment(id) ON DELETE RESTRICT,
  constraint billing_review_item_retro_adjustment_id_key UNIQUE (retro_adjustment_id),
  constraint billing_review_item_status_check CHECK (status = ANY (ARRAY['open'::text, 'billed'::text, 'waived'::text]))
);

create table coverage (
  id bigint default nextval('coverage_id_seq'::regclass) not null,
  member_id bigint not null,
  insurance_line text not null,
  plan_id text not null,
  coverage_level text,
  begin_date date not null,
  end_date date,
  cancelled boolean default false not null,
  constraint coverage_check CHECK (end_date >= begin_date),
  constraint coverage_member_id_insurance_line_begin_date_key UNIQUE (member_id, insurance_line, begin_date),
  constraint coverage_pkey PRIMARY KEY (id)
);
CREATE TRIGGER coverage_keys_never_change BEFORE UPDATE OF id, member_id ON coverage FOR EACH ROW WHEN (old.id IS DISTINCT FROM new.id OR old.member_id IS DISTINCT FROM new.member_id) EXECUTE FUNCTION coverage_never_removed();
CREATE TRIGGER coverage_never_deleted BEFORE DELETE ON coverage FOR EACH ROW EXECUTE FUNCTION coverage_never_removed();
CREATE TRIGGER coverage_references_insert AFTER INSERT ON coverage REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_references_check();
CREATE TRIGGER coverage_references_update AFTER UPDATE ON coverage REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_references_check();

create table edibridge_migrations (
  version integer not null,
  name text not null,
  applied_at timestamp with time zone default now() not null,
  constraint edibridge_migrations_pkey PRIMARY KEY (version)
);

create table employer_group (
  group_number text not null,
  name text not null,
  partner_id text not null,
  billing_day integer not null,
  billing_cycle text default 'monthly'::text not null,
  cobra_self_administered boolean default false not null,
  omitted_members text default 'review'::text not null,
  payment_tolerance_cents bigint default 100 not null,
  terminated_on date,
  full_file_hold_percent numeric(5,2) default 5 not null,
  constraint employer_group_billing_cycle_check CHECK (billing_cycle = ANY (ARRAY['monthly'::text, 'quarterly'::text, 'semiannual'::text, 'annual'::text])),
  constraint employer_group_billing_day_check CHECK (billing_day >= 1 AND billing_day <= 28),
  constraint employer_group_full_file_hold_percent_check CHECK (full_file_hold_percent >= 0::numeric AND full_file_hold_percent <= 100::numeric),
  constraint employer_group_omitted_members_check CHECK (omitted_members = ANY (ARRAY['terminate'::text, 'review'::text])),
  constraint employer_group_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES trading_partner(id) ON DELETE RESTRICT,
  constraint employer_group_payment_tolerance_cents_check CHECK (payment_tolerance_cents >= 0),
  constraint employer_group_pkey PRIMARY KEY (group_number)
);
CREATE INDEX employer_group_partner_id_idx ON employer_group USING btree (partner_id);
CREATE TRIGGER employer_group_in_use_delete BEFORE DELETE ON employer_group FOR EACH ROW EXECUTE FUNCTION employer_group_in_use();
CREATE TRIGGER employer_group_in_use_update BEFORE UPDATE OF group_number ON employer_group FOR EACH ROW WHEN (old.group_number IS DISTINCT FROM new.group_number) EXECUTE FUNCTION employer_group_in_use();

create table exception (
  id bigint default nextval('exception_id_seq'::regclass) not null,
  category text not null,
  partner text not null,
  file_id bigint,
  set_control text,
  segment_position integer,
  group_number text,
  subscriber_id text,
  subgroup text,
  class_code text,
  description text not null,
  received_at timestamp with time zone not null,
  due_at timestamp with time zone not null,
  state text default 'open'::text not null,
  owner text,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  member_id text,
  subject text,
  constraint exception_category_check CHECK (category = ANY (ARRAY['member-match-uncertain'::text, 'last-name-change'::text, 'dependent-birth-date-change'::text, 'other-coverage'::text, 'medicare'::text, 'cobra-not-self-administered'::text, 'class-after-hire'::text, 'class-not-valid'::text, 'dependent-age-26'::text, 'possible-unintended-termination'::text, 'retro-beyond-six-months'::text, 'invalid-termination-date'::text, 'zip-state-mismatch'::text, 'unknown-group'::text, 'unknown-plan'::text, 'birth-date-in-future'::text, 'coverage-ends-before-begin'::text, 'eligibility-ends-before-begin'::text, 'full-file-held'::text, 'unknown-invoice'::text, 'unknown-member'::text, 'member-not-covered'::text, 'paid-billed-mismatch'::text, 'duplicate-payment'::text, 'payment-total-mismatch'::text, 'terminated-group-payment'::text, 'unreadable-file'::text, 'sender-mismatch'::text, 'duplicate-interchange'::text, 'host-key-changed'::text, 'rejected-set'::text, 'other'::text])),
  constraint exception_check CHECK (due_at >= received_at),
  constraint exception_dedupe_key UNIQUE NULLS NOT DISTINCT (file_id, set_control, segment_position, category, member_id, partner, subject),
  constraint exception_description_check CHECK (length(description) > 0),
  constraint exception_file_id_fkey FOREIGN KEY (file_id) REFERENCES inbound_file(id) ON DELETE RESTRICT,
  constraint exception_has_file_or_subject CHECK (file_id IS NOT NULL OR subject IS NOT NULL),
  constraint exception_pkey PRIMARY KEY (id),
  constraint exception_segment_position_check CHECK (segment_position >= 1),
  constraint exception_set_control_check CHECK (set_control ~ '^[0-9A-Za-z]{4,9}$'::text),
  constraint exception_state_check CHECK (state = ANY (ARRAY['open'::text, 'in_progress'::text, 'resolved'::text, 'rejected'::text])),
  constraint exception_subject_check CHECK (length(subject) >= 1 AND length(subject) <= 200)
);
CREATE INDEX exception_category_idx ON exception USING btree (category);
CREATE INDEX exception_due_at_id_idx ON exception USING btree (due_at, id);
CREATE INDEX exception_group_number_idx ON exception USING btree (group_number);
CREATE INDEX exception_owner_idx ON exception USING btree (owner) WHERE (state = ANY (ARRAY['open'::text, 'in_progress'::text]));
CREATE INDEX exception_partner_idx ON exception USING btree (partner);
CREATE INDEX exception_received_at_id_idx ON exception USING btree (received_at, id);
CREATE INDEX exception_state_due_at_idx ON exception USING btree (state, due_at);

create table exception_event (
  id bigint default nextval('exception_event_id_seq'::regclass) not null,
  exception_id bigint not null,
  at timestamp with time zone default now() not null,
  actor text not null,
  from_state text,
  to_state text not null,
  note text,
  kind text default 'state'::text not null,
  constraint exception_event_actor_check CHECK (length(actor) > 0),
  constraint exception_event_exception_id_fkey FOREIGN KEY (exception_id) REFERENCES exception(id) ON DELETE RESTRICT,
  constraint exception_event_from_state_check CHECK (from_state = ANY (ARRAY['open'::text, 'in_progress'::text, 'resolved'::text, 'rejected'::text])),
  constraint exception_event_kind_check CHECK (kind = ANY (ARRAY['state'::text, 'assign'::text, 'comment'::text, 'rerun'::text])),
  constraint exception_event_kind_keeps_state CHECK (kind = 'state'::text OR from_state = to_state),
  constraint exception_event_pkey PRIMARY KEY (id),
  constraint exception_event_to_state_check CHECK (to_state = ANY (ARRAY['open'::text, 'in_progress'::text, 'resolved'::text, 'rejected'::text]))
);
CREATE INDEX exception_event_exception_id_idx ON exception_event USING btree (exception_id, at);
CREATE TRIGGER exception_event_append_only BEFORE DELETE OR UPDATE ON exception_event FOR EACH ROW EXECUTE FUNCTION exception_event_append_only();

create table group_class (
  group_number text not null,
  code text not null,
  description text not null,
  effective_from date not null,
  effective_to date,
  constraint group_class_check CHECK (effective_to >= effective_from),
  constraint group_class_group_number_fkey FOREIGN KEY (group_number) REFERENCES employer_group(group_number) ON DELETE CASCADE,
  constraint group_class_pkey PRIMARY KEY (group_number, code)
);

create table group_plan (
  group_number text not null,
  plan_id text not null,
  constraint group_plan_group_number_fkey FOREIGN KEY (group_number) REFERENCES employer_group(group_number) ON DELETE CASCADE,
  constraint group_plan_pkey PRIMARY KEY (group_number, plan_id),
  constraint group_plan_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES plan(id) ON DELETE RESTRICT
);
CREATE INDEX group_plan_plan_id_idx ON group_plan USING btree (plan_id);

create table group_plan_name (
  group_number text not null,
  insurance_line text not null,
  name text not null,
  plan_id text not null,
  constraint group_plan_name_group_number_plan_id_fkey FOREIGN KEY (group_number, plan_id) REFERENCES group_plan(group_number, plan_id) ON DELETE CASCADE,
  constraint group_plan_name_name_check CHECK (length(name) >= 1 AND length(name) <= 50 AND name = btrim(name)),
  constraint group_plan_name_pkey PRIMARY KEY (group_number, insurance_line, name),
  constraint group_plan_name_plan_id_insurance_line_fkey FOREIGN KEY (plan_id, insurance_line) REFERENCES plan(id, insurance_line) ON UPDATE CASCADE
);
CREATE INDEX group_plan_name_plan_idx ON group_plan_name USING btree (plan_id, insurance_line);
CREATE UNIQUE INDEX group_plan_name_upper_key ON group_plan_name USING btree (group_number, insurance_line, upper(name));

create table group_subgroup (
  group_number text not null,
  code text not null,
  name text not null,
  constraint group_subgroup_group_number_fkey FOREIGN KEY (group_number) REFERENCES employer_group(group_number) ON DELETE CASCADE,
  constraint group_subgroup_pkey PRIMARY KEY (group_number, code)
);

create table held_full_file (
  id bigint default nextval('held_full_file_id_seq'::regclass) not null,
  file_id bigint not null,
  partner text not null,
  file_offset bigint not null,
  interchange_control text not null,
  set_control text not null,
  reference text,
  group_number text not null,
  state text default 'held'::text not null,
  preview jsonb not null,
  exception_id bigint,
  held_at timestamp with time zone default now() not null,
  decided_by text,
  decided_at timestamp with time zone,
  note text,
  result jsonb,
  constraint held_full_file_decided CHECK ((state = 'held'::text) = (decided_at IS NULL) AND (state = 'held'::text) = (decided_by IS NULL)),
  constraint held_full_file_decided_by_check CHECK (length(decided_by) > 0),
  constraint held_full_file_exception_id_fkey FOREIGN KEY (exception_id) REFERENCES exception(id) ON DELETE RESTRICT,
  constraint held_full_file_file_id_fkey FOREIGN KEY (file_id) REFERENCES inbound_file(id) ON DELETE RESTRICT,
  constraint held_full_file_file_offset_check CHECK (file_offset >= 0),
  constraint held_full_file_pkey PRIMARY KEY (id),
  constraint held_full_file_set_control_check CHECK (set_control ~ '^[0-9A-Za-z]{4,9}$'::text),
  constraint held_full_file_set_key UNIQUE (file_id, file_offset),
  constraint held_full_file_state_check CHECK (state = ANY (ARRAY['held'::text, 'released'::text, 'rejected'::text]))
);
CREATE INDEX held_full_file_group_idx ON held_full_file USING btree (group_number);
CREATE INDEX held_full_file_state_idx ON held_full_file USING btree (state, held_at);

create table id_card_replacement (
  id bigint default nextval('id_card_replacement_id_seq'::regclass) not null,
  group_number text not null,
  member_id bigint not null,
  reason text not null,
  requested_by bigint not null,
  requested_at timestamp with time zone not null,
  status text default 'requested'::text not null,
  constraint id_card_replacement_member_id_fkey FOREIGN KEY (member_id) REFERENCES member(id) ON DELETE CASCADE,
  constraint id_card_replacement_pkey PRIMARY KEY (id),
  constraint id_card_replacement_reason_check CHECK (reason = ANY (ARRAY['lost'::text, 'stolen'::text, 'damaged'::text, 'wrong-information'::text, 'other'::text])),
  constraint id_card_replacement_requested_by_fkey FOREIGN KEY (requested_by) REFERENCES app_user(id) ON DELETE RESTRICT,
  constraint id_card_replacement_status_check CHECK (status = ANY (ARRAY['requested'::text, 'issued'::text, 'refused'::text]))
);
CREATE INDEX id_card_replacement_group_idx ON id_card_replacement USING btree (group_number, requested_at);

create table id_card_request (
  id bigint default nextval('id_card_request_id_seq'::regclass) not null,
  group_number text not null,
  subscriber_number text not null,
  card_number integer not null,
  member_ids bigint[] not null,
  mail_to text not null,
  file_id bigint not null,
  status text default 'pending'::text not null,
  requested_at timestamp with time zone default now() not null,
  printed_at timestamp with time zone,
  constraint id_card_request_card_number_check CHECK (card_number >= 1),
  constraint id_card_request_mail_to_check CHECK (mail_to = ANY (ARRAY['subscriber'::text, 'custodial-parent'::text])),
  constraint id_card_request_member_ids_check CHECK (cardinality(member_ids) >= 1 AND cardinality(member_ids) <= 6),
  constraint id_card_request_pkey PRIMARY KEY (id),
  constraint id_card_request_printed_at_check CHECK ((status = 'printed'::text) = (printed_at IS NOT NULL)) NOT VALID,
  constraint id_card_request_status_check CHECK (status = ANY (ARRAY['pending'::text, 'printed'::text, 'cancelled'::text]))
);
CREATE INDEX id_card_request_pending_family_idx ON id_card_request USING btree (group_number, subscriber_number) WHERE (status = 'pending'::text);
CREATE INDEX id_card_request_pending_idx ON id_card_request USING btree (requested_at, id) WHERE (status = 'pending'::text);

create table inbound_file (
  id bigint default nextval('inbound_file_id_seq'::regclass) not null,
  partner text not null,
  file_name text not null,
  sha256 text not null,
  isa_sender text,
  isa_control text,
  received_at timestamp with time zone default now() not null,
  size_bytes bigint not null,
  status text default 'received'::text not null,
  claimed_by text,
  claim_expires_at timestamp with time zone,
  received_at_source text default 'observed'::text not null,
  archive_key text,
  constraint inbound_file_archive_key_check CHECK (length(archive_key) >= 1 AND length(archive_key) <= 1024),
  constraint inbound_file_isa_control_check CHECK (isa_control ~ '^[0-9]{9}$'::text),
  constraint inbound_file_isa_sender_isa_control_key UNIQUE (isa_sender, isa_control),
  constraint inbound_file_pkey PRIMARY KEY (id),
  constraint inbound_file_received_at_source_check CHECK (received_at_source = ANY (ARRAY['observed'::text, 'given'::text])),
  constraint inbound_file_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$'::text),
  constraint inbound_file_sha256_key UNIQUE (sha256),
  constraint inbound_file_size_bytes_check CHECK (size_bytes >= 0),
  constraint inbound_file_status_check CHECK (status = ANY (ARRAY['received'::text, 'processing'::text, 'processed'::text, 'rejected'::text, 'failed'::text, 'waiting'::text]))
);
CREATE INDEX inbound_file_status_received_at_idx ON inbound_file USING btree (status, received_at);

create table inbound_set (
  id bigint default nextval('inbound_set_id_seq'::regclass) not null,
  file_id bigint not null,
  partner text not null,
  file_offset bigint not null,
  interchange_control text not null,
  set_control text not null,
  transaction_set text not null,
  reference text,
  action text,
  status text not null,
  summary jsonb default '{}'::jsonb not null,
  recorded_at timestamp with time zone default now() not null,
  constraint inbound_set_file_id_file_offset_key UNIQUE (file_id, file_offset),
  constraint inbound_set_file_id_fkey FOREIGN KEY (file_id) REFERENCES inbound_file(id) ON DELETE RESTRICT,
  constraint inbound_set_file_offset_check CHECK (file_offset >= 0),
  constraint inbound_set_pkey PRIMARY KEY (id),
  constraint inbound_set_status_check CHECK (status = ANY (ARRAY['applied'::text, 'verified'::text, 'duplicate'::text, 'rejected'::text, 'held'::text])),
  constraint inbound_set_transaction_set_check CHECK (transaction_set = ANY (ARRAY['834'::text, '820'::text]))
);
CREATE UNIQUE INDEX inbound_set_reference_idx ON inbound_set USING btree (partner, transaction_set, reference, status) WHERE ((status = ANY (ARRAY['applied'::text, 'verified'::text])) AND (reference IS NOT NULL));

create table inbound_transfer (
  id bigint default nextval('inbound_transfer_id_seq'::regclass) not null,
  partner text not null,
  remote_path text not null,
  remote_size bigint not null,
  remote_mtime timestamp with time zone not null,
  archive_key text not null,
  sha256 text not null,
  size_bytes bigint not null,
  pulled_at timestamp with time zone default now() not null,
  outcome text not null,
  file_id bigint not null,
  remote_disposition text,
  remote_done_at timestamp with time zone,
  constraint inbound_transfer_archive_key_check CHECK (length(archive_key) >= 1 AND length(archive_key) <= 1024),
  constraint inbound_transfer_archive_key_key UNIQUE (archive_key),
  constraint inbound_transfer_file_id_fkey FOREIGN KEY (file_id) REFERENCES inbound_file(id) ON DELETE RESTRICT,
  constraint inbound_transfer_outcome_check CHECK (outcome = ANY (ARRAY['new'::text, 'duplicate-content'::text, 'duplicate-interchange'::text])),
  constraint inbound_transfer_partner_remote_path_remote_size_remote_mti_key UNIQUE (partner, remote_path, remote_size, remote_mtime),
  constraint inbound_transfer_pkey PRIMARY KEY (id),
  constraint inbound_transfer_remote_disposition_check CHECK (remote_disposition = ANY (ARRAY['moved'::text, 'deleted'::text])),
  constraint inbound_transfer_remote_path_check CHECK (length(remote_path) >= 1 AND length(remote_path) <= 4096),
  constraint inbound_transfer_remote_size_check CHECK (remote_size >= 0),
  constraint inbound_transfer_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$'::text),
  constraint inbound_transfer_size_bytes_check CHECK (size_bytes >= 0)
);
CREATE INDEX inbound_transfer_file_id_idx ON inbound_transfer USING btree (file_id);
CREATE INDEX inbound_transfer_partner_pulled_at_idx ON inbound_transfer USING btree (partner, pulled_at);

create table invoice (
  id bigint default nextval('invoice_id_seq'::regclass) not null,
  invoice_number text not null,
  group_number text not null,
  period_start date not null,
  period_end date not null,
  bill_date date not null,
  due_date date not null,
  prior_balance_cents bigint not null,
  current_charges_cents bigint not null,
  adjustments_cents bigint not null,
  amount_due_cents bigint not null,
  past_due_at timestamp with time zone,
  cleared_at timestamp with time zone,
  created_at timestamp with time zone default now() not null,
  constraint invoice_check CHECK (period_end >= period_start),
  constraint invoice_check1 CHECK (due_date >= bill_date),
  constraint invoice_check2 CHECK (amount_due_cents = (prior_balance_cents + current_charges_cents + adjustments_cents)),
  constraint invoice_group_number_fkey FOREIGN KEY (group_number) REFERENCES employer_group(group_number) ON DELETE RESTRICT,
  constraint invoice_group_number_period_start_key UNIQUE (group_number, period_start),
  constraint invoice_invoice_number_check CHECK (invoice_number ~ '^INV-[0-9]{6}-[0-9]{6}$'::text),
  constraint invoice_invoice_number_key UNIQUE (invoice_number),
  constraint invoice_pkey PRIMARY KEY (id)
);

create table invoice_line (
  id bigint default nextval('invoice_line_id_seq'::regclass) not null,
  invoice_id bigint not null,
  line_no integer not null,
  section text not null,
  member_id bigint not null,
  coverage_id bigint,
  plan_id text not null,
  coverage_level text not null,
  period_start date not null,
  period_end date not null,
  months integer not null,
  monthly_rate_cents bigint not null,
  amount_cents bigint not null,
  retro_adjustment_id bigint,
  constraint invoice_line_check CHECK (period_end >= period_start),
  constraint invoice_line_coverage_id_fkey FOREIGN KEY (coverage_id) REFERENCES coverage(id) ON DELETE RESTRICT,
  constraint invoice_line_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES invoice(id) ON DELETE RESTRICT,
  constraint invoice_line_invoice_id_line_no_key UNIQUE (invoice_id, line_no),
  constraint invoice_line_line_no_check CHECK (line_no >= 1),
  constraint invoice_line_member_id_fkey FOREIGN KEY (member_id) REFERENCES member(id) ON DELETE RESTRICT,
  constraint invoice_line_months_check CHECK (months >= 1),
  constraint invoice_line_pkey PRIMARY KEY (id),
  constraint invoice_line_retro_adjustment_id_fkey FOREIGN KEY (retro_adjustment_id) REFERENCES retro_adjustment(id) ON DELETE RESTRICT,
  constraint invoice_line_retro_adjustment_id_key UNIQUE (retro_adjustment_id),
  constraint invoice_line_section_check CHECK (section = ANY (ARRAY['active'::text, 'adjustment'::text]))
);
CREATE INDEX invoice_line_member_invoice_idx ON invoice_line USING btree (member_id, invoice_id);

create table member (
  id bigint default nextval('member_id_seq'::regclass) not null,
  member_id text generated always as (('EB'::text || lpad((id)::text, 10, '0'::text))) stored,
  group_number text not null,
  subscriber_number text not null,
  is_subscriber boolean not null,
  relationship text not null,
  ssn_enc bytea,
  ssn_hmac bytea,
  last_name text,
  first_name text,
  middle_name text,
  name_suffix text,
  birth_date date,
  gender text,
  benefit_status text default 'A'::text not null,
  cobra_event text,
  employment_status text,
  handicapped boolean default false not null,
  medicare_plan text,
  hire_date date,
  subgroup text,
  class_code text default '1001'::text not null,
  home_line1 text,
  home_line2 text,
  home_city text,
  home_state text,
  home_zip text,
  home_county text,
  mailing_line1 text,
  mailing_line2 text,
  mailing_city text,
  mailing_state text,
  mailing_zip text,
  custodial_parent jsonb,
  eligibility_begin date not null,
  eligibility_end date,
  cancelled boolean default false not null,
  created_file_id bigint not null,
  updated_file_id bigint not null,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint member_check CHECK (eligibility_end >= eligibility_begin),
  constraint member_pkey PRIMARY KEY (id),
  constraint member_relationship_check CHECK (relationship ~ '^[0-9A-Z]{2}$'::text),
  constraint member_subscriber_number_check CHECK (length(subscriber_number) >= 1 AND length(subscriber_number) <= 80)
);
CREATE UNIQUE INDEX member_family_key_idx ON member USING btree (group_number, subscriber_number, (
CASE
    WHEN is_subscriber THEN (0)::bigint
    ELSE id
END));
CREATE INDEX member_ssn_hmac_idx ON member USING btree (ssn_hmac) WHERE (ssn_hmac IS NOT NULL);
CREATE TRIGGER member_id_never_changes BEFORE UPDATE OF id ON member FOR EACH ROW WHEN (old.id IS DISTINCT FROM new.id) EXECUTE FUNCTION member_never_removed();
CREATE TRIGGER member_never_deleted BEFORE DELETE ON member FOR EACH ROW EXECUTE FUNCTION member_never_removed();
CREATE TRIGGER member_references_insert AFTER INSERT ON member REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION member_references_check();
CREATE TRIGGER member_references_update AFTER UPDATE ON member REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION member_references_check();

create table member_history (
  id bigint default nextval('member_history_id_seq'::regclass) not null,
  member_id bigint not null,
  at timestamp with time zone default now() not null,
  action text not null,
  effective_date date,
  changed text[] default '{}'::text[] not null,
  previous jsonb,
  file_id bigint not null,
  interchange_control text not null,
  set_control text not null,
  segment_position integer,
  constraint member_history_action_check CHECK (action = ANY (ARRAY['add'::text, 'change'::text, 'terminate'::text, 'cancel'::text, 'reinstate'::text])),
  constraint member_history_pkey PRIMARY KEY (member_id, id),
  constraint member_history_segment_position_check CHECK (segment_position >= 1)
);
CREATE TRIGGER member_history_append_only BEFORE DELETE OR UPDATE ON member_history FOR EACH ROW EXECUTE FUNCTION member_history_append_only();
CREATE TRIGGER member_history_references_insert AFTER INSERT ON member_history REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION member_history_references_check();

create table organisation (
  id bigint default nextval('organisation_id_seq'::regclass) not null,
  name text not null,
  kind text not null,
  created_at timestamp with time zone default now() not null,
  constraint organisation_kind_check CHECK (kind = ANY (ARRAY['plan'::text, 'partner'::text])),
  constraint organisation_name_check CHECK (length(name) >= 1 AND length(name) <= 200),
  constraint organisation_name_key UNIQUE (name),
  constraint organisation_pkey PRIMARY KEY (id)
);

create table organisation_group (
  organisation_id bigint not null,
  group_number text not null,
  constraint organisation_group_group_number_check CHECK (length(group_number) >= 1 AND length(group_number) <= 50),
  constraint organisation_group_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES organisation(id) ON DELETE CASCADE,
  constraint organisation_group_pkey PRIMARY KEY (organisation_id, group_number)
);

create table organisation_partner (
  organisation_id bigint not null,
  partner_id text not null,
  constraint organisation_partner_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES organisation(id) ON DELETE CASCADE,
  constraint organisation_partner_partner_id_check CHECK (length(partner_id) >= 1 AND length(partner_id) <= 63),
  constraint organisation_partner_pkey PRIMARY KEY (organisation_id, partner_id)
);

create table outbound_acknowledgement (
  id bigint default nextval('outbound_acknowledgement_id_seq'::regclass) not null,
  file_id bigint not null,
  kind text not null,
  name text not null,
  isa_control bigint not null,
  group_control bigint,
  receiver text not null,
  created_at timestamp with time zone default now() not null,
  body text,
  delivery text default 'local'::text not null,
  delivery_attempts integer default 0 not null,
  last_attempt_at timestamp with time zone,
  last_error text,
  delivered_at timestamp with time zone,
  remote_path text,
  constraint outbound_acknowledgement_check CHECK ((kind = 'TA1'::text) = (group_control IS NULL)),
  constraint outbound_acknowledgement_delivery_attempts_check CHECK (delivery_attempts >= 0),
  constraint outbound_acknowledgement_delivery_check CHECK (delivery = ANY (ARRAY['local'::text, 'pending'::text, 'delivered'::text, 'withheld'::text])),
  constraint outbound_acknowledgement_file_id_fkey FOREIGN KEY (file_id) REFERENCES inbound_file(id) ON DELETE RESTRICT,
  constraint outbound_acknowledgement_group_control_check CHECK (group_control >= 1 AND group_control <= 999999999),
  constraint outbound_acknowledgement_isa_control_check CHECK (isa_control >= 1 AND isa_control <= 999999999),
  constraint outbound_acknowledgement_kind_check CHECK (kind = ANY (ARRAY['TA1'::text, '999'::text])),
  constraint outbound_acknowledgement_name_check CHECK (length(name) >= 1 AND length(name) <= 200),
  constraint outbound_acknowledgement_pending_has_body CHECK ((delivery <> ALL (ARRAY['pending'::text, 'delivered'::text])) OR body IS NOT NULL),
  constraint outbound_acknowledgement_pkey PRIMARY KEY (id),
  constraint outbound_acknowledgement_receiver_check CHECK (length(receiver) >= 1 AND length(receiver) <= 15)
);
CREATE INDEX outbound_acknowledgement_file_id_idx ON outbound_acknowledgement USING btree (file_id);
CREATE INDEX outbound_acknowledgement_pending_idx ON outbound_acknowledgement USING btree (file_id) WHERE (delivery = 'pending'::text);
CREATE INDEX outbound_acknowledgement_receiver_group_idx ON outbound_acknowledgement USING btree (receiver, group_control) WHERE (group_control IS NOT NULL);
CREATE INDEX outbound_acknowledgement_receiver_isa_idx ON outbound_acknowledgement USING btree (receiver, isa_control);

create table payment (
  id bigint default nextval('payment_id_seq'::regclass) not null,
  file_id bigint not null,
  set_control text not null,
  trace_number text not null,
  originator text default ''::text not null,
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
  remittance_only boolean not null,
  status text not null,
  received_at timestamp with time zone not null,
  created_at timestamp with time zone default now() not null,
  constraint payment_file_id_fkey FOREIGN KEY (file_id) REFERENCES inbound_file(id) ON DELETE RESTRICT,
  constraint payment_file_id_set_control_key UNIQUE (file_id, set_control),
  constraint payment_pkey PRIMARY KEY (id),
  constraint payment_status_check CHECK (status = ANY (ARRAY['applied'::text, 'held'::text, 'duplicate'::text, 'information'::text]))
);
CREATE INDEX payment_group_idx ON payment USING btree (group_number);
CREATE UNIQUE INDEX payment_trace_idx ON payment USING btree (trace_number, originator) WHERE (status <> 'duplicate'::text);

create table payment_allocation (
  id bigint default nextval('payment_allocation_id_seq'::regclass) not null,
  payment_id bigint not null,
  kind text not null,
  segment_position integer,
  reference_qualifier text,
  reference text,
  group_number text,
  invoice_id bigint,
  member_id bigint,
  amount_cents bigint not null,
  billed_cents bigint,
  payer_billed_cents bigint,
  disposition text not null,
  exception_id bigint,
  constraint payment_allocation_disposition_check CHECK (disposition = ANY (ARRAY['applied'::text, 'credit'::text, 'suspense'::text, 'information'::text])),
  constraint payment_allocation_exception_id_fkey FOREIGN KEY (exception_id) REFERENCES exception(id) ON DELETE RESTRICT,
  constraint payment_allocation_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES invoice(id) ON DELETE RESTRICT,
  constraint payment_allocation_kind_check CHECK (kind = ANY (ARRAY['line'::text, 'previous-payment-adjustment'::text, 'unmatched-total'::text])),
  constraint payment_allocation_member_id_fkey FOREIGN KEY (member_id) REFERENCES member(id) ON DELETE RESTRICT,
  constraint payment_allocation_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES payment(id) ON DELETE RESTRICT,
  constraint payment_allocation_pkey PRIMARY KEY (id)
);
CREATE INDEX payment_allocation_group_idx ON payment_allocation USING btree (group_number);
CREATE INDEX payment_allocation_invoice_member_idx ON payment_allocation USING btree (invoice_id, member_id);
CREATE INDEX payment_allocation_payment_idx ON payment_allocation USING btree (payment_id);

create table phi_audit (
  id bigint default nextval('phi_audit_id_seq'::regclass) not null,
  at timestamp with time zone not null,
  user_id bigint not null,
  user_login text not null,
  organisation_id bigint not null,
  action text not null,
  subject text not null,
  reason text not null,
  client text,
  constraint phi_audit_action_check CHECK (action = ANY (ARRAY['exception-phi'::text, 'member-verify'::text, 'census'::text, 'family'::text, 'held-file'::text])),
  constraint phi_audit_pkey PRIMARY KEY (id),
  constraint phi_audit_reason_check CHECK (length(reason) >= 1 AND length(reason) <= 500),
  constraint phi_audit_subject_check CHECK (length(subject) >= 1 AND length(subject) <= 200),
  constraint phi_audit_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_user(id) ON DELETE RESTRICT
);
CREATE INDEX phi_audit_at_idx ON phi_audit USING btree (at);
CREATE INDEX phi_audit_user_idx ON phi_audit USING btree (user_id, at);

create table plan (
  id text not null,
  insurance_line text not null,
  name text not null,
  constraint plan_id_insurance_line_key UNIQUE (id, insurance_line),
  constraint plan_insurance_line_check CHECK (insurance_line = ANY (ARRAY['AG'::text, 'AH'::text, 'AJ'::text, 'AK'::text, 'DCP'::text, 'DEN'::text, 'EPO'::text, 'FAC'::text, 'HE'::text, 'HLT'::text, 'HMO'::text, 'LTC'::text, 'LTD'::text, 'MM'::text, 'MOD'::text, 'PDG'::text, 'POS'::text, 'PPO'::text, 'PRA'::text, 'STD'::text, 'UR'::text, 'VIS'::text])),
  constraint plan_pkey PRIMARY KEY (id)
);
CREATE TRIGGER plan_in_use_delete BEFORE DELETE ON plan FOR EACH ROW EXECUTE FUNCTION plan_in_use();
CREATE TRIGGER plan_in_use_update BEFORE UPDATE OF id ON plan FOR EACH ROW WHEN (old.id IS DISTINCT FROM new.id) EXECUTE FUNCTION plan_in_use();

create table plan_rate (
  plan_id text not null,
  coverage_level text not null,
  effective_from date not null,
  effective_to date,
  monthly_rate numeric(12,2) not null,
  constraint plan_rate_check CHECK (effective_to >= effective_from),
  constraint plan_rate_coverage_level_check CHECK (coverage_level = ANY (ARRAY['CHD'::text, 'DEP'::text, 'E1D'::text, 'E2D'::text, 'E3D'::text, 'E5D'::text, 'E6D'::text, 'E7D'::text, 'E8D'::text, 'E9D'::text, 'ECH'::text, 'EMP'::text, 'ESP'::text, 'FAM'::text, 'IND'::text, 'SPC'::text, 'SPO'::text, 'TWO'::text])),
  constraint plan_rate_monthly_rate_check CHECK (monthly_rate >= 0::numeric),
  constraint plan_rate_pkey PRIMARY KEY (plan_id, coverage_level, effective_from),
  constraint plan_rate_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES plan(id) ON DELETE CASCADE
);

create table retro_adjustment (
  id bigint default nextval('retro_adjustment_id_seq'::regclass) not null,
  member_id bigint not null,
  coverage_id bigint,
  kind text not null,
  effective_date date not null,
  received_date date not null,
  months integer not null,
  status text default 'pending'::text not null,
  file_id bigint not null,
  created_at timestamp with time zone default now() not null,
  constraint retro_adjustment_coverage_id_fkey FOREIGN KEY (coverage_id) REFERENCES coverage(id) ON DELETE RESTRICT,
  constraint retro_adjustment_kind_check CHECK (kind = ANY (ARRAY['charge'::text, 'credit'::text])),
  constraint retro_adjustment_member_id_fkey FOREIGN KEY (member_id) REFERENCES member(id) ON DELETE RESTRICT,
  constraint retro_adjustment_months_check CHECK (months >= 1),
  constraint retro_adjustment_pkey PRIMARY KEY (id),
  constraint retro_adjustment_status_check CHECK (status = ANY (ARRAY['pending'::text, 'review'::text, 'billed'::text]))
);
CREATE INDEX retro_adjustment_member_id_idx ON retro_adjustment USING btree (member_id);
CREATE INDEX retro_adjustment_status_idx ON retro_adjustment USING btree (status);

create table saved_view (
  id bigint default nextval('saved_view_id_seq'::regclass) not null,
  user_id bigint not null,
  name text not null,
  query text not null,
  constraint saved_view_name_check CHECK (length(name) >= 1 AND length(name) <= 80),
  constraint saved_view_pkey PRIMARY KEY (id),
  constraint saved_view_query_check CHECK (length(query) <= 1000),
  constraint saved_view_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_user(id) ON DELETE CASCADE,
  constraint saved_view_user_id_name_key UNIQUE (user_id, name)
);

create table schedule_run (
  task text not null,
  slot timestamp with time zone not null,
  run_by text not null,
  created_at timestamp with time zone default now() not null,
  constraint schedule_run_pkey PRIMARY KEY (task, slot),
  constraint schedule_run_run_by_check CHECK (length(run_by) >= 1 AND length(run_by) <= 200),
  constraint schedule_run_task_check CHECK (length(task) >= 1 AND length(task) <= 200)
);

create table trading_partner (
  id text not null,
  name text not null,
  isa_qualifier text not null,
  isa_id text not null,
  gs_id text not null,
  receiver_isa_qualifier text not null,
  receiver_isa_id text not null,
  receiver_gs_id text not null,
  transaction_sets text[] not null,
  constraint trading_partner_gs_id_check CHECK (length(gs_id) >= 2 AND length(gs_id) <= 15),
  constraint trading_partner_id_check CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'::text),
  constraint trading_partner_isa_id_check CHECK (length(isa_id) >= 1 AND length(isa_id) <= 15),
  constraint trading_partner_isa_qualifier_check CHECK (isa_qualifier ~ '^[0-9A-Z]{2}$'::text),
  constraint trading_partner_isa_qualifier_isa_id_key UNIQUE (isa_qualifier, isa_id),
  constraint trading_partner_pkey PRIMARY KEY (id),
  constraint trading_partner_receiver_gs_id_check CHECK (length(receiver_gs_id) >= 2 AND length(receiver_gs_id) <= 15),
  constraint trading_partner_receiver_isa_id_check CHECK (length(receiver_isa_id) >= 1 AND length(receiver_isa_id) <= 15),
  constraint trading_partner_receiver_isa_qualifier_check CHECK (receiver_isa_qualifier ~ '^[0-9A-Z]{2}$'::text),
  constraint trading_partner_transaction_sets_check CHECK (cardinality(transaction_sets) > 0 AND transaction_sets <@ ARRAY['834'::text, '820'::text])
);

create table user_session (
  token_sha256 text not null,
  user_id bigint not null,
  csrf_token text not null,
  created_at timestamp with time zone not null,
  last_seen_at timestamp with time zone not null,
  expires_at timestamp with time zone not null,
  constraint user_session_pkey PRIMARY KEY (token_sha256),
  constraint user_session_token_sha256_check CHECK (token_sha256 ~ '^[0-9a-f]{64}$'::text),
  constraint user_session_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_user(id) ON DELETE CASCADE
);
CREATE INDEX user_session_user_idx ON user_session USING btree (user_id);

create function coverage_never_removed() returns trigger;
create function coverage_references_check() returns trigger;
create function employer_group_in_use() returns trigger;
create function exception_event_append_only() returns trigger;
create function member_history_append_only() returns trigger;
create function member_history_references_check() returns trigger;
create function member_never_removed() returns trigger;
create function member_references_check() returns trigger;
create function plan_in_use() returns trigger;
