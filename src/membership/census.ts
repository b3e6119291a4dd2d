/**
 * Enrollment totals of a group on a day: subscribers in force by family composition
 * (employee; employee + spouse; employee + children; family), counted from the dependents
 * actually in force rather than from the coverage level the file sent, and coverages by
 * insurance line and level.
 */
import type { Db } from '../db/db.js';
import { coverageActiveOnSql, memberActiveOnSql, type Composition } from './model.js';

export interface Census {
  groupNumber: string;
  on: string;
  subscribers: number;
  dependents: number;
  byComposition: Record<Composition, number>;
  /** Coverages in force by insurance line, then coverage level. */
  coverages: Record<string, Record<string, number>>;
}

const ACTIVE = (alias: string): string => memberActiveOnSql(alias, '$2::date');

export async function groupCensus(db: Db, groupNumber: string, on: string): Promise<Census> {
  const families = await db.query<{ composition: Composition; n: number; deps: number }>(
    `with fam as (
       select s.id,
              count(d.id) filter (where d.relationship in ('01', '53'))::int as spouses,
              count(d.id) filter (where d.relationship not in ('01', '53'))::int as others
         from member s
         left join member d on d.group_number = s.group_number and d.subscriber_number = s.subscriber_number
                           and not d.is_subscriber and ${ACTIVE('d')}
        where s.group_number = $1 and s.is_subscriber and ${ACTIVE('s')}
        group by s.id)
     select case when spouses > 0 and others > 0 then 'family'
                 when spouses > 0 then 'employee-spouse'
                 when others > 0 then 'employee-children'
                 else 'employee' end as composition,
            count(*)::int as n, sum(spouses + others)::int as deps
       from fam group by 1`,
    [groupNumber, on],
  );
  const byComposition: Record<Composition, number> = { employee: 0, 'employee-spouse': 0, 'employee-children': 0, family: 0 };
  let subscribers = 0;
  let dependents = 0;
  for (const r of families.rows) {
    byComposition[r.composition] = r.n;
    subscribers += r.n;
    dependents += r.deps;
  }
  const cov = await db.query<{ insurance_line: string; coverage_level: string | null; n: number }>(
    `select c.insurance_line, c.coverage_level, count(*)::int as n
       from coverage c join member m on m.id = c.member_id
      where m.group_number = $1 and ${ACTIVE('m')}
        and ${coverageActiveOnSql('c', '$2::date')}
      group by 1, 2 order by 1, 2`,
    [groupNumber, on],
  );
  const coverages: Census['coverages'] = {};
  for (const r of cov.rows) (coverages[r.insurance_line] ??= {})[r.coverage_level ?? '-'] = r.n;
  return { groupNumber, on, subscribers, dependents, byComposition, coverages };
}
