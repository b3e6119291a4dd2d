-- 000007 waiting files: a file whose accepted transaction sets include some that no set
-- handler takes stays open as 'waiting' (for a handler), instead of counting as processed;
-- ingesting it again once a handler is registered applies those sets and closes it.

alter table inbound_file drop constraint inbound_file_status_check;
alter table inbound_file add constraint inbound_file_status_check
  check (status in ('received', 'processing', 'processed', 'rejected', 'failed', 'waiting'));
