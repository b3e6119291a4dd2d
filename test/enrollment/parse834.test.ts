import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EnrollmentFile, MemberEvent } from '../../src/enrollment/events.js';
import { memberAuditRef } from '../../src/enrollment/events.js';
import { Enrollment834Reader, d8 } from '../../src/enrollment/parse834.js';
import { EnrollmentFileReader, readEnrollmentEvents } from '../../src/enrollment/read-file.js';
import { Tokenizer } from '../../src/x12/tokenize/tokenizer.js';
import { corpusDir, corpusTitle } from '../support/corpus.js';

/** '' when the conformance corpus is not available: its describe below is skipped then. */
const CORPUS = corpusDir ?? '';
const SAMPLE = join(import.meta.dirname, '../../samples/enrollment-834.x12');
const OPEN_ENROLLMENT = join(import.meta.dirname, '../../samples/enrollment-834-open-enrollment.x12');
const load = (path: string): Buffer => readFileSync(path);

function onlySet(path: string): { header: EnrollmentFile; members: MemberEvent[] } {
  const { sets, problems } = readEnrollmentEvents(load(path));
  expect(problems).toEqual([]);
  expect(sets).toHaveLength(1);
  const set = sets[0]!;
  expect(set.notes).toEqual([]);
  expect(set.header).toBeDefined();
  return { header: set.header!, members: set.members };
}

const ISA = 'ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*1200*^*00501*000000001*0*P*:~';
const wrap = (body: string[]): string => {
  const segs = ['ST*834*0042*005010X220A1', ...body];
  return `${ISA}GS*BE*S*R*20260101*1200*1*X*005010X220A1~${[...segs, `SE*${segs.length + 1}*0042`].join('~')}~GE*1*1~IEA*1*000000001~`;
};

/** Terminate (INS05 T), reinstate, and a 001 change with the incorrect name and demographics of 2100B. */
const MAINTENANCE = [
  'BGN*00*REF2*20260101*1200****2',
  'REF*38*POLICY7',
  'N1*P5*SPONSOR*FI*111',
  'N1*IN*PAYER*FI*222',
  'INS*Y*18*024*07*T***TE',
  'REF*0F*T1',
  'DTP*357*D8*20260331',
  'NM1*IL*1*TERM*PAT',
  'HD*024**HLT**EMP',
  'DTP*349*D8*20260331',
  'INS*Y*18*025*41*A***FT',
  'REF*0F*R1',
  'DTP*303*D8*20261001',
  'NM1*IL*1*BACK*PAT',
  'INS*Y*18*001*25*A***FT',
  'REF*0F*C1',
  'NM1*IL*1*DOE*JAMES',
  'DMG*D8*19500415*M',
  'NM1*70*1*DOE*JAMES',
  'DMG*D8*19500416*M',
  'INS*N*01*021*28*A',
  'REF*0F*C1',
  'NM1*IL*1*DOE*JANE',
];

