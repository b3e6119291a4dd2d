/**
 * Each partner as ops watch it: its last pull, its last error (a delivery that failed, or an
 * open transfer exception: an unreadable file, a changed host key), files received and the
 * acknowledgements still to deliver.
 */
import type { Db } from '../db/db.js';

export interface PartnerStatus {
  id: string;
  name: string | null;
  lastPullAt: Date | null;
  lastFileAt: Date | null;
  files: number;
  undelivered: number;
  lastError: { at: Date; what: string } | null;
}

export async function partnerStatuses(db: Db, partners: readonly string[] | null = null): Promise<PartnerStatus[]> {
  const { rows } = await db.query<PartnerStatus & { errAt: Date | null; errWhat: string | null }>(
    `with ids as (select id from trading_partner union select distinct partner from inbound_file)
     select i.id, tp.name,
            (select max(pulled_at) from inbound_transfer t where t.partner = i.id) as "lastPullAt",
            (select max(received_at) from inbound_file f where f.partner = i.id) as "lastFileAt",
            (select count(*)::integer from inbound_file f where f.partner = i.id) as files,
            (select count(*)::integer from outbound_acknowledgement o join inbound_file f on f.id = o.file_id
              where f.partner = i.id and o.delivery = 'pending') as undelivered,
            e.at as "errAt", e.what as "errWhat"
       from ids i left join trading_partner tp on tp.id = i.id
       left join lateral (
         select * from (
           select o.last_attempt_at as at, 'delivery of ' || o.kind || ' ' || o.name || ' failed: ' || o.last_error as what
             from outbound_acknowledgement o join inbound_file f on f.id = o.file_id
            where f.partner = i.id and o.last_error is not null and o.delivery = 'pending'
           union all
           select x.created_at, x.category || ': ' || x.description from exception x
            where x.partner = i.id and x.category in ('unreadable-file', 'sender-mismatch', 'duplicate-interchange', 'host-key-changed')
              and x.state in ('open', 'in_progress')) errs
         order by at desc nulls last limit 1) e on true
      where $1::text[] is null or i.id = any($1)
      order by i.id`,
    [partners],
  );
  return rows.map(({ errAt, errWhat, ...r }) => ({ ...r, lastError: errAt && errWhat ? { at: errAt, what: errWhat } : null }));
}
