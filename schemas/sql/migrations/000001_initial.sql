-- 000001 initial: the inbound file register.
-- One row per file received from a partner, before any X12 is parsed. It is how intake
-- dedupes: the same bytes (sha256) or the same interchange (ISA06 sender + ISA13 control
-- number) arriving again is a resend, refused by the unique keys, not by application code.
-- Runs inside the migration runner's transaction, with search_path set to the target
-- schema: no BEGIN/COMMIT here, and no schema-qualified names.

create table inbound_file (
  id bigserial primary key,
  -- The configured trading partner the file came from (transport config key).
  partner text not null,
  -- The name the partner gave the file; not unique (partners reuse names).
  file_name text not null,
  -- Lower-case hex SHA-256 of the file's bytes.
  sha256 text not null unique check (sha256 ~ '^[0-9a-f]{64}$'),
  -- ISA06 (sender ID, trimmed) and ISA13 of the file's first interchange; null until read,
  -- or when the file has no readable ISA (nulls never collide in the unique key).
  isa_sender text,
  isa_control text check (isa_control ~ '^[0-9]{9}$'),
  received_at timestamptz not null default now(),
  size_bytes bigint not null check (size_bytes >= 0),
  -- received: stored, not yet processed; processing: claimed by a worker;
  -- processed: acknowledgements written and accepted sets applied;
  -- rejected: the whole file refused (TA1 R or no readable interchange);
  -- failed: a technical error, to retry.
  status text not null default 'received'
    check (status in ('received', 'processing', 'processed', 'rejected', 'failed')),
  unique (isa_sender, isa_control)
);

-- Workers claim the oldest files waiting in a status; ops lists them by age.
create index inbound_file_status_received_at_idx on inbound_file (status, received_at);
