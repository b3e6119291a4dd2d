import { describe, expect, it } from 'vitest';
import { JSON_REPORT_FORMAT, toJsonReport } from '../../src/report/json.js';
import type { FileReport, InterchangeResult } from '../../src/x12/report.js';
import { interchangeResult } from '../support/results.js';

// Planted PHI: none of these may appear in the JSON.
const SSN = '123456789';
const LAST_NAME = 'DOE';

const interchange: InterchangeResult = interchangeResult({
  ackRequested: false,
  status: 'E',
  note: '006',
  groups: [
    {
      functionalId: 'BE',
      control: '42',
      version: '005010X220A1',
      sender: 'ACMEHEALTH',
      receiver: 'EDIBRIDGE',
      status: 'R',
      codes: ['3'],
      declaredSets: Number.NaN,
      acknowledge: true,
      fileOffset: 106,
      sets: [
        {
          id: '834',
          control: '0001',
          convention: '005010X220A1',
          status: 'R',
          codes: ['5'],
          errorsTruncated: false,
          segmentCount: 9,
          fileOffset: 150,
          errors: [
            {
              segmentId: 'NM1',
              position: 5,
              loopId: '2100A',
              code: '8',
              name: 'Member Name',
              fileOffset: 300,
              businessUnit: { name: 'SUBSCRIBER NUMBER REF02', value: SSN },
              trigger: { segmentId: 'INS', position: 3, element: 1 },
              elements: [
                { position: 3, ref: '1035', code: '6', name: 'Name Last', value: `${LAST_NAME}~` },
                { position: 9, component: 1, code: '1' },
              ],
            },
          ],
        },
      ],
    },
  ],
});

const report: FileReport = { file: 'acme.834', bytes: 900, segments: 12, interchanges: [interchange], problems: [], accepted: false };

describe('toJsonReport', () => {
  const json = toJsonReport(report);
  const text = JSON.stringify(json);

  it('leaves out element values and business-unit references', () => {
    expect(text).not.toContain(SSN);
    expect(text).not.toContain(LAST_NAME);
    expect(text).not.toMatch(/"value"/);
  });

  it('keeps stable field names, null for absent, lengths instead of values', () => {
    const seg = json.interchanges[0]?.groups[0]?.sets[0]?.errors[0];
    expect(seg).toEqual({
      segmentId: 'NM1',
      position: 5,
      loopId: '2100A',
      name: 'Member Name',
      fileOffset: 300,
      missing: false,
      error: { code: '8', description: 'Segment has data element errors' },
      businessUnit: { name: 'SUBSCRIBER NUMBER REF02' },
      trigger: { segmentId: 'INS', position: 3, loopId: null, element: 1, component: null, ref: null },
      elements: [
        {
          position: 3,
          component: null,
          repetition: null,
          ref: '1035',
          name: 'Name Last',
          error: { code: '6', description: 'Invalid character in data element' },
          valueLength: 4,
          rule: null,
        },
        {
          position: 9,
          component: 1,
          repetition: null,
          ref: null,
          name: null,
          error: { code: '1', description: 'Required data element missing' },
          valueLength: null,
          rule: null,
        },
      ],
    });
  });

  it('describes envelopes and counts, with GE01 null when unknown', () => {
    expect(json.format).toBe(JSON_REPORT_FORMAT);
    expect(json.summary).toEqual({ interchanges: 1, interchangesRejected: 0, groups: 1, sets: 1, setsAccepted: 0, setsRejected: 1 });
    const ix = json.interchanges[0];
    expect(ix?.sender).toEqual({ qualifier: 'ZZ', id: 'ACMEHEALTH' });
    expect(ix?.note).toEqual({ code: '006', description: 'Invalid interchange sender ID (ISA06)' });
    expect(ix?.verdict).toBe('accepted with errors');
    const g = ix?.groups[0];
    expect(g?.declaredSets).toBeNull();
    expect([g?.receivedSets, g?.acceptedSets, g?.verdict]).toEqual([1, 0, 'REJECTED']);
    expect(g?.codes).toEqual([{ code: '3', description: 'Functional group trailer (GE) missing' }]);
    expect(g?.sets[0]?.guide).toBeNull();
    // Round-trips through JSON unchanged (no NaN, no undefined).
    expect(JSON.parse(text)).toEqual(json);
  });

  it('does not pass through fields it does not know', () => {
    const extra = structuredClone(report);
    const el = extra.interchanges[0]?.groups[0]?.sets[0]?.errors[0]?.elements[0];
    if (el) Object.assign(el, { rawSegment: `NM1*IL*1*${LAST_NAME}` });
    expect(JSON.stringify(toJsonReport(extra))).not.toContain(LAST_NAME);
  });
});
