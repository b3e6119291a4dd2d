import { describe, expect, it } from 'vitest';
import { formatReport } from '../../src/report/text.js';
import type { FileReport, GroupResult, InterchangeResult, SetResult } from '../../src/x12/report.js';
import { interchangeResult, setResult } from '../support/results.js';

// Planted PHI: none of these may appear in a report.
const SSN = '123456789';
const LAST_NAME = 'DOE';
const BIRTH_DATE = '19800101';

const set = (control: string, over: Partial<SetResult> = {}): SetResult =>
  setResult(control, { guide: 'Benefit Enrollment and Maintenance', ...over });

const group: GroupResult = {
  functionalId: 'BE',
  control: '42',
  version: '005010X220A1',
  sender: 'ACMEHEALTH',
  receiver: 'EDIBRIDGE',
  status: 'P',
  codes: [],
  declaredSets: 3,
  acknowledge: true,
  fileOffset: 106,
  sets: [
    set('0001'),
    set('0002', {
      status: 'R',
      codes: ['5'],
      errorsTruncated: true,
      errors: [
        {
          segmentId: 'NM1',
          position: 12,
          loopId: '2100A',
          code: '8',
          name: 'Member Name',
          fileOffset: 3456,
          businessUnit: { name: 'SUBSCRIBER NUMBER REF02', value: SSN },
          elements: [
            { position: 3, ref: '1035', code: '1', name: 'Name Last' },
            { position: 4, ref: '1036', code: '6', name: 'Name First', value: `${LAST_NAME}*SMITH` },
          ],
        },
        {
          segmentId: 'DMG',
          position: 14,
          loopId: '2100A',
          code: '8',
          name: 'Member Demographics',
          fileOffset: 3520,
          elements: [
            { position: 2, ref: '1251', code: '8', name: 'Date Time Period', value: BIRTH_DATE },
            { position: 5, component: 3, repetition: 2, ref: '1271', code: '7', value: 'ZZ' },
          ],
        },
      ],
    }),
    set('0003', {
      status: 'E',
      codes: ['I5'],
      errors: [
        {
          segmentId: 'DTP',
          position: 20,
          loopId: '2300',
          code: 'I6',
          fileOffset: 4100,
          elements: [],
          trigger: { segmentId: 'INS', position: 10, loopId: '2000', element: 3, ref: '875' },
        },
      ],
    }),
  ],
};

const interchange: InterchangeResult = interchangeResult({ groups: [group] });

const rejected: InterchangeResult = {
  ...interchange,
  control: '000000906',
  status: 'R',
  note: '022',
  otherNotes: ['021'],
  usage: 'T',
  groups: [{ ...group, status: 'A', sets: [set('0001')] }],
  fileOffset: 5000,
};

const report: FileReport = {
  file: 'inbound/acme-20260927.834',
  bytes: 6000,
  segments: 120,
  interchanges: [interchange, rejected],
  problems: [{ kind: 'trailing-data', message: 'bytes after the last IEA were ignored', fileOffset: 5990 }],
  accepted: false,
};

describe('formatReport', () => {
  const text = formatReport(report);

  it('never prints element values or business-unit references', () => {
    expect(text).not.toContain(SSN);
    expect(text).not.toContain(LAST_NAME);
    expect(text).not.toContain('SMITH');
    expect(text).not.toContain(BIRTH_DATE);
    expect(text).toContain('value not shown');
  });

  it('describes each element error with location, names and the code in words', () => {
    expect(text).toContain(
      '      segment 12 (NM1, loop 2100A, byte offset 3456): Member Name — element NM103 "Name Last": Required data element missing\n',
    );
    expect(text).toContain(
      'segment 12 (NM1, loop 2100A, byte offset 3456): Member Name — element NM104 "Name First": Invalid character in data element (value not shown, 9 characters)\n',
    );
    expect(text).toContain('element DMG05-3 repetition 2: Invalid code value (value not shown, 2 characters)');
    expect(text).toContain('member identified by SUBSCRIBER NUMBER REF02 (value not shown)');
    expect(text).toContain('segment 20 (DTP, loop 2300, byte offset 4100): DTP segment — Implementation dependent segment missing');
    expect(text).toContain('required because of segment 10 (INS, loop 2000) element INS03');
    expect(text).toContain('more errors were found than are listed');
  });

  it('gives verdicts in words per interchange, group and set', () => {
    expect(text).toContain('Interchange 000000905 from ZZ/ACMEHEALTH to ZZ/EDIBRIDGE, sent 2026-09-27 08:15, production, version 00501');
    expect(text).toContain('  TA1: accepted, 000 No error (a TA1 is sent back)');
    expect(text).toContain('Group BE 42 from ACMEHEALTH to EDIBRIDGE, version 005010X220A1: PARTIALLY ACCEPTED (2 of 3 sets accepted)');
    expect(text).toContain('Set 834 0001 (005010X220A1 Benefit Enrollment and Maintenance): ACCEPTED\n');
    expect(text).toContain('Set 834 0002 (005010X220A1 Benefit Enrollment and Maintenance): REJECTED — One or more segments in error (IK5 code 5)');
    expect(text).toContain('Set 834 0003 (005010X220A1 Benefit Enrollment and Maintenance): ACCEPTED WITH ERRORS');
    expect(text).toContain('TA1: rejected, 022 Invalid control structure: envelope segments are missing or out of order; also 021');
    expect(text).toContain('Set 834 0001 (005010X220A1 Benefit Enrollment and Maintenance): ACCEPTED — not applied: its interchange was rejected');
    expect(text).toContain('problem at byte offset 5990 (trailing-data): bytes after the last IEA were ignored');
  });

  it('ends with a one-line summary that counts sets in a rejected interchange as rejected', () => {
    const lines = text.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('Summary: 2 of 4 sets accepted, 2 rejected; 1 of 2 interchanges rejected');
  });

  it('handles a file with no interchange', () => {
    const empty = formatReport({ file: 'x', bytes: 0, segments: 0, interchanges: [], problems: [], accepted: false });
    expect(empty).toBe('File x (0 bytes, 0 segments): NOT FULLY ACCEPTED\n  no interchange (ISA) found\nSummary: no interchange found, nothing accepted\n');
  });
});
