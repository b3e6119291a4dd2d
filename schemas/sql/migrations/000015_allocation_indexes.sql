-- 000015 fewer indexes to maintain on payment_allocation, the table cash application writes
-- most: one (invoice_id, member_id) index serves every look-up by invoice and by invoice and
-- member (the partial one on applied allocations and the one on invoice_id alone are
-- dropped), and no look-up reads allocations by member alone.
-- Runs inside the migration runner's transaction, with search_path set to the target
-- schema: no BEGIN/COMMIT here, and no schema-qualified names.

drop index payment_allocation_invoice_member_idx;
drop index payment_allocation_invoice_idx;
drop index payment_allocation_member_idx;
create index payment_allocation_invoice_member_idx on payment_allocation (invoice_id, member_id);
