/**
 * The matching rule (src/enrollment/apply/match.ts, MATCH_RULES), row by row, end to end on
 * PostgreSQL: each row has a scenario that puts a family on file with one 834 and sends the
 * member the row describes in a second 834. A same-person row applies what differs (or queues
 * it by its own rule); a doubt applies nothing and raises `member-match-uncertain` with the
 * row's reason; a new row adds the member.
 */
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { MATCH_RULES, type MatchRuleId } from '../../src/enrollment/apply/match.js';
import {
  build834,
  count,
  dependent,
  exceptions,
  ingest,
  member,
  membershipSnapshot,
  subscriber,
  useEnrollmentDb,
  type MemberSpec,
} from './build834.js';

const SUB = '900000001';
/** subscriber(SUB)'s SSN, first name, last name and birth date. */
const SSN = '900000001';
const DOB = '19850214';

/** A 001 change for the subscriber: the name, and only what is given. */
function change(over: Partial<MemberSpec> = {}): string[] {
  return member({ sub: SUB, mt: '001', last: 'SAMPLE', first: 'ALEX', ...over });
}

/** A 001 change for a dependent child of SUB. */
function depChange(first: string, over: Partial<MemberSpec> = {}): string[] {
  return member({ sub: SUB, rel: '19', mt: '001', last: 'SAMPLE', first, ...over });
}

interface PersonRow {
  first_name: string;
  middle_name: string | null;
  last_name: string;
  birth_date: string | null;
}

async function person(db: Db, first: string): Promise<PersonRow> {
  const { rows } = await db.query<PersonRow>(
    "select first_name, middle_name, last_name, to_char(birth_date, 'YYYY-MM-DD') as birth_date from member where first_name = $1",
    [first],
  );
  expect(rows, `members named ${first}`).toHaveLength(1);
  return rows[0]!;
}

interface Scenario {
  /** The family on file (one 834), or nothing. */
  onFile: string[][];
  /** After the family is loaded, before the file (a state no file can make). */
  prepare?: (db: Db) => Promise<void>;
  /** The member the row describes, in its own 834. */
  file: string[][];
  /** For a same-person or new row: what is on file afterwards, and what is queued. */
  check?: (db: Db) => Promise<void>;
  queued?: string[];
}

const RILEY_SSN = '900000071';
const RILEY = (over: Partial<MemberSpec> = {}): string[] => dependent(SUB, '19', 'RILEY', '20150909', { ssn: RILEY_SSN, ...over });
/** Two children named SAM, each with an SSN. */
const TWO_SAMS = [subscriber(SUB), dependent(SUB, '19', 'SAM', '20150909', { ssn: '900000081' }), dependent(SUB, '19', 'SAM', '20180101', { ssn: '900000082' })];

