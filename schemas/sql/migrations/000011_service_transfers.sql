-- 000011 the service: pulls, archive keys, acknowledgement delivery, schedules, and the
-- exceptions a transfer (not a file's content) raises.
-- Runs inside the migration runner's transaction, with search_path set to the target
-- schema: no BEGIN/COMMIT here, and no schema-qualified names.

-- Where a file's raw bytes are kept in the object store (null: ingested from a local path).
alter table inbound_file add column archive_key text check (length(archive_key) between 1 and 1024);

-- Every file pulled from a partner's mailbox, new or a resend: what the remote folder held
-- (path, size, mtime), where its bytes were archived, which inbound file it is or repeats,
-- and when the remote copy was moved away or deleted. The remote file is only touched once
-- this row is committed; a pull that finds its row already here (a crash between the two)
-- does not download again, it only finishes the remote side.
create table inbound_transfer (
  id bigserial primary key,
  partner text not null,
  remote_path text not null check (length(remote_path) between 1 and 4096),
  remote_size bigint not null check (remote_size >= 0),
  remote_mtime timestamptz not null,
  archive_key text not null unique check (length(archive_key) between 1 and 1024),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes bigint not null check (size_bytes >= 0),
  pulled_at timestamptz not null default now(),
  -- new: it registered inbound_file file_id; duplicate-content / duplicate-interchange: a
  -- resend of file_id (the same bytes, or the same ISA06 sender + ISA13), never applied.
  outcome text not null check (outcome in ('new', 'duplicate-content', 'duplicate-interchange')),
  file_id bigint not null references inbound_file (id) on delete restrict,
  -- moved (to the partner's archive folder) or deleted; null while the remote copy is still there.
  remote_disposition text check (remote_disposition in ('moved', 'deleted')),
  remote_done_at timestamptz,
  unique (partner, remote_path, remote_size, remote_mtime)
);
create index inbound_transfer_file_id_idx on inbound_transfer (file_id);
create index inbound_transfer_partner_pulled_at_idx on inbound_transfer (partner, pulled_at);

-- Acknowledgements the service sends over SFTP: their bytes, and their delivery.
-- local: written to a folder (the CLI), not delivered by the service; pending: to upload;
-- delivered: uploaded and renamed into the partner's folder; withheld: the partner's
-- settings say not to send this kind (kept, never uploaded).
alter table outbound_acknowledgement add column body text;
alter table outbound_acknowledgement add column delivery text not null default 'local'
  check (delivery in ('local', 'pending', 'delivered', 'withheld'));
alter table outbound_acknowledgement add column delivery_attempts integer not null default 0 check (delivery_attempts >= 0);
alter table outbound_acknowledgement add column last_attempt_at timestamptz;
-- The last failure's code and message (no file content: an SFTP status or a connection error).
alter table outbound_acknowledgement add column last_error text;
alter table outbound_acknowledgement add column delivered_at timestamptz;
alter table outbound_acknowledgement add column remote_path text;
alter table outbound_acknowledgement add constraint outbound_acknowledgement_pending_has_body
  check (delivery not in ('pending', 'delivered') or body is not null);
create index outbound_acknowledgement_pending_idx on outbound_acknowledgement (file_id) where delivery = 'pending';

-- Scheduled runs (a partner's pull), each fired once across every replica: every replica's
-- timer asks for the (task, slot) it is due to fire, and only the one whose insert wins runs it.
create table schedule_run (
  task text not null check (length(task) between 1 and 200),
  -- The scheduled time (not the moment a replica's timer woke).
  slot timestamptz not null,
  run_by text not null check (length(run_by) between 1 and 200),
  created_at timestamptz not null default now(),
  primary key (task, slot)
);

-- Exceptions about a transfer rather than a file's content. An SFTP server presenting a host
-- key other than the pinned one is about the partner, before any file exists: such an item
-- has no file, and `subject` tells it apart (the fingerprint seen), so the same changed key
-- is one item however many pulls meet it, and another key is another item.
alter table exception alter column file_id drop not null;
alter table exception add column subject text check (length(subject) between 1 and 200);
alter table exception add constraint exception_has_file_or_subject check (file_id is not null or subject is not null);
alter table exception drop constraint exception_dedupe_key;
alter table exception add constraint exception_dedupe_key
  unique nulls not distinct (file_id, set_control, segment_position, category, member_id, partner, subject);
create index exception_partner_idx on exception (partner);

alter table exception drop constraint exception_category_check;
alter table exception add constraint exception_category_check check (category in (
  'member-match-uncertain', 'last-name-change', 'dependent-birth-date-change',
  'other-coverage', 'medicare', 'cobra-not-self-administered', 'class-after-hire',
  'class-not-valid', 'dependent-age-26', 'possible-unintended-termination',
  'retro-beyond-six-months', 'invalid-termination-date', 'zip-state-mismatch',
  'unknown-group', 'unknown-plan', 'birth-date-in-future', 'coverage-ends-before-begin',
  'eligibility-ends-before-begin', 'unknown-invoice', 'unknown-member',
  'duplicate-payment', 'payment-total-mismatch', 'unreadable-file', 'sender-mismatch',
  'duplicate-interchange', 'host-key-changed', 'rejected-set', 'other'));