describe('834 → enrollment events: samples and small files', () => {
  it('samples/enrollment-834.x12: header and the subscriber\'s name, contact, address and coverages', () => {
    const { header, members } = onlySet(SAMPLE);
    expect(header).toMatchObject({ control: '0001', purpose: '00', reference: 'ACME-20261101-01', creationDate: '2026-11-01', creationTime: '0930', action: 'change', actionCode: '2' });
    expect(header.sponsor).toEqual({ name: 'ACME WIDGETS INC', idQualifier: 'FI', id: '123456789' });
    expect(header.payer).toEqual({ name: 'EDIBRIDGE HEALTH PLAN', idQualifier: 'FI', id: '987654321' });
    const m = members[0]!;
    expect(m).toMatchObject({
      position: 7,
      subscriber: true,
      relationship: '18',
      maintenance: 'add',
      maintenanceCode: '021',
      reason: '20',
      benefitStatus: 'active',
      employmentStatus: 'FT',
      subscriberId: '900000001',
      groupNumber: 'GRP10045',
      dates: { eligibilityBegin: '2026-12-01' },
      name: { entity: 'IL', last: 'SAMPLE', first: 'ALEX', middle: 'Q', idQualifier: '34', ssn: '900000001' },
      nameCorrection: false,
      homeAddress: { line1: '100 EXAMPLE STREET', city: 'SPRINGFIELD', state: 'IL', zip: '62701' },
      demographics: { birthDate: '1985-02-14', gender: 'F' },
      hasOtherCoverage: false,
    });
    expect(m.name?.id).toBeUndefined();
    expect(m.contact).toEqual({ function: 'IP', numbers: [{ qualifier: 'HP', number: '5555550101' }] });
    expect(m.mailingAddress).toBeUndefined();
    // The spouse and the child: no 2100A contact or address of their own.
    expect(members.slice(1, 3).map((d) => [d.position, d.subscriber, d.contact, d.homeAddress])).toEqual([
      [20, false, undefined, undefined],
      [26, false, undefined, undefined],
    ]);
    // The file's own layout (a line break after each segment) does not move offsets off the INS or HD.
    const bytes = load(SAMPLE);
    expect(bytes.includes('~\n')).toBe(true);
    for (const member of members) {
      expect(bytes.subarray(member.fileOffset, member.fileOffset + 4).toString('latin1')).toBe('INS*');
      for (const c of member.coverages) expect(bytes.subarray(c.fileOffset, c.fileOffset + 3).toString('latin1')).toBe('HD*');
    }
  });

  it('samples/enrollment-834-open-enrollment.x12: adds with hire dates, a spouse without dates of its own', () => {
    const { header, members } = onlySet(OPEN_ENROLLMENT);
    expect(header).toMatchObject({ reference: 'ACME-20251215-OE', action: 'change', masterPolicy: 'GRP10045', effectiveDate: '2026-01-01' });
    for (const m of members) expect(m).toMatchObject({ maintenance: 'add', maintenanceCode: '021', reason: '28', benefitStatus: 'active' });
    expect(members.map((m) => [m.subscriberId, m.subscriber, m.relationship, m.dates, m.coverages.map((c) => `${c.line}/${c.coverageLevel}`)])).toEqual([
      ['900000002', true, '18', { hire: '2019-04-15', eligibilityBegin: '2026-01-01' }, ['HLT/EMP']],
      ['900000003', true, '18', { hire: '2021-09-01', eligibilityBegin: '2026-01-01' }, ['HLT/ESP', 'VIS/ESP']],
      ['900000003', false, '01', {}, ['HLT/ESP', 'VIS/ESP']],
    ]);
    expect(members[2]!.demographics).toEqual({ birthDate: '1990-01-02', gender: 'M' });
  });

  it('terminations (INS05 T) with end dates, reinstatements, and 001 changes with the incorrect name/demographics of 2100B', () => {
    const { sets } = readEnrollmentEvents(Buffer.from(wrap(MAINTENANCE), 'latin1'));
    expect(sets).toHaveLength(1);
    const { header, members, notes } = sets[0]!;
    expect(notes).toEqual([]);
    expect(header).toMatchObject({ reference: 'REF2', action: 'change', masterPolicy: 'POLICY7', sponsor: { name: 'SPONSOR', id: '111' } });
    expect(members.map((m) => [m.position, m.subscriber, m.relationship, m.maintenance, m.maintenanceCode, m.subscriberId])).toEqual([
      [6, true, '18', 'cancel-or-term', '024', 'T1'],
      [12, true, '18', 'reinstate', '025', 'R1'],
      [16, true, '18', 'change', '001', 'C1'],
      [22, false, '01', 'add', '021', 'C1'],
    ]);
    const [term, back, change, spouse] = members as [MemberEvent, MemberEvent, MemberEvent, MemberEvent];
    expect(term).toMatchObject({ reason: '07', benefitStatus: 'tax-equity', employmentStatus: 'TE', dates: { eligibilityEnd: '2026-03-31' } });
    expect(term.coverages).toEqual([expect.objectContaining({ maintenance: 'cancel-or-term', line: 'HLT', coverageLevel: 'EMP', dates: { end: '2026-03-31' } })]);
    expect(back).toMatchObject({ reason: '41', dates: { maintenanceEffective: '2026-10-01' } });
    expect(back.coverages).toEqual([]);
    expect(change).toMatchObject({ reason: '25', nameCorrection: false, demographics: { birthDate: '1950-04-15', gender: 'M' } });
    expect(change.incorrectName).toMatchObject({ entity: '70', last: 'DOE', first: 'JAMES' });
    expect(change.incorrectDemographics).toEqual({ birthDate: '1950-04-16', gender: 'M' });
    expect(spouse.incorrectName).toBeUndefined();
    expect(spouse.demographics).toBeUndefined();
  });

  it('samples/enrollment-834.x12: family add, termination and address change', () => {
    const { header, members } = onlySet(SAMPLE);
    expect(header).toMatchObject({ reference: 'ACME-20261101-01', action: 'change', masterPolicy: 'GRP10045', effectiveDate: '2026-11-01', sponsor: { id: '123456789' }, payer: { id: '987654321' } });
    expect(members.map((m) => [m.relationship, m.maintenance, m.subscriberId])).toEqual([
      ['18', 'add', '900000001'],
      ['01', 'add', '900000001'],
      ['19', 'add', '900000001'],
      ['18', 'cancel-or-term', '900000002'],
      ['18', 'change', '900000003'],
    ]);
    const [sub, , , term, change] = members as [MemberEvent, MemberEvent, MemberEvent, MemberEvent, MemberEvent];
    expect(sub.coverages.map((c) => [c.line, c.planDescription, c.coverageLevel, c.dates.begin])).toEqual([
      ['HLT', 'PPO01', 'FAM', '2026-12-01'],
      ['DEN', 'DEN01', 'FAM', '2026-12-01'],
    ]);
    expect(term).toMatchObject({ reason: '07', employmentStatus: 'TE', dates: { eligibilityEnd: '2026-11-30' } });
    expect(term.coverages[0]).toMatchObject({ maintenance: 'cancel-or-term', coverageLevel: 'EMP', dates: { end: '2026-11-30' } });
    expect(change.coverages).toEqual([]);
    expect(change.homeAddress).toEqual({ line1: '22 NEW ADDRESS LANE', city: 'SPRINGFIELD', state: 'IL', zip: '62704' });
  });
});

