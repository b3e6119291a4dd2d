-- 000010 card printing and receipt source.
-- Runs inside the migration runner's transaction, with search_path set to the target
-- schema: no BEGIN/COMMIT here, and no schema-qualified names.

-- Where a file's received_at came from: 'observed', the time edibridge registered it, or
-- 'given', a time passed in for a replay (`edibridge ingest --received-at`), which the date
-- rules (retroactivity, future-dated terminations, age 26 …) then count from. Files
-- registered before this migration were all observed.
alter table inbound_file add column received_at_source text not null default 'observed'
  check (received_at_source in ('observed', 'given'));

-- When a card request was marked sent by the print run (`edibridge cards mark-sent`); null
-- while pending, and for a card cancelled before it was printed.
alter table id_card_request add column printed_at timestamptz;
alter table id_card_request add constraint id_card_request_printed_at_check
  check ((status = 'printed') = (printed_at is not null)) not valid;

-- The print run's queue (`edibridge cards pending`): pending requests, oldest first.
create index id_card_request_pending_idx on id_card_request (requested_at, id) where status = 'pending';
