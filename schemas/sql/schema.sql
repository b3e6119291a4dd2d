-- The schema that schemas/sql/migrations produces, as dumped by dumpSchema()
-- (src/db/schema-dump.ts). Generated: do not edit. test/db checks it against the migrations;
-- after adding a migration, regenerate it with: UPDATE_SCHEMA_DUMP=1 npx vitest run test/db

create sequence inbound_file_id_seq as bigint owned by inbound_file.id;

create table edibridge_migrations (
  version integer not null,
  name text not null,
  applied_at timestamp with time zone default now() not null,
  constraint edibridge_migrations_pkey PRIMARY KEY (version)
);

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
  constraint inbound_file_isa_control_check CHECK (isa_control ~ '^[0-9]{9}$'::text),
  constraint inbound_file_isa_sender_isa_control_key UNIQUE (isa_sender, isa_control),
  constraint inbound_file_pkey PRIMARY KEY (id),
  constraint inbound_file_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$'::text),
  constraint inbound_file_sha256_key UNIQUE (sha256),
  constraint inbound_file_size_bytes_check CHECK (size_bytes >= 0),
  constraint inbound_file_status_check CHECK (status = ANY (ARRAY['received'::text, 'processing'::text, 'processed'::text, 'rejected'::text, 'failed'::text]))
);
CREATE INDEX inbound_file_status_received_at_idx ON inbound_file USING btree (status, received_at);