const SCENARIOS: Record<MatchRuleId, Scenario> = {
  'subscriber-new': {
    onFile: [],
    file: [subscriber(SUB)],
    check: async (db) => expect((await person(db, 'ALEX')).birth_date).toBe('1985-02-14'),
  },
  'subscriber-ssn-elsewhere': {
    onFile: [subscriber(SUB)],
    file: [subscriber('900000777', { first: 'OTHER', ssn: SSN })],
  },
  'subscriber-ssn-differs': {
    onFile: [subscriber(SUB)],
    file: [change({ ssn: '911111111', dob: DOB })],
  },
  'subscriber-same': {
    onFile: [subscriber(SUB)],
    file: [change({ ssn: SSN, dob: DOB, middle: 'QUINN' })],
    check: async (db) => expect(await person(db, 'ALEX')).toMatchObject({ middle_name: 'QUINN', last_name: 'SAMPLE', birth_date: '1985-02-14' }),
  },
  'subscriber-first-name': {
    onFile: [subscriber(SUB)],
    file: [change({ ssn: SSN, dob: DOB, first: 'ALEXA' })],
    check: async (db) => expect(await person(db, 'ALEXA')).toMatchObject({ last_name: 'SAMPLE', birth_date: '1985-02-14' }),
  },
  'subscriber-last-name': {
    onFile: [subscriber(SUB)],
    file: [change({ ssn: SSN, dob: DOB, last: 'NEWNAME', middle: 'QUINN' })],
    check: async (db) => expect(await person(db, 'ALEX')).toMatchObject({ last_name: 'SAMPLE', middle_name: 'QUINN' }),
    queued: ['last-name-change'],
  },
  'subscriber-birth-date': {
    onFile: [subscriber(SUB)],
    file: [change({ ssn: SSN, dob: '19850215' })],
    check: async (db) => expect((await person(db, 'ALEX')).birth_date).toBe('1985-02-15'),
  },
  'subscriber-identity-differs': {
    // Subscriber number and SSN agree; first name AND birth date differ.
    onFile: [subscriber(SUB)],
    file: [change({ ssn: SSN, first: 'JAMIE', dob: '19900101' })],
  },
  'subscriber-unconfirmed-first-name': {
    onFile: [subscriber(SUB, { ssn: '' })],
    file: [change({ first: 'ALEXA', dob: DOB })],
  },
  'subscriber-unconfirmed-birth-date': {
    onFile: [subscriber(SUB, { ssn: '' })],
    file: [change({ dob: '19850215' })],
  },
  'dependent-same': {
    onFile: [subscriber(SUB), RILEY()],
    file: [depChange('RILEY', { ssn: RILEY_SSN, dob: '20150909', middle: 'JO' })],
    check: async (db) => expect(await person(db, 'RILEY')).toMatchObject({ middle_name: 'JO', birth_date: '2015-09-09' }),
  },
  'dependent-first-name': {
    onFile: [subscriber(SUB), RILEY()],
    file: [depChange('RILEE', { ssn: RILEY_SSN, dob: '20150909' })],
    check: async (db) => expect(await person(db, 'RILEE')).toMatchObject({ last_name: 'SAMPLE', birth_date: '2015-09-09' }),
  },
  'dependent-last-name': {
    onFile: [subscriber(SUB), RILEY()],
    file: [depChange('RILEY', { ssn: RILEY_SSN, dob: '20150909', last: 'OTHERNAME' })],
    check: async (db) => expect((await person(db, 'RILEY')).last_name).toBe('OTHERNAME'),
  },
  'dependent-birth-date': {
    onFile: [subscriber(SUB), RILEY()],
    file: [depChange('RILEY', { ssn: RILEY_SSN, dob: '20150910', middle: 'JO' })],
    check: async (db) => expect(await person(db, 'RILEY')).toMatchObject({ birth_date: '2015-09-09', middle_name: 'JO' }),
    queued: ['dependent-birth-date-change'],
  },
  'dependent-identity-differs': {
    onFile: [subscriber(SUB), RILEY()],
    file: [depChange('JORDAN', { ssn: RILEY_SSN, dob: '20100101' })],
  },
  'dependent-ssn-shared': {
    onFile: TWO_SAMS,
    // Two children with one SSN: no file can add them so, a data error on file.
    prepare: async (db) => {
      await db.query("update member set ssn_hmac = (select ssn_hmac from member where birth_date = '2015-09-09') where birth_date = '2018-01-01'");
    },
    file: [depChange('SAM', { ssn: '900000081', dob: '20150909' })],
  },
  'dependent-ssn-elsewhere': {
    onFile: [subscriber(SUB), RILEY(), subscriber('900000002')],
    file: [dependent('900000002', '19', 'CASEY', '20160101', { ssn: RILEY_SSN })],
  },
  'dependent-name-other-person': {
    onFile: [subscriber(SUB), dependent(SUB, '19', 'RILEY', '20150909')],
    file: [member({ sub: SUB, rel: '01', mt: '001', last: 'SAMPLE', first: 'RILEY', dob: '19860530' })],
  },
  'dependent-name-and-birth': {
    onFile: TWO_SAMS,
    file: [depChange('SAM', { dob: '20180101', middle: 'LEE' })],
    check: async (db) => {
      const { rows } = await db.query<{ birth_date: string; middle_name: string | null }>(
        "select to_char(birth_date, 'YYYY-MM-DD') as birth_date, middle_name from member where first_name = 'SAM' order by birth_date",
      );
      expect(rows).toEqual([
        { birth_date: '2015-09-09', middle_name: null },
        { birth_date: '2018-01-01', middle_name: 'LEE' },
      ]);
    },
  },
  'dependent-name-shared': {
    onFile: TWO_SAMS,
    file: [depChange('SAM', { middle: 'LEE' })],
  },
  'dependent-other-ssn': {
    onFile: [subscriber(SUB), RILEY()],
    file: [dependent(SUB, '19', 'RILEY', '20150909', { ssn: '900000072' })],
  },
  'dependent-new': {
    onFile: [subscriber(SUB), RILEY()],
    file: [dependent(SUB, '19', 'CASEY', '20160101', { ssn: '900000073' })],
    check: async (db) => expect((await person(db, 'CASEY')).birth_date).toBe('2016-01-01'),
  },
};

describe('834 apply: the matching table, row by row (PostgreSQL)', () => {
  const db = useEnrollmentDb();

  it('has a scenario for every row of MATCH_RULES', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual(Object.keys(MATCH_RULES).sort());
  });

  it.each(Object.keys(MATCH_RULES) as MatchRuleId[])('%s', async (id) => {
    const rule = MATCH_RULES[id];
    const s = SCENARIOS[id];
    if (s.onFile.length) {
      const setUp = await ingest(db(), build834(s.onFile));
      expect(setUp.totals.held, 'the family on file was added whole').toBe(0);
    }
    await s.prepare?.(db());
    const membersBefore = await count(db(), 'member');
    const before = await membershipSnapshot(db());
    const r = await ingest(db(), build834(s.file));
    const ex = await exceptions(db());
    if (rule.verdict === 'doubt') {
      expect(r.totals).toMatchObject({ added: 0, changed: 0, held: 1 });
      expect(await membershipSnapshot(db())).toEqual(before);
      expect(ex.map((e) => e.category)).toEqual(['member-match-uncertain']);
      expect(ex[0]!.description).toContain(rule.then);
      return;
    }
    expect(r.totals.held).toBe(0);
    expect(ex.map((e) => e.category)).toEqual(s.queued ?? []);
    if (rule.verdict === 'new') {
      expect(r.totals.added).toBe(1);
      expect(await count(db(), 'member')).toBe(membersBefore + 1);
    } else {
      expect(r.totals).toMatchObject({ added: 0, changed: 1 });
      expect(await count(db(), 'member')).toBe(membersBefore);
    }
    await s.check!(db());
  });
});
