/**
 * What came in, day by day: files accepted (processed) and rejected, and transaction sets
 * applied or verified against rejected, over the last days. The dashboard's chart; scoped to
 * a partner organisation's partners when given.
 */
import type { Db } from '../db/db.js';

export interface DayActivity {
  day: string;
  filesAccepted: number;
  filesRejected: number;
  setsAccepted: number;
  setsRejected: number;
}

export async function dailyActivity(db: Db, now: Date, days = 30, partners: readonly string[] | null = null): Promise<DayActivity[]> {
  const { rows } = await db.query<DayActivity>(
    `with d as (select generate_series(($1::timestamptz - make_interval(days => $2 - 1))::date, $1::timestamptz::date, interval '1 day')::date as day),
          f as (select received_at::date as day, count(*) filter (where status = 'processed')::integer as ok,
                       count(*) filter (where status = 'rejected')::integer as bad
                  from inbound_file where received_at >= $1::timestamptz - make_interval(days => $2) and ($3::text[] is null or partner = any($3))
                 group by 1),
          s as (select recorded_at::date as day, count(*) filter (where status in ('applied', 'verified'))::integer as ok,
                       count(*) filter (where status = 'rejected')::integer as bad
                  from inbound_set where recorded_at >= $1::timestamptz - make_interval(days => $2) and ($3::text[] is null or partner = any($3))
                 group by 1)
     select to_char(d.day, 'YYYY-MM-DD') as day, coalesce(f.ok, 0) as "filesAccepted", coalesce(f.bad, 0) as "filesRejected",
            coalesce(s.ok, 0) as "setsAccepted", coalesce(s.bad, 0) as "setsRejected"
       from d left join f on f.day = d.day left join s on s.day = d.day order by d.day`,
    [now.toISOString(), days, partners],
  );
  return rows;
}
