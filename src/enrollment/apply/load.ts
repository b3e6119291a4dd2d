/**
 * Loading what a batch of families needs, in three statements whatever the batch's size,
 * issued together: the families' members, their coverages, and which of the batch's SSNs
 * are on file in the same group under another family.
 *
 * PROBE: each statement joins the batch's keys (unnest) to a LATERAL subquery with OFFSET 0,
 * which the planner cannot turn into a join, so every key is one index probe whatever the
 * statistics say. A batch is loaded inside the transaction that is writing the set, before
 * autovacuum has seen the new rows; with `= any(array)` the planner then chose scans of a
 * whole group or table per batch (measured at one million members: 40 ms a batch on the
 * group's members, 264 ms on all 1.9 M coverages), so a large set grew quadratic.
 *
 * TUPLES: a batch's rows come back as one JSON array of arrays (json_agg of json_build_array),
 * parsed once by JSON.parse, instead of one driver row object per member and coverage.
 * Measured on 100,000 families with their 190,000 coverages, in batches as the ingest loads
 * them: 1.8–2.2 s of Node CPU as rows, 0.55–0.66 s as JSON, the server's time about the same.
 *
 * KEYS: the batch's keys go the other way as JSON arrays too (json_array_elements_text, zipped
 * by ROWS FROM), each serialised once and sent to every statement that needs it, instead of
 * arrays the driver turns into array literals element by element, once per statement.
 */
import type { Db } from '../../db/db.js';
import {
  coverageFromTuple,
  familyKey,
  memberFromTuple,
  memberTuple,
  type CoverageTuple,
  type Family,
  type MemberTuple,
  type StoredCoverage,
  type StoredMember,
} from '../../membership/model.js';

const coverageOrder = (a: StoredCoverage, b: StoredCoverage): number =>
  a.beginDate < b.beginDate ? -1 : a.beginDate > b.beginDate ? 1 : Number(a.id) - Number(b.id);

/** Coverages by begin date, then id; they mostly arrive so, and then nothing is sorted. */
function sortCoverages(coverages: StoredCoverage[]): void {
  for (let i = 1; i < coverages.length; i++) {
    if (coverageOrder(coverages[i - 1]!, coverages[i]!) > 0) {
      coverages.sort(coverageOrder);
      return;
    }
  }
}

/** The one JSON text a tuple query returns (`… as j`), parsed. */
async function tuples<T>(result: Promise<{ rows: Array<{ j: string | null }> }>): Promise<T[]> {
  const j = (await result).rows[0]?.j;
  return j ? (JSON.parse(j) as T[]) : [];
}

/** Rows zipped from the JSON text arrays $1..$n, one column each (see KEYS). */
function keyRows(n: number): string {
  return `rows from (${Array.from({ length: n }, (_, i) => `json_array_elements_text($${i + 1}::json)`).join(', ')})`;
}

/** Both results once both have settled, so that neither failure is left unobserved. */
export async function bothSettled<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [x, y] = await Promise.allSettled([a, b]);
  if (x.status === 'rejected') throw x.reason;
  if (y.status === 'rejected') throw y.reason;
  return [x.value, y.value];
}

/**
 * The families with these keys, with their members and coverages (a key not on file gets an
 * empty family). Both statements are issued at once (coverages are found through the
 * families too), so a batch's loads cost one wait, not two.
 */
export async function loadFamilies(db: Db, keys: ReadonlyArray<{ groupNumber: string; subscriberNumber: string }>): Promise<Map<string, Family>> {
  const families = new Map<string, Family>();
  for (const k of keys) {
    const key = familyKey(k.groupNumber, k.subscriberNumber);
    if (!families.has(key)) families.set(key, { groupNumber: k.groupNumber, subscriberNumber: k.subscriberNumber, members: [] });
  }
  if (families.size === 0) return families;
  // See KEYS.
  const groups = JSON.stringify([...families.values()].map((f) => f.groupNumber));
  const numbers = JSON.stringify([...families.values()].map((f) => f.subscriberNumber));
  // One index probe per family (see PROBE): member_family_key_idx on its first two columns.
  const memberRows = tuples<MemberTuple>(db.query(
    `select json_agg(${memberTuple('m')} order by m.is_subscriber desc, m.id)::text as j
       from ${keyRows(2)} as k(g, s)
       cross join lateral (select * from member x where x.group_number = k.g and x.subscriber_number = k.s offset 0) m`,
    [groups, numbers],
  ));
  // One index probe per family, then one per member (see PROBE).
  const coverageRows = tuples<CoverageTuple>(db.query(
    `select json_agg(json_build_array(c.id::text, c.member_id::text, c.insurance_line, c.plan_id, c.coverage_level, c.begin_date, c.end_date, c.cancelled))::text as j
       from ${keyRows(2)} as k(g, s)
       cross join lateral (select x.id from member x where x.group_number = k.g and x.subscriber_number = k.s offset 0) m
       cross join lateral (select * from coverage y where y.member_id = m.id offset 0) c`,
    [groups, numbers],
  ));
  const [members, coverages] = await bothSettled(memberRows, coverageRows);
  if (members.length === 0) return families;
  const byId = new Map<string, StoredMember>();
  for (const t of members) {
    const m = memberFromTuple(t);
    byId.set(t[0], m);
    families.get(familyKey(m.groupNumber, m.subscriberNumber))!.members.push(m);
  }
  for (const t of coverages) byId.get(t[1])?.coverages.push(coverageFromTuple(t));
  for (const m of byId.values()) if (m.coverages.length > 1) sortCoverages(m.coverages);
  return families;
}

/**
 * For the SSN indexes (hex) a batch's families send: the other families of the same group
 * on file holding each, so a matcher can ask whether an SSN belongs to another family. A
 * family's own members are left out on the server: in a full file nearly every SSN is on
 * file in its own family, and receiving those rows cost more than the probes.
 */
export async function loadSsnOwners(
  db: Db,
  items: ReadonlyArray<{ groupNumber: string; subscriberNumber: string; ssnHmacHex: string }>,
): Promise<Map<string, Set<string>>> {
  const owners = new Map<string, Set<string>>();
  if (items.length === 0) return owners;
  // One probe of member_ssn_hmac_idx per SSN (see PROBE).
  const rows = await tuples<[h: string, groupNumber: string, subscriberNumber: string]>(db.query(
    `select json_agg(json_build_array(k.h, m.group_number, m.subscriber_number))::text as j
       from ${keyRows(3)} as k(h, g, s)
       cross join lateral (select x.group_number, x.subscriber_number from member x where x.ssn_hmac = decode(k.h, 'hex') offset 0) m
      where m.group_number = k.g and m.subscriber_number <> k.s`,
    [JSON.stringify(items.map((i) => i.ssnHmacHex)), JSON.stringify(items.map((i) => i.groupNumber)), JSON.stringify(items.map((i) => i.subscriberNumber))],
  ));
  for (const [h, group, subscriber] of rows) {
    const key = `${group}\u0000${h}`;
    let set = owners.get(key);
    if (!set) owners.set(key, (set = new Set()));
    set.add(familyKey(group, subscriber));
  }
  return owners;
}
