/**
 * The billing tests' database: PostgreSQL (TEST_DATABASE_URL), the file's own schema, migrated
 * and loaded with the sample reference data (useEnrollmentDb), with billing's rows wiped too
 * before each test.
 */
import { beforeEach } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { useEnrollmentDb } from '../enrollment/build834.js';

export function useBillingDb(): () => Db {
  const db = useEnrollmentDb();
  beforeEach(async () => {
    await db().exec('truncate payment_allocation, payment, billing_review_item, invoice_line, invoice restart identity cascade;');
    await db().exec(`update employer_group set terminated_on = null, payment_tolerance_cents = case group_number when 'GRP20311' then 500 else 100 end;`);
  });
  return db;
}
