-- 000014 cash application looks up, a batch of members at a time, what an invoice billed each
-- member and what earlier payments applied to them: one index each answers it without reading
-- the invoice's other lines (a million-line invoice stays one index probe per member).
-- Runs inside the migration runner's transaction, with search_path set to the target
-- schema: no BEGIN/COMMIT here, and no schema-qualified names.

drop index invoice_line_member_idx;
create index invoice_line_member_invoice_idx on invoice_line (member_id, invoice_id);
create index payment_allocation_invoice_member_idx on payment_allocation (invoice_id, member_id) where disposition = 'applied';