describe.skipIf(!corpusDir)(corpusTitle('834 → enrollment events: corpus files'), () => {
  it('LinuxForHealth demo.834: subscriber add with HLT and VIS coverage', () => {
    const { header, members } = onlySet(`${CORPUS}/LinuxForHealth__x12/demo.834`);
    expect(header).toMatchObject({ control: '0001', purpose: '00', reference: '12456', creationDate: '1998-05-20', action: 'change', actionCode: '2' });
    expect(header.sponsor).toEqual({ idQualifier: 'FI', id: '999888777' });
    expect(header.payer).toEqual({ idQualifier: 'FI', id: '654456654' });
    expect(members).toHaveLength(1);
    const m = members[0]!;
    expect(m).toMatchObject({
      position: 5,
      subscriber: true,
      relationship: '18',
      maintenance: 'add',
      maintenanceCode: '021',
      reason: '20',
      benefitStatus: 'active',
      employmentStatus: 'FT',
      subscriberId: '123456789',
      groupNumber: '123456001',
      dates: { eligibilityBegin: '1996-05-23' },
      name: { entity: 'IL', last: 'DOE', first: 'JOHN', middle: 'P', idQualifier: '34', ssn: '123456789' },
      nameCorrection: false,
      homeAddress: { line1: '100 MARKET ST', line2: 'APT 30', city: 'CAMP HILL', state: 'PA', zip: '17011', county: 'CUMBERLAND' },
      demographics: { birthDate: '1940-08-16', gender: 'M' },
      hasOtherCoverage: false,
    });
    expect(m.name?.id).toBeUndefined();
    expect(m.contact).toEqual({ function: 'IP', numbers: [{ qualifier: 'HP', number: '7172343334' }, { qualifier: 'WP', number: '7172341240' }] });
    expect(m.mailingAddress).toBeUndefined();
    expect(m.coverages.map((c) => [c.maintenance, c.line, c.dates.begin, c.dates.end])).toEqual([
      ['add', 'HLT', '1996-06-01', undefined],
      ['add', 'VIS', '1996-06-01', undefined],
    ]);
    // The file's own layout (blank lines between segments) does not move offsets off the INS.
    const bytes = load(`${CORPUS}/LinuxForHealth__x12/demo.834`);
    expect(bytes.subarray(m.fileOffset, m.fileOffset + 4).toString('latin1')).toBe('INS*');
  });

  it('pyx12 834_deident_family: subscriber, spouse and child', () => {
    const { header, members } = onlySet(`${CORPUS}/azoner__pyx12/834_deident_family.txt`);
    expect(header).toMatchObject({ reference: '20260401-002', action: 'change', sponsor: { name: 'WIDGET CORPORATION', id: '234567891' }, payer: { name: 'CAREPLUS HEALTH PLAN' } });
    expect(members.map((m) => [m.subscriber, m.relationship, m.maintenance, m.subscriberId])).toEqual([
      [true, '18', 'add', 'M000002'],
      [false, '01', 'add', 'M000003'],
      [false, '19', 'add', 'M000004'],
    ]);
    expect(members.map((m) => m.position)).toEqual([5, 15, 20]);
    const [sub, spouse, child] = members as [MemberEvent, MemberEvent, MemberEvent];
    // INS06 here is C: Medicare parts A and B.
    expect(sub.medicare).toEqual({ plan: 'C' });
    expect(sub.groupNumber).toBe('GRP002');
    expect(sub.coverages).toEqual([expect.objectContaining({ maintenance: 'add', line: 'PPO', coverageLevel: 'FAM', dates: { begin: '2026-04-01' } })]);
    expect(spouse.name).toMatchObject({ last: 'SMITH', first: 'MARY', middle: 'A', ssn: '000000003' });
    expect(spouse.demographics).toEqual({ birthDate: '1977-03-03', gender: 'F' });
    expect(spouse.coverages).toEqual([]);
    expect(child.dates.eligibilityBegin).toBe('2026-04-01');
    expect(child.demographics?.birthDate).toBe('2010-06-12');
  });

  it('pyx12 834_deident_term: terminations with end dates', () => {
    const { members } = onlySet(`${CORPUS}/azoner__pyx12/834_deident_term.txt`);
    expect(members).toHaveLength(2);
    for (const m of members) {
      expect(m).toMatchObject({ subscriber: true, maintenance: 'cancel-or-term', maintenanceCode: '024', benefitStatus: 'tax-equity', dates: { eligibilityEnd: '2026-03-31' } });
      expect(m.coverages).toHaveLength(1);
      expect(m.coverages[0]).toMatchObject({ maintenance: 'cancel-or-term', line: 'PPO', coverageLevel: 'EMP', dates: { end: '2026-03-31' } });
    }
    expect(members.map((m) => [m.subscriberId, m.dates.eligibilityBegin])).toEqual([
      ['M000010', '2021-01-01'],
      ['M000011', '2021-06-01'],
    ]);
    expect(members[1]!.homeAddress).toEqual({ line1: '401 CEDAR LN', city: 'LAKEWOOD', state: 'OH', zip: '44107' });
  });

  it('stupidedi change-subscriber-information: 001 change with the incorrect name/demographics of 2100B', () => {
    const { header, members } = onlySet(`${CORPUS}/kputnam__stupidedi/change-subscriber-information.edi`);
    expect(header).toMatchObject({ control: '12345', action: 'change', sponsor: { name: 'GENERIC INC', idQualifier: 'FI', id: '000111000' } });
    expect(members).toHaveLength(1);
    const m = members[0]!;
    expect(m).toMatchObject({ maintenance: 'change', maintenanceCode: '001', reason: '25', subscriberId: '123456789', groupNumber: '123456001' });
    expect(m.demographics).toEqual({ birthDate: '1950-04-15', gender: 'M' });
    expect(m.incorrectName).toMatchObject({ entity: '70', last: 'DOE', first: 'JAMES' });
    expect(m.incorrectDemographics).toEqual({ birthDate: '1950-04-16', gender: 'M' });
  });

  it('stupidedi reinstate-an-employee: 025 reinstate, maintenance effective date, master policy', () => {
    const { header, members } = onlySet(`${CORPUS}/kputnam__stupidedi/reinstate-an-employee.edi`);
    expect(header.masterPolicy).toBe('ABCD012354');
    expect(members).toHaveLength(1);
    expect(members[0]).toMatchObject({ maintenance: 'reinstate', maintenanceCode: '025', subscriberId: '123456789', dates: { maintenanceEffective: '1996-10-01' }, position: 6 });
  });
});

