-- 000009 outbound acknowledgements.
-- Runs inside the migration runner's transaction, with search_path set to the target
-- schema: no BEGIN/COMMIT here, and no schema-qualified names.

-- Every TA1 and 999 the ingest sends in answer to an inbound file, with the control numbers
-- it took from outbound_control_seq. A partner's own TA1 (TA101 = our ISA13) or 999 (AK102 =
-- our GS06) received later is looked up here to name the inbound file we answered.
create table outbound_acknowledgement (
  id bigserial primary key,
  -- The inbound file it answers.
  file_id bigint not null references inbound_file (id) on delete restrict,
  kind text not null check (kind in ('TA1', '999')),
  -- The name it was written under (NNN-<their ISA13>.ta1.x12 / .999.x12).
  name text not null check (length(name) between 1 and 200),
  -- Our ISA13, and our GS06 (a 999's group; null for a TA1, which travels without a group).
  isa_control bigint not null check (isa_control between 1 and 999999999),
  group_control bigint check (group_control between 1 and 999999999),
  -- Our ISA08 (trimmed): the partner it is addressed to, whose own acknowledgement names it.
  receiver text not null check (length(receiver) between 1 and 15),
  created_at timestamptz not null default now(),
  check ((kind = 'TA1') = (group_control is null))
);
create index outbound_acknowledgement_file_id_idx on outbound_acknowledgement (file_id);
create index outbound_acknowledgement_receiver_isa_idx on outbound_acknowledgement (receiver, isa_control);
create index outbound_acknowledgement_receiver_group_idx on outbound_acknowledgement (receiver, group_control) where group_control is not null;
