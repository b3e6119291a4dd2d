-- 000013 exception actions: besides state changes, an item's history records assignments
-- and comments (the state stays as it was: from_state = to_state).
-- Runs inside the migration runner's transaction, with search_path set to the target
-- schema: no BEGIN/COMMIT here, and no schema-qualified names.

alter table exception_event add column kind text not null default 'state'
  check (kind in ('state', 'assign', 'comment'));
alter table exception_event add constraint exception_event_kind_keeps_state
  check (kind = 'state' or from_state = to_state);
create index exception_owner_idx on exception (owner) where state in ('open', 'in_progress');