describe('834 → enrollment events: loops', () => {
  const body = [
    'BGN*00*REF1*20260101*1200****RX',
    'REF*38*MASTER1',
    'DTP*007*D8*20260201',
    'N1*P5*SPONSOR*FI*111',
    'N1*IN*PAYER*FI*222',
    'N1*BO*BROKER*94*333',
    'INS*Y*18*030*XN*C*B:1*1*PT',
    'REF*0F*S1',
    'REF*17*CLIENT7',
    'REF*23*CLIENTID',
    'DTP*336*D8*20200115',
    'DTP*303*D8*20260101',
    'NM1*74*1*NEWNAME*PAT',
    'N3*1 HOME RD',
    'N4*TOWN*OR*97201**CY*MULTNOMAH',
    'DMG*D8*19800101*U*M',
    'NM1*70*1*OLDNAME*PAT',
    'NM1*31*1',
    'N3*PO BOX 9',
    'N4*TOWN*OR*97202',
    'NM1*S3*1*PARENT*CUSTODIAL',
    'N3*5 PARENT ST',
    'N4*CITY*OR*97203',
    'NM1*QD*1*RESPONSIBLE*ONE',
    'HD*030**HLT*GOLD*EMP',
    'DTP*348*D8*20260101',
    'DTP*303*D8*20260101',
    'REF*1L*POLICY9',
    'REF*17*CAT1',
    'COB*P*OTHERPOL*1',
    'REF*6P*OTHERGROUP',
    'DTP*344*D8*20250101',
    'NM1*IN*2*OTHER INSURER',
    'N3*9 INSURER WAY',
    'N4*X*OR*97204',
    'HD*030**DEN**EMP',
    'DTP*348*D8*20260101',
    'DTP*349*D8*20261231',
    'LS*2700',
    'LX*1',
    'N1*75*PLAN NETWORK',
    'REF*ZZ*NET7',
    'DTP*007*D8*20260101',
    'LE*2700',
    'INS*N*19*024*07*A',
    'REF*0F*S1',
    'DTP*357*D8*20260131',
    'NM1*IL*1*CHILD*KID****ZZ*ABC',
  ];

  it('maps header, 2100A-G, 2300, 2320 and 2750 by qualifier', () => {
    const { sets } = readEnrollmentEvents(Buffer.from(wrap(body), 'latin1'));
    expect(sets).toHaveLength(1);
    const { header, members, notes } = sets[0]!;
    expect(notes).toEqual([]);
    expect(header).toMatchObject({ control: '0042', reference: 'REF1', action: 'replace', masterPolicy: 'MASTER1', effectiveDate: '2026-02-01', broker: { role: 'BO', name: 'BROKER', id: '333' } });
    expect(members).toHaveLength(2);
    const [m, child] = members as [MemberEvent, MemberEvent];
    expect(m).toMatchObject({
      maintenance: 'audit',
      benefitStatus: 'cobra',
      medicare: { plan: 'B', eligibilityReason: '1' },
      cobraEvent: '1',
      employmentStatus: 'PT',
      subscriberId: 'S1',
      memberIds: [{ qualifier: '17', value: 'CLIENT7' }, { qualifier: '23', value: 'CLIENTID' }],
      dates: { hire: '2020-01-15', maintenanceEffective: '2026-01-01' },
      nameCorrection: true,
      name: { entity: '74', last: 'NEWNAME' },
      incorrectName: { entity: '70', last: 'OLDNAME' },
      homeAddress: { line1: '1 HOME RD', zip: '97201', county: 'MULTNOMAH' },
      mailingAddress: { line1: 'PO BOX 9', city: 'TOWN', zip: '97202' },
      demographics: { birthDate: '1980-01-01', gender: 'U', maritalStatus: 'M' },
      custodialParent: { loop: '2100F', name: { last: 'PARENT' }, address: { line1: '5 PARENT ST', zip: '97203' } },
      responsiblePersons: [{ loop: '2100G', name: { entity: 'QD', last: 'RESPONSIBLE' } }],
      hasOtherCoverage: true,
      reportingCategories: [{ name: 'PLAN NETWORK', qualifier: 'ZZ', value: 'NET7', date: '2026-01-01' }],
    });
    // The COB loop's NM1 and address stay out of the member's own.
    expect(m.employer).toBeUndefined();
    const [hlt, den] = m.coverages as [MemberEvent['coverages'][number], MemberEvent['coverages'][number]];
    expect(hlt).toMatchObject({ maintenance: 'audit', line: 'HLT', planDescription: 'GOLD', coverageLevel: 'EMP', groupNumber: 'POLICY9', reportingCategory: 'CAT1', dates: { begin: '2026-01-01', maintenanceEffective: '2026-01-01' } });
    expect(hlt.otherCoverage).toEqual([
      { payerResponsibility: 'P', policyNumber: 'OTHERPOL', benefits: '1', refs: [{ qualifier: '6P', value: 'OTHERGROUP' }], dates: [{ qualifier: '344', date: '2025-01-01' }], entities: [{ entity: 'IN', name: 'OTHER INSURER' }] },
    ]);
    expect(den).toMatchObject({ line: 'DEN', dates: { begin: '2026-01-01', end: '2026-12-31' }, otherCoverage: [] });
    expect(den.planDescription).toBeUndefined();
    expect(child).toMatchObject({ subscriber: false, relationship: '19', maintenance: 'cancel-or-term', dates: { eligibilityEnd: '2026-01-31' }, name: { idQualifier: 'ZZ', id: 'ABC' } });
    expect(child.name?.ssn).toBeUndefined();
  });

  it('notes unmapped codes and bad dates by position, without values', () => {
    const { sets } = readEnrollmentEvents(Buffer.from(wrap(['BGN*00*R*20260101*1200****9', 'N1*P5**FI*1', 'N1*IN**FI*2', 'INS*Y*18*099*XN', 'REF*0F*SECRET', 'DTP*356*D8*20260230', 'NM1*IL*1*X', 'DMG*D8*BADDATE']), 'latin1'));
    const { header, members, notes } = sets[0]!;
    expect(header?.action).toBeUndefined();
    expect(header?.actionCode).toBe('9');
    expect(members[0]?.maintenance).toBeUndefined();
    expect(members[0]?.maintenanceCode).toBe('099');
    expect(members[0]?.allDates).toEqual([{ qualifier: '356' }]);
    expect(notes.map((n) => [n.segmentId, n.position, n.element, n.code])).toEqual([
      ['BGN', 2, 8, 'unknown-action'],
      ['INS', 5, 3, 'unknown-maintenance'],
      ['DTP', 7, 3, 'bad-date'],
      ['DMG', 9, 2, 'bad-date'],
    ]);
    expect(JSON.stringify(notes)).not.toMatch(/SECRET|BADDATE|20260230/);
    expect(memberAuditRef(members[0]!)).toEqual({ control: '0042', position: 5, fileOffset: members[0]!.fileOffset, subscriber: true, relationship: '18', maintenanceCode: '099' });
  });

  it('d8 checks the calendar', () => {
    expect(d8('20240229')).toBe('2024-02-29');
    expect(d8('20230229')).toBeUndefined();
    expect(d8('2024013')).toBeUndefined();
    expect(d8('20241301')).toBeUndefined();
  });

  it('d8 gives the same answers past its cache of converted dates, and never remembers an invalid one', () => {
    // 40,000 distinct valid dates (more than the cache holds, so it is cleared on the way), each asked twice.
    const day = (n: number): string => {
      const t = new Date(Date.UTC(1900, 0, 1) + n * 86_400_000);
      return `${t.getUTCFullYear()}${String(t.getUTCMonth() + 1).padStart(2, '0')}${String(t.getUTCDate()).padStart(2, '0')}`;
    };
    for (let round = 0; round < 2; round++) {
      for (let n = 0; n < 40_000; n++) {
        const text = day(n);
        expect(d8(text)).toBe(`${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6)}`);
      }
      expect(d8('20230229')).toBeUndefined();
    }
  });
});

