/**
 * Enrollment totals of a group on a day: subscribers in force by family composition
 * (employee; employee + spouse; employee + children; family), counted from the dependents
 * actually in force rather than from the coverage level the file sent, and coverages by
 * insurance line and level. Beside them, per insurance line, the coverage level the file
 * sent for each subscriber (HD05) against the dependents in force on that line, and the
 * subscribers where the two disagree (a dependent held for a person, ended or not yet
 * begun; a level not changed when a dependent was added), each with a plain explanation.
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
  /**
   * Subscribers by insurance line, then the coverage level the file sent for the
   * subscriber's own coverage (HD05; '-' when none), then the family composition counted
   * from the dependents in force with a coverage on that line.
   */
  levels: Record<string, Record<string, Record<Composition, number>>>;
  /** Subscribers whose coverage level disagrees with the dependents in force on the line. */
  disagreements: LevelDisagreement[];
}

export interface LevelDisagreement {
  insuranceLine: string;
  coverageLevel: string;
  /** Dependents in force on the line: spouses (INS02 01, 53) and the others (children …). */
  spouses: number;
  children: number;
  subscribers: number;
  /** fewer: the level implies more dependents than are in force; more: fewer than are; other: different ones. */
  kind: 'fewer' | 'more' | 'other';
  /** One line for a person, e.g. "2 subscribers have HLT coverage level FAM but no dependent in force on HLT: …". */
  explanation: string;
}

type Verdict = 'agrees' | LevelDisagreement['kind'];

const EXACT: Record<string, number> = { EMP: 0, IND: 0, E1D: 1, TWO: 1, E2D: 2, E3D: 3 };
const AT_LEAST: Record<string, number> = { FAM: 2, E5D: 1, E6D: 2, E7D: 3, E8D: 4, E9D: 5 };

/**
 * Whether a subscriber's coverage level (HD05) fits the dependents in force on its line;
 * undefined for levels that say nothing a subscriber's family can be checked against
 * (SPC, SPO, CHD, DEP, none, or a code not listed here).
 */
export function judgeLevel(level: string | null, spouses: number, children: number): Verdict | undefined {
  const n = spouses + children;
  if (level === null) return undefined;
  if (level in EXACT) {
    const want = EXACT[level]!;
    return n === want ? 'agrees' : n < want ? 'fewer' : 'more';
  }
  if (level in AT_LEAST) return n >= AT_LEAST[level]! ? 'agrees' : 'fewer';
  if (level === 'ESP') {
    if (spouses > 0 && children === 0) return 'agrees';
    return n === 0 ? 'fewer' : spouses > 0 ? 'more' : 'other';
  }
  if (level === 'ECH') {
    if (children > 0 && spouses === 0) return 'agrees';
    return n === 0 ? 'fewer' : children > 0 ? 'more' : 'other';
  }
  return undefined;
}

const WHY: Record<LevelDisagreement['kind'], string> = {
  fewer: 'a dependent may be held for a person (see edibridge exceptions list), ended, or not yet begun, or the file did not lower the level',
  more: 'the file may not have raised the level when a dependent was added',
  other: "a dependent's relationship (INS02) or the level may be wrong",
};

function dependentsPhrase(spouses: number, children: number): string {
  if (spouses + children === 0) return 'no dependent';
  const parts: string[] = [];
  if (spouses) parts.push(spouses === 1 ? 'a spouse' : `${spouses} spouses`);
  if (children) parts.push(children === 1 ? '1 child' : `${children} children`);
  return parts.join(' and ');
}

function compositionOf(spouses: number, children: number): Composition {
  return spouses > 0 && children > 0 ? 'family' : spouses > 0 ? 'employee-spouse' : children > 0 ? 'employee-children' : 'employee';
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
  const { levels, disagreements } = await levelsBeside(db, groupNumber, on);
  return { groupNumber, on, subscribers, dependents, byComposition, coverages, levels, disagreements };
}

/** Each subscriber's level per line against the dependents in force with coverage on that line. */
async function levelsBeside(db: Db, groupNumber: string, on: string): Promise<Pick<Census, 'levels' | 'disagreements'>> {
  const { rows } = await db.query<{ insurance_line: string; coverage_level: string | null; spouses: number; children: number; n: number }>(
    `with sc as (
       select s.subscriber_number, c.insurance_line, c.coverage_level
         from member s join coverage c on c.member_id = s.id
        where s.group_number = $1 and s.is_subscriber and ${ACTIVE('s')} and ${coverageActiveOnSql('c', '$2::date')}),
     fam as (
       select sc.insurance_line, sc.coverage_level,
              count(distinct d.id) filter (where d.relationship in ('01', '53'))::int as spouses,
              count(distinct d.id) filter (where d.relationship not in ('01', '53'))::int as children
         from sc
         left join member d on d.group_number = $1 and d.subscriber_number = sc.subscriber_number and not d.is_subscriber and ${ACTIVE('d')}
                           and exists (select 1 from coverage dc where dc.member_id = d.id and dc.insurance_line = sc.insurance_line
                                          and ${coverageActiveOnSql('dc', '$2::date')})
        group by sc.subscriber_number, sc.insurance_line, sc.coverage_level)
     select insurance_line, coverage_level, spouses, children, count(*)::int as n
       from fam group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
    [groupNumber, on],
  );
  const levels: Census['levels'] = {};
  const disagreements: LevelDisagreement[] = [];
  for (const r of rows) {
    const byLevel = (levels[r.insurance_line] ??= {});
    const row = (byLevel[r.coverage_level ?? '-'] ??= { employee: 0, 'employee-spouse': 0, 'employee-children': 0, family: 0 });
    row[compositionOf(r.spouses, r.children)] += r.n;
    const verdict = judgeLevel(r.coverage_level, r.spouses, r.children);
    if (verdict === undefined || verdict === 'agrees') continue;
    const who = r.n === 1 ? '1 subscriber has' : `${r.n} subscribers have`;
    disagreements.push({
      insuranceLine: r.insurance_line,
      coverageLevel: r.coverage_level!,
      spouses: r.spouses,
      children: r.children,
      subscribers: r.n,
      kind: verdict,
      explanation: `${who} ${r.insurance_line} coverage level ${r.coverage_level} but ${dependentsPhrase(r.spouses, r.children)} in force on ${r.insurance_line}: ${WHY[verdict]}`,
    });
  }
  return { levels, disagreements };
}
