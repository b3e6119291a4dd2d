-- 000017 access: organisations, their users and sessions, the audit of PHI views, and the
-- employer portal's ID-card replacement requests.
-- Runs inside the migration runner's transaction, with search_path set to the target
-- schema: no BEGIN/COMMIT here, and no schema-qualified names.

-- The plan's ops team ('plan') or an employer or TPA ('partner').
create table organisation (
  id bigserial primary key,
  name text not null unique check (length(name) between 1 and 200),
  kind text not null check (kind in ('plan', 'partner')),
  created_at timestamptz not null default now()
);

-- What a partner organisation may see: its groups, and every group of the trading partners
-- it is (a TPA sees the groups its files carry). No row: nothing is visible.
create table organisation_group (
  organisation_id bigint not null references organisation (id) on delete cascade,
  group_number text not null check (length(group_number) between 1 and 50),
  primary key (organisation_id, group_number)
);
create table organisation_partner (
  organisation_id bigint not null references organisation (id) on delete cascade,
  partner_id text not null check (length(partner_id) between 1 and 63),
  primary key (organisation_id, partner_id)
);

create table app_user (
  id bigserial primary key,
  organisation_id bigint not null references organisation (id) on delete restrict,
  -- The sign-in name, compared lower-cased.
  login text not null unique check (login = lower(login) and length(login) between 3 and 200),
  display_name text not null check (length(display_name) between 1 and 200),
  role text not null check (role in ('ops-admin', 'ops', 'partner-admin', 'partner-user')),
  -- scrypt$N$r$p$salt$hash (base64url), see src/access/passwords.ts.
  password_hash text not null,
  password_changed_at timestamptz not null,
  -- A reset password must be changed at the next sign-in.
  must_change_password boolean not null default false,
  failed_attempts integer not null default 0 check (failed_attempts >= 0),
  locked_at timestamptz,
  last_login_at timestamptz,
  disabled_at timestamptz,
  disabled_reason text,
  created_at timestamptz not null default now(),
  -- ops roles belong to the plan's organisation, partner roles to a partner's (checked by the service).
  check ((disabled_at is null) = (disabled_reason is null))
);
create index app_user_organisation_idx on app_user (organisation_id);

-- A signed-in browser or API client. The cookie holds the token; only its SHA-256 is kept.
create table user_session (
  token_sha256 text primary key check (token_sha256 ~ '^[0-9a-f]{64}$'),
  user_id bigint not null references app_user (id) on delete cascade,
  -- The synchronizer token every form and state-changing API call must carry.
  csrf_token text not null,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null
);
create index user_session_user_idx on user_session (user_id);

-- Every view of PHI: who, what, when and why. Append-only.
create table phi_audit (
  id bigserial primary key,
  at timestamptz not null,
  user_id bigint not null references app_user (id) on delete restrict,
  user_login text not null,
  organisation_id bigint not null,
  -- What was shown: a member, an exception's member data and segments, a family, a census.
  action text not null check (action in ('exception-phi', 'member-verify', 'census', 'family', 'held-file')),
  subject text not null check (length(subject) between 1 and 200),
  reason text not null check (length(reason) between 1 and 500),
  client text
);
create index phi_audit_at_idx on phi_audit (at);
create index phi_audit_user_idx on phi_audit (user_id, at);

-- A replacement ID card asked for through the employer portal; the card printer's queue
-- (id_card_request) takes it when ops approve it.
create table id_card_replacement (
  id bigserial primary key,
  group_number text not null,
  member_id bigint not null references member (id) on delete cascade,
  reason text not null check (reason in ('lost', 'stolen', 'damaged', 'wrong-information', 'other')),
  requested_by bigint not null references app_user (id) on delete restrict,
  requested_at timestamptz not null,
  status text not null default 'requested' check (status in ('requested', 'issued', 'refused'))
);
create index id_card_replacement_group_idx on id_card_replacement (group_number, requested_at);

-- A person's saved queue views: a name and the filters' query string.
create table saved_view (
  id bigserial primary key,
  user_id bigint not null references app_user (id) on delete cascade,
  name text not null check (length(name) between 1 and 80),
  query text not null check (length(query) <= 1000),
  unique (user_id, name)
);

-- The console pages the queue by due time or age: an index walks each sort key.
create index exception_due_at_id_idx on exception (due_at, id);
create index exception_received_at_id_idx on exception (received_at, id);