describe('834 → enrollment events: streaming', () => {
  it('delivers each member as its loop ends, before the set ends; header after the first INS', () => {
    const delivered: string[] = [];
    const reader = new Enrollment834Reader({ onMember: (m) => delivered.push(m.maintenanceCode) });
    const seen: Array<{ id: string; delivered: number; header: boolean }> = [];
    let position = 0;
    const t = new Tokenizer({
      segment(seg) {
        if (seg.id === 'ST') position = 0;
        if (seg.id === 'ISA' || seg.id === 'GS' || seg.id === 'GE' || seg.id === 'IEA') return;
        reader.segment(seg, ++position);
        seen.push({ id: seg.id, delivered: delivered.length, header: reader.header !== undefined });
      },
      problem: () => undefined,
    });
    t.push(load(SAMPLE));
    t.end();
    const atIns = seen.filter((s) => s.id === 'INS');
    // Each INS closes the member before it: 0, 1, 2, 3, 4 delivered when INS 1..5 arrive.
    expect(atIns.map((s) => s.delivered)).toEqual([0, 1, 2, 3, 4]);
    expect(seen.filter((s) => s.id === 'N1').every((s) => !s.header)).toBe(true);
    expect(atIns.every((s) => s.header)).toBe(true);
    expect(seen.at(-1)).toEqual({ id: 'SE', delivered: 5, header: true });
    expect(delivered).toEqual(['021', '021', '021', '024', '001']);
    expect(reader.members).toBe(5);
  });

  it('a file pushed in chunks reports members while still reading', () => {
    const bytes = load(SAMPLE);
    const counts: number[] = [];
    let n = 0;
    let ended = 0;
    const r = new EnrollmentFileReader({ onMember: () => n++, onSetEnd: () => ended++ });
    for (let i = 0; i < bytes.length; i += 64) {
      r.push(bytes.subarray(i, i + 64));
      counts.push(n);
      if (n > 0 && n < 5) expect(ended).toBe(0);
    }
    r.end();
    expect(n).toBe(5);
    expect(ended).toBe(1);
    // The count grew step by step while feeding (not all at once at the end).
    expect(new Set(counts.filter((c) => c > 0 && c < 5)).size).toBeGreaterThanOrEqual(3);
  });

  it('1-byte chunks give identical events', () => {
    const inputs = [
      load(SAMPLE),
      load(OPEN_ENROLLMENT),
      Buffer.from(wrap(MAINTENANCE), 'latin1'),
      // With the corpus: three more files from other senders.
      ...(corpusDir
        ? ['LinuxForHealth__x12/demo.834', 'azoner__pyx12/834_deident_family.txt', 'kputnam__stupidedi/change-subscriber-information.edi'].map((f) => load(join(CORPUS, f)))
        : []),
    ];
    for (const bytes of inputs) {
      const whole = readEnrollmentEvents(bytes);
      expect(whole.sets.flatMap((s) => s.members).length).toBeGreaterThan(0);
      const members: MemberEvent[] = [];
      const headers: EnrollmentFile[] = [];
      const r = new EnrollmentFileReader({ onMember: (m) => members.push(m), onHeader: (h) => headers.push(h) });
      for (let i = 0; i < bytes.length; i++) r.push(bytes.subarray(i, i + 1));
      r.end();
      expect(members).toEqual(whole.sets.flatMap((s) => s.members));
      expect(headers).toEqual(whole.sets.map((s) => s.header));
    }
  });

  it('reads every 834 set of a file and skips other sets', () => {
    const one = wrap(['BGN*00*A*20260101*1200****2', 'N1*P5**FI*1', 'N1*IN**FI*2', 'INS*Y*18*021*XN', 'REF*0F*A1']);
    const st820 = 'GS*RA*S*R*20260101*1200*2*X*005010X218~ST*820*0001*005010X218~BPR*I*1*C*ACH~SE*3*0001~GE*1*2~';
    const text = one.replace('IEA*1*000000001~', `${st820}IEA*2*000000001~`);
    const { sets } = readEnrollmentEvents(Buffer.from(text, 'latin1'));
    expect(sets.map((s) => [s.control, s.members.map((m) => m.subscriberId)])).toEqual([['0042', ['A1']]]);
  });
});
