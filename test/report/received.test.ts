/**
 * Reports of files that are acknowledgements received (a partner's TA1 or 999), of files with
 * no interchange, of missing segments, and of set lines: from real bytes through the validator,
 * the acknowledgement reader and both reports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acknowledgementsFor } from '../../src/ack/acknowledgements.js';
import { memoryControlNumbers } from '../../src/ack/envelope.js';
import { onlyAcknowledgements, readReceivedAcknowledgementsSync } from '../../src/ack/inbound.js';
import { describeFileStart } from '../../src/report/file-start.js';
import { toJsonReport } from '../../src/report/json.js';
import type { ReportExtras } from '../../src/report/received.js';
import { formatReport } from '../../src/report/text.js';
import { validateBytes } from '../../src/x12/validate.js';

const GOLDEN = join(import.meta.dirname, '../golden/cases');
const FIXTURES = join(import.meta.dirname, 'fixtures');

function report(bytes: Uint8Array, name = 'in.x12'): { text: string; json: ReturnType<typeof toJsonReport>; extras: ReportExtras; acks: string[] } {
  const r = validateBytes(bytes, { name });
  const extras: ReportExtras = { received: readReceivedAcknowledgementsSync(bytes), fileStart: describeFileStart(bytes.subarray(0, 64), bytes.length) };
  const acks = acknowledgementsFor(r, { now: () => new Date('2026-01-02T03:04:00Z'), nextControlNumber: memoryControlNumbers(1) }).map((a) => a.kind);
  return { text: formatReport(r, extras), json: JSON.parse(JSON.stringify(toJsonReport(r, extras))), extras, acks };
}
const file = (dir: string, name: string): Uint8Array => readFileSync(join(dir, name));

describe('a partner\'s 999 received', () => {
  it('says which group of ours it answers (AK1), each set verdict (AK2/IK5) and the group verdict with counts (AK9)', () => {
    const r = report(file(FIXTURES, 'partner-999-partial.x12'));
    expect(r.text).toMatch(/^File in\.x12 .*: ACKNOWLEDGEMENT RECEIVED$/m);
    expect(r.text).toContain('999 received (acknowledgement): answers our group BE 77 (AK101 GS01, AK102 GS06), version 005010X220A1 (AK103 GS08)');
    expect(r.text).toContain('group verdict (AK9): partially accepted (AK901 P): sets included 2 (AK902), received 2 (AK903), accepted 1 (AK904)');
    expect(r.text).toContain('set 834 0001 (005010X220A1): rejected (IK501 R) — One or more segments in error (IK5 code 5); 1 segment error (IK3), 1 element error (IK4)');
    expect(r.text).toContain('set 834 0002 (005010X220A1): accepted (IK501 A)');
    expect(r.text.trimEnd().split('\n').at(-1)).toBe('Summary: acknowledgement received (1 999); nothing to apply, nothing sent back');
    expect(r.text).not.toMatch(/REJECTED/);
  });

  it('never carries the IK404 copy of bad data', () => {
    const r = report(file(FIXTURES, 'partner-999-partial.x12'));
    expect(JSON.stringify(r.extras.received)).not.toContain('"Q"');
    expect(r.text).not.toMatch(/\bQ\b/);
  });

  it('is answered with nothing (no TA1, no 999)', () => {
    expect(report(file(FIXTURES, 'partner-999-partial.x12')).acks).toEqual([]);
    expect(report(file(GOLDEN, 'no-ack-inbound-999.x12')).acks).toEqual([]);
  });

  it('reads the golden inbound 999 the same way, in JSON too', () => {
    const r = report(file(GOLDEN, 'no-ack-inbound-999.x12'));
    expect(r.text).toContain('answers our group BE 7 (AK101 GS01, AK102 GS06), version 005010X220A1 (AK103 GS08)');
    expect(r.json.acknowledgementReceived).toBe(true);
    expect(r.json.accepted).toBe(true);
    expect(r.json.acknowledgementsReceived).toEqual([
      expect.objectContaining({
        kind: '999',
        interchange: '000000103',
        groupControl: '103',
        setControl: '0001',
        answers: { functionalId: 'BE', groupControl: '7', version: '005010X220A1' },
        groupVerdict: { status: 'A', verdict: 'accepted', included: 1, received: 1, accepted: 1, codes: [] },
        sets: [{ transactionSet: '834', control: '0001', convention: '005010X220A1', status: 'A', verdict: 'accepted', codes: [], segmentErrors: 0, elementErrors: 0 }],
      }),
    ]);
  });
});

describe('a partner\'s TA1 received (a file with no transaction set)', () => {
  it('says which interchange of ours it answers (TA101), TA104 and TA105 with the note\'s meaning', () => {
    const r = report(file(FIXTURES, 'partner-ta1-rejected.x12'));
    expect(r.text).toContain(
      'TA1 received (acknowledgement): answers our interchange 000000456 (TA101), sent 2025-12-30 09:00: rejected (TA104 R), note 022 Invalid control structure: envelope segments are missing or out of order (TA105)',
    );
    expect(r.text).toContain('Nothing is sent back for an acknowledgement received (no TA1, no 999).');
    // Our own verdict on its envelope is not called a TA1 beside the TA1 received.
    expect(r.text).toContain('Envelope (our check): accepted, 000 No error (no TA1 is sent)');
    expect(r.text).toMatch(/: ACKNOWLEDGEMENT RECEIVED\n/);
    expect(r.acks).toEqual([]);
    expect(r.json.acknowledgementsReceived).toEqual([
      expect.objectContaining({ kind: 'TA1', answersControl: '000000456', status: 'R', verdict: 'rejected', note: { code: '022', description: expect.stringContaining('Invalid control structure') }, faults: [] }),
    ]);
  });

  it('reads the golden inbound TA1', () => {
    const r = report(file(GOLDEN, 'no-ack-inbound-ta1.x12'));
    expect(r.text).toContain('answers our interchange 000000001 (TA101), sent 2025-12-30 09:00: accepted (TA104 A), note 000 No error (TA105)');
    expect(r.json.acknowledgementReceived).toBe(true);
    expect(r.acks).toEqual([]);
  });

  it('names what is wrong with a malformed TA1 without printing its values', () => {
    const bytes = Buffer.from(readFileSync(join(FIXTURES, 'partner-ta1-rejected.x12'), 'latin1').replace('TA1*000000456*251230*0900*R*022~', 'TA1*4567*251230*0900*Z*022~'), 'latin1');
    const r = report(bytes);
    expect(r.text).toContain('this TA1 is malformed: TA101 (interchange control number) is not 9 digits; TA104 (acknowledgment code) is not A, E or R');
  });

  it('a file that also holds business content is not an acknowledgement file', () => {
    const r = report(file(GOLDEN, 'ok-834-accepted.x12'));
    expect(onlyAcknowledgements(r.extras.received!)).toBe(false);
    expect(r.text).toMatch(/: ACCEPTED\n/);
    expect(r.json.acknowledgementReceived).toBe(false);
    expect(r.json.acknowledgementsReceived).toEqual([]);
  });
});

describe('a file with no interchange', () => {
  const noIsa = Buffer.from('ST*834*0001*005010X220A1~BGN*00*REF123*20260101*1200****2~NM1*IL*1*DOE*JOHN~SE*4*0001~');

  it('says no interchange was found and how the file starts, never as an interchange with blank fields', () => {
    const r = report(noIsa);
    expect(r.text).toContain('no interchange (ISA) found: the file starts with an ST segment: an envelope (ISA) is missing');
    expect(r.text).not.toContain('Interchange 000000000');
    expect(r.text).not.toMatch(/from \/ to \//);
    expect(r.text).toContain('TA1: rejected, 022');
    expect(r.text.trimEnd().split('\n').at(-1)).toBe('Summary: no interchange found, nothing accepted');
    // No element value of the file is printed.
    for (const v of ['DOE', 'JOHN', 'REF123', '20260101']) expect(r.text).not.toContain(v);
  });

  it('in JSON: no interchange listed, noInterchange says what the file is and the TA1 that rejects it', () => {
    const r = report(noIsa);
    expect(r.json.interchanges).toEqual([]);
    expect(r.json.summary).toMatchObject({ interchanges: 0, interchangesRejected: 0 });
    expect(r.json.noInterchange).toEqual({
      fileStart: { kind: 'segment', segmentId: 'ST', description: 'the file starts with an ST segment: an envelope (ISA) is missing' },
      status: 'R',
      verdict: 'rejected',
      note: { code: '022', description: expect.any(String) },
      sendTa1: true,
    });
    expect(r.json.problems.map((p: { kind: string }) => p.kind)).not.toContain('no-interchange');
    expect(JSON.stringify(r.json)).not.toContain('DOE');
  });

  it('says an empty file is empty', () => {
    const r = report(new Uint8Array(0));
    expect(r.text).toContain('no interchange (ISA) found: the file is empty');
    expect(r.json.noInterchange?.note.code).toBe('023');
  });
});

describe('a required segment that is missing', () => {
  it('is placed before the segment it was expected before, with no byte offset', () => {
    const r = report(file(GOLDEN, 'ik304-3-required-missing.x12'));
    expect(r.text).toContain('missing REF (loop 2000) before segment 6: Subscriber Identifier — Required segment missing');
    expect(r.text).not.toMatch(/byte offset -/);
    const err = r.json.interchanges[0]!.groups[0]!.sets[0]!.errors[0]!;
    expect(err).toMatchObject({ segmentId: 'REF', position: 6, fileOffset: null, missing: true });
  });
});

describe('set lines', () => {
  it('print the version once', () => {
    const r = report(file(GOLDEN, 'ok-834-accepted.x12'));
    const line = r.text.split('\n').find((l) => l.includes('Set 834'))!;
    expect(line).toContain('(005010X220A1 HIPAA Benefit Enrollment and Maintenance)');
    expect(line.match(/005010X220A1/g)).toHaveLength(1);
  });
});
