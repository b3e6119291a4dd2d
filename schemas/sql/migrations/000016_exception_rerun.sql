-- 000016 exception re-run: an item holding an 834 change the rules did not apply can be
-- re-run (src/exceptions/rerun.ts) once its cause is fixed; each re-run is recorded in the
-- item's history as its own kind of event, with what it applied or why it is still held.
-- Like an assignment or a comment, it keeps the state (from_state = to_state); a re-run that
-- applies the change also writes the state change to resolved.
-- Runs inside the migration runner's transaction, with search_path set to the target
-- schema: no BEGIN/COMMIT here, and no schema-qualified names.

alter table exception_event drop constraint exception_event_kind_check;
alter table exception_event add constraint exception_event_kind_check
  check (kind in ('state', 'assign', 'comment', 'rerun'));
