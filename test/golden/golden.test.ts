/**
 * Golden-file tests: real X12 in, the acknowledgements the standard requires out.
 *
 * cases/<name>.x12  a small hand-written input that exercises one acknowledgement code.
 * cases/<name>.ack  every acknowledgement `acknowledgementsFor` must return for it, in order,
 *                   each preceded by a line `== <kind>` (an empty file: nothing is sent).
 *
 * Actual and expected are compared byte for byte after `normalise`, which blanks what
 * legitimately changes from run to run: our ISA09/ISA10/GS04/GS05 (when we answered) and
 * ISA13/IEA02/GS06/GE02 (our control numbers). The TA1's copies of the partner's ISA13, ISA09
 * and ISA10 (TA101-TA103) are data, not ours, and are compared as they are.
 *
 * The expected files say what the STANDARD requires (X12 005010, 999 005010X231A1 and the
 * 834/820 guides in schemas/x12), not what the engine happens to print. Where the engine is
 * known to be wrong the case is listed in KNOWN_WRONG with the reason, and its golden
 * comparison is skipped so the suite stays green until the engine is fixed; the expected file
 * still holds the right answer.
 *
 * GOLDEN_UPDATE=1 npx vitest run test/golden   rewrites the .ack files of the cases not in
 * KNOWN_WRONG from the engine's output: review every changed file before keeping it. The
 * KNOWN_WRONG files are written by hand (what is right) and are never rewritten.
 *
 * Besides the comparison, each case's intended code is checked in the engine's output
 * (EXPECTATIONS), and every expected acknowledgement is run back through our own validator
 * (a clean envelope; a 999 valid against 005010X231A1).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { acknowledgementsFor } from '../../src/ack/acknowledgements.js';
import { memoryControlNumbers, type AckContext } from '../../src/ack/envelope.js';
import { validateBytes, type ValidateOptions } from '../../src/x12/validate.js';

const CASES_DIR = fileURLToPath(new URL('./cases/', import.meta.url));
const UPDATE = process.env.GOLDEN_UPDATE === '1';

/** The receiver IDs we answer to, for the cases that configure them (ISA08 checks, TA105 009). */
const OUR_RECEIVER_IDS = new Set(['HEALTHPLAN']);

/** Validation options per case; the others run with none. */
const CASE_OPTIONS: Record<string, ValidateOptions> = {
  'ta105-009-unknown-receiver': { receiverIds: OUR_RECEIVER_IDS },
  'receiver-id-known': { receiverIds: OUR_RECEIVER_IDS },
};

/**
 * The code each case is made to exercise, checked in the acknowledgements the engine actually
 * returns (so a golden file can never silently lose the point of its case).
 *   acks:  the kinds sent, in order ('' for nothing)
 *   ta104 / ta105: TA1 acknowledgment and note code
 *   ik304 / ik403: some IK3 / IK4 carries this code
 *   ik501 / ik5:   some IK5 carries this verdict / this code in IK502-IK506
 *   ak901 / ak9:   some AK9 carries this verdict / this code in AK905-AK909
 *   ak9Counts: some AK9 has exactly these AK902*AK903*AK904
 */
interface Expectation {
  case: string;
  acks: string;
  ta104?: 'A' | 'E' | 'R';
  ta105?: string;
  ik304?: string;
  ik403?: string;
  ik501?: 'A' | 'E' | 'R';
  ik5?: string;
  ak901?: 'A' | 'E' | 'P' | 'R';
  ak9?: string;
  ak9Counts?: string;
}

const EXPECTATIONS: Expectation[] = [
  // ------------------------------------------------------------ accepted, and never acknowledged
  { case: 'ok-834-accepted', acks: '999', ik501: 'A', ak901: 'A', ak9Counts: '1*1*1' },
  { case: 'ok-820-accepted', acks: '999', ik501: 'A', ak901: 'A', ak9Counts: '1*1*1' },
  { case: 'ta1-000-ack-requested', acks: 'TA1 999', ta104: 'A', ta105: '000', ak901: 'A' },
  { case: 'receiver-id-known', acks: '999', ak901: 'A' },
  { case: 'no-ack-inbound-ta1', acks: '' },
  { case: 'no-ack-inbound-999', acks: '' },

  // ------------------------------------------------------------ TA105
  { case: 'ta105-001-control-mismatch', acks: 'TA1 999', ta104: 'E', ta105: '001', ak901: 'A' },
  { case: 'ta105-002-isa11-not-u-in-00401', acks: 'TA1', ta104: 'R', ta105: '002' },
  { case: 'ta105-003-version-00601', acks: 'TA1', ta104: 'R', ta105: '003' },
  { case: 'ta105-004-segment-terminator', acks: 'TA1', ta104: 'R', ta105: '004' },
  { case: 'ta105-005-sender-qualifier', acks: 'TA1', ta104: 'R', ta105: '005' },
  { case: 'ta105-006-sender-id-blank', acks: 'TA1', ta104: 'R', ta105: '006' },
  { case: 'ta105-007-receiver-qualifier', acks: 'TA1', ta104: 'R', ta105: '007' },
  { case: 'ta105-008-receiver-id-blank', acks: 'TA1', ta104: 'R', ta105: '008' },
  { case: 'ta105-009-unknown-receiver', acks: 'TA1', ta104: 'R', ta105: '009' },
  { case: 'ta105-010-auth-qualifier', acks: 'TA1', ta104: 'R', ta105: '010' },
  { case: 'ta105-011-auth-info', acks: 'TA1', ta104: 'R', ta105: '011' },
  { case: 'ta105-012-security-qualifier', acks: 'TA1', ta104: 'R', ta105: '012' },
  { case: 'ta105-013-security-info', acks: 'TA1', ta104: 'R', ta105: '013' },
  { case: 'ta105-014-date', acks: 'TA1', ta104: 'R', ta105: '014' },
  { case: 'ta105-015-time', acks: 'TA1', ta104: 'R', ta105: '015' },
  { case: 'ta105-016-repetition-separator', acks: 'TA1', ta104: 'R', ta105: '016' },
  { case: 'ta105-017-version-id', acks: 'TA1', ta104: 'R', ta105: '017' },
  { case: 'ta105-018-control-number', acks: 'TA1', ta104: 'R', ta105: '018' },
  { case: 'ta105-019-ack-requested', acks: 'TA1', ta104: 'R', ta105: '019' },
  { case: 'ta105-020-test-indicator', acks: 'TA1', ta104: 'R', ta105: '020' },
  // IEA01 counts more groups than arrived: one may be missing, so E (do not resend) would lose it.
  { case: 'ta105-021-group-count', acks: 'TA1', ta104: 'R', ta105: '021' },
  // IEA01 counts fewer groups than arrived: everything sent is here and answered by a 999.
  { case: 'ta105-021-fewer-groups-declared', acks: 'TA1 999', ta104: 'E', ta105: '021', ak901: 'A' },
  { case: 'ta105-022-missing-gs', acks: 'TA1', ta104: 'R', ta105: '022' },
  { case: 'ta105-023-truncated', acks: 'TA1', ta104: 'R', ta105: '023' },
  // Segments outside any set may be a set whose ST was garbled: nothing may be taken as answered.
  { case: 'ta105-024-segment-outside-set', acks: 'TA1', ta104: 'R', ta105: '024' },
  // GS06 not N0 1/9: AK102 (same type) could not echo it, so the group gets no 999 (no AK9 6)
  // and the interchange is rejected, not "accepted with errors" with a group left unanswered.
  { case: 'ta105-024-gs-control-not-numeric', acks: 'TA1', ta104: 'R', ta105: '024' },
  // ST01 83A is not a code AK201 admits: no valid 999 can name the set, so the TA1 rejects.
  { case: 'ta105-024-set-id-not-in-ak201', acks: 'TA1', ta104: 'R', ta105: '024' },
  // An invalid GS04 in a group that can still be named: its 999 answers every set, so E.
  { case: 'ta105-024-gs-date-invalid', acks: 'TA1 999', ta104: 'E', ta105: '024', ak901: 'A' },
  { case: 'ta105-025-duplicate-isa13', acks: '999 TA1', ta104: 'R', ta105: '025' },
  { case: 'ta105-026-element-separator', acks: 'TA1', ta104: 'R', ta105: '026' },
  { case: 'ta105-027-component-separator', acks: 'TA1', ta104: 'R', ta105: '027' },

  // ------------------------------------------------------------ IK304
  { case: 'ik304-1-unrecognized-segment-id', acks: '999', ik304: '1', ik501: 'R', ik5: '5' },
  { case: 'ik304-2-unexpected-segment', acks: '999', ik304: '2', ik501: 'R', ik5: '5' },
  { case: 'ik304-3-required-missing', acks: '999', ik304: '3', ik501: 'R', ik5: '5' },
  { case: 'ik304-4-loop-over-maximum', acks: '999', ik304: '4', ik501: 'R', ik5: '5' },
  { case: 'ik304-5-segment-over-maximum', acks: '999', ik304: '5', ik501: 'R', ik5: '5' },
  { case: 'ik304-6-segment-not-in-set', acks: '999', ik304: '6', ik501: 'R', ik5: '5' },
  { case: 'ik304-7-out-of-sequence', acks: '999', ik304: '7', ik501: 'R', ik5: '5' },
  { case: 'ik304-8-element-errors', acks: '999', ik304: '8', ik403: '7', ik501: 'R', ik5: '5' },

  // ------------------------------------------------------------ IK403
  { case: 'ik403-1-required-missing', acks: '999', ik304: '8', ik403: '1' },
  { case: 'ik403-2-paired-p0809', acks: '999', ik304: '8', ik403: '2' },
  { case: 'ik403-2-required-r020305', acks: '999', ik304: '8', ik403: '2' },
  { case: 'ik403-2-conditional-c0605', acks: '999', ik304: '8', ik403: '2' },
  { case: 'ik403-2-list-l040203', acks: '999', ik304: '8', ik403: '2' },
  { case: 'ik403-3-too-many-elements', acks: '999', ik304: '8', ik403: '3' },
  { case: 'ik403-4-too-short', acks: '999', ik304: '8', ik403: '4' },
  { case: 'ik403-5-too-long', acks: '999', ik304: '8', ik403: '5' },
  { case: 'ik403-6-invalid-character', acks: '999', ik304: '8', ik403: '6' },
  { case: 'ik403-7-invalid-code', acks: '999', ik304: '8', ik403: '7' },
  { case: 'ik403-8-invalid-date', acks: '999', ik304: '8', ik403: '8' },
  { case: 'ik403-9-invalid-time', acks: '999', ik304: '8', ik403: '9' },
  { case: 'ik403-10-exclusion-e0207', acks: '999', ik304: '8', ik403: '10' },
  { case: 'ik403-12-too-many-repetitions', acks: '999', ik304: '8', ik403: '12' },
  { case: 'ik403-13-too-many-components', acks: '999', ik304: '8', ik403: '13' },
  { case: 'ik403-i10-not-used-element', acks: '999', ik304: '8', ik403: 'I10', ik5: 'I5' },
  // Situational rule (N402 with the country in N404): IK4 with a CTX situational trigger in loop 2110.
  { case: 'ik403-i9-situational-required', acks: '999', ik304: '8', ik403: 'I9', ik5: 'I5' },
  { case: 'ik403-i13-situational-not-used', acks: '999', ik304: '8', ik403: 'I13', ik5: 'I5' },

  // ------------------------------------------------------------ IK5
  { case: 'ik5-1-set-not-supported', acks: '999', ik501: 'R', ik5: '1', ak901: 'R' },
  { case: 'ik5-2-se-missing', acks: '999', ik501: 'R', ik5: '2', ak901: 'R' },
  { case: 'ik5-3-control-mismatch', acks: '999', ik501: 'R', ik5: '3', ak901: 'R' },
  { case: 'ik5-4-segment-count', acks: '999', ik501: 'R', ik5: '4', ak901: 'R' },
  { case: 'ik5-5-segments-in-error', acks: '999', ik501: 'R', ik5: '5', ak901: 'R' },
  // AK202 is ST02 "01" padded to AN 4/9: "0001"; IK5 still says 7.
  { case: 'ik5-7-bad-control-number', acks: '999', ik501: 'R', ik5: '7', ak901: 'R' },
  { case: 'ik5-19-bad-convention', acks: '999', ik501: 'R', ik5: '19', ak901: 'R' },
  { case: 'ik5-23-duplicate-control', acks: '999', ik501: 'R', ik5: '23', ak901: 'P', ak9Counts: '2*2*1' },
  { case: 'ik5-i5-implementation-errors', acks: '999', ik304: '8', ik403: 'I10', ik501: 'R', ik5: 'I5' },

  // ------------------------------------------------------------ AK9
  { case: 'ak9-p-partial', acks: '999', ak901: 'P', ak9Counts: '3*3*2' },
  { case: 'ak9-r-all-rejected', acks: '999', ak901: 'R', ak9Counts: '2*2*0' },
  { case: 'ak9-1-group-not-supported', acks: '999', ak901: 'R', ak9: '1', ak9Counts: '1*1*0' },
  { case: 'ak9-2-version-not-supported', acks: '999', ak901: 'R', ak9: '2', ak9Counts: '1*1*0' },
  { case: 'ak9-3-ge-missing', acks: '999', ak901: 'R', ak9: '3' },
  { case: 'ak9-4-control-mismatch', acks: '999', ak901: 'R', ak9: '4' },
  { case: 'ak9-5-set-count', acks: '999', ak901: 'R', ak9: '5' },
  { case: 'ak9-19-duplicate-group-control', acks: '999', ak901: 'R', ak9: '19' },
];

/**
 * Cases where the engine's output is wrong today. The .ack file holds what the standard
 * requires; the exact golden comparison is skipped. `codeEmitted` says whether the case's
 * intended code (EXPECTATIONS) already appears in the engine's output, so that check still
 * runs. `onlyLacks: 'business-unit-ctx'` marks cases whose sole fault is the missing CTX
 * Business Unit Identifier: they are still compared with those CTX taken out of the expected
 * file (and SE01 lowered to match), so everything else in them stays guarded.
 */
interface KnownWrong {
  reason: string;
  codeEmitted: boolean;
  onlyLacks?: 'business-unit-ctx';
}

const KNOWN_WRONG: Record<string, KnownWrong> = {};

/** The 005010X231A1 CTX01-1 Business Unit Identifier names. */
const BUSINESS_UNIT_CTX = /^CTX\*(TRN02|NM109|PATIENT NAME NM109|SUBSCRIBER NAME NM109|ENT01|SUBSCRIBER NUMBER REF02|CLM01):/;

/** The expected text without its business-unit CTX segments, SE01 lowered to match. */
function withoutBusinessUnitCtx(text: string): string {
  let dropped = 0;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (BUSINESS_UNIT_CTX.test(line)) {
      dropped++;
      continue;
    }
    if (line.startsWith('ST*')) dropped = 0;
    const se = /^SE\*(\d+)\*(.*)$/.exec(line);
    out.push(se && dropped > 0 ? `SE*${Number(se[1]) - dropped}*${se[2]}` : line);
  }
  return out.join('\n');
}

/**
 * Acknowledgements that cannot be valid X12 whoever writes them: they must copy back what the
 * partner sent, and what the partner sent is what was wrong. The self-validation below
 * otherwise requires every expected acknowledgement to pass our own validator: a clean
 * envelope, and for a 999 the 005010X231A1 guide.
 */
const ECHOES_BAD_INPUT: Record<string, string> = {};

// ---------------------------------------------------------------- helpers

const ACK_CONTEXT = (): AckContext => ({
  now: () => new Date('2026-01-02T03:04:00Z'),
  nextControlNumber: memoryControlNumbers(1),
});

interface Produced {
  text: string;
  kinds: string[];
}

function acknowledge(name: string): Produced {
  const data = readFileSync(`${CASES_DIR}${name}.x12`);
  const report = validateBytes(new Uint8Array(data), CASE_OPTIONS[name] ?? {});
  const acks = acknowledgementsFor(report, ACK_CONTEXT());
  return {
    text: acks.map((a) => `== ${a.kind}\n${a.text}`).join(''),
    kinds: acks.map((a) => a.kind),
  };
}

/** Blanks our own dates, times and control numbers; everything else is compared as is. */
function normalise(text: string): string {
  return text
    .split('\n')
    .map((line) =>
      line.startsWith('== ')
        ? line
        : line
            .split('~')
            .map((seg) => {
              const el = seg.split('*');
              const set = (i: number, v: string) => {
                if (el.length > i) el[i] = v;
              };
              switch (el[0]) {
                case 'ISA':
                  set(9, 'YYMMDD');
                  set(10, 'HHMM');
                  set(13, 'NNNNNNNNN');
                  break;
                case 'IEA':
                  set(2, 'NNNNNNNNN');
                  break;
                case 'GS':
                  set(4, 'CCYYMMDD');
                  set(5, 'HHMM');
                  set(6, 'N');
                  break;
                case 'GE':
                  set(2, 'N');
                  break;
                default:
                  break;
              }
              return el.join('*');
            })
            .join('~'),
    )
    .join('\n');
}

/** The segments of acknowledgement text, as element arrays (the `== kind` lines dropped). */
function segments(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => !l.startsWith('== '))
    .join('')
    .split('~')
    .filter((s) => s.length > 0)
    .map((s) => s.split('*'));
}

interface Found {
  ta104: string[];
  ta105: string[];
  ik304: string[];
  ik403: string[];
  ik501: string[];
  ik5: string[];
  ak901: string[];
  ak9: string[];
  ak9Counts: string[];
}

function codesIn(text: string): Found {
  const f: Found = { ta104: [], ta105: [], ik304: [], ik403: [], ik501: [], ik5: [], ak901: [], ak9: [], ak9Counts: [] };
  for (const el of segments(text)) {
    const at = (i: number) => el[i] ?? '';
    switch (el[0]) {
      case 'TA1':
        f.ta104.push(at(4));
        f.ta105.push(at(5));
        break;
      case 'IK3':
        f.ik304.push(at(4));
        break;
      case 'IK4':
        f.ik403.push(at(3));
        break;
      case 'IK5':
        f.ik501.push(at(1));
        f.ik5.push(...el.slice(2));
        break;
      case 'AK9':
        f.ak901.push(at(1));
        f.ak9Counts.push(`${at(2)}*${at(3)}*${at(4)}`);
        f.ak9.push(...el.slice(5));
        break;
      default:
        break;
    }
  }
  return f;
}

/** Problems our own validator finds in an acknowledgement we send (envelope, and the 999 against 005010X231A1). */
function selfProblems(ackText: string): string[] {
  const out: string[] = [];
  const report = validateBytes(new Uint8Array(Buffer.from(ackText, 'latin1')));
  for (const ic of report.interchanges) {
    if (ic.note !== '000') out.push(`interchange: TA105 ${[ic.note, ...ic.otherNotes].join(',')}`);
    for (const g of ic.groups) {
      if (g.codes.length > 0) out.push(`group ${g.control}: AK9 ${g.codes.join(',')}`);
      for (const s of g.sets) {
        // 5 / I5 only summarise the segment errors, which are listed one by one below.
        for (const c of s.codes) if (c !== '5' && c !== 'I5') out.push(`set ${s.control}: IK5 ${c}`);
        for (const e of s.errors) {
          const detail = e.elements.map((x) => `${x.position}${x.component ? `-${x.component}` : ''} IK403 ${x.code} ${x.value ?? ''}`);
          out.push(`${e.segmentId} at ${e.position}: IK304 ${e.code} ${detail.join('; ')}`.trim());
        }
      }
    }
  }
  return out;
}

/** Each acknowledgement interchange of an .ack file, by kind. */
function splitAcks(text: string): Array<{ kind: string; text: string }> {
  const out: Array<{ kind: string; text: string }> = [];
  for (const part of text.split(/^== /m).filter((p) => p.length > 0)) {
    const nl = part.indexOf('\n');
    out.push({ kind: part.slice(0, nl), text: part.slice(nl + 1) });
  }
  return out;
}

// ---------------------------------------------------------------- the tests

const caseNames = readdirSync(CASES_DIR)
  .filter((f) => f.endsWith('.x12'))
  .map((f) => f.slice(0, -4))
  .sort();

describe('golden acknowledgements', () => {
  it('every case has an expectation and every expectation a case', () => {
    const expected = EXPECTATIONS.map((e) => e.case).sort();
    expect(caseNames).toEqual(expected);
    for (const name of [...Object.keys(KNOWN_WRONG), ...Object.keys(ECHOES_BAD_INPUT), ...Object.keys(CASE_OPTIONS)]) {
      expect(caseNames, name).toContain(name);
    }
  });

  for (const [name, known] of Object.entries(KNOWN_WRONG)) {
    if (known.onlyLacks !== 'business-unit-ctx') continue;
    it(`${name} matches ${name}.ack apart from its business-unit CTX`, () => {
      const expected = withoutBusinessUnitCtx(readFileSync(`${CASES_DIR}${name}.ack`, 'latin1'));
      expect(normalise(acknowledge(name).text)).toBe(normalise(expected));
    });
  }

  it('known-wrong cases are still wrong (a fixed one is reported, to be taken off KNOWN_WRONG)', () => {
    for (const name of Object.keys(KNOWN_WRONG)) {
      const expected = readFileSync(`${CASES_DIR}${name}.ack`, 'latin1');
      if (normalise(acknowledge(name).text) === normalise(expected)) {
        console.warn(`golden: ${name} now matches its .ack; remove it from KNOWN_WRONG`);
      }
    }
  });

  for (const name of caseNames) {
    const known = KNOWN_WRONG[name];
    const ackPath = `${CASES_DIR}${name}.ack`;

    (known ? it.skip : it)(`${name} matches ${name}.ack`, () => {
      const actual = acknowledge(name).text;
      if (UPDATE) writeFileSync(ackPath, actual);
      expect(existsSync(ackPath), `${ackPath} is missing (GOLDEN_UPDATE=1 writes it)`).toBe(true);
      expect(normalise(actual)).toBe(normalise(readFileSync(ackPath, 'latin1')));
    });
  }
});

describe('each case exercises its code', () => {
  for (const exp of EXPECTATIONS) {
    const known = KNOWN_WRONG[exp.case];
    const skip = known !== undefined && !known.codeEmitted;
    (skip ? it.skip : it)(`${exp.case}`, () => {
      const { text, kinds } = acknowledge(exp.case);
      expect(kinds.join(' ')).toBe(exp.acks);
      const found = codesIn(text);
      for (const key of ['ta104', 'ta105', 'ik304', 'ik403', 'ik501', 'ik5', 'ak901', 'ak9', 'ak9Counts'] as const) {
        const want = exp[key];
        // In a known-wrong case only the intended code is promised, not the rest of the row
        // (unless all it lacks is the business-unit CTX, which no row here looks at).
        if (want === undefined || (known && !known.onlyLacks && key !== codeKey(exp))) continue;
        expect(found[key], `${key} in\n${text}`).toContain(want);
      }
    });
  }
});

describe('the expected acknowledgements are themselves valid', () => {
  for (const name of caseNames) {
    const ackPath = `${CASES_DIR}${name}.ack`;
    it(`${name}.ack`, () => {
      if (!existsSync(ackPath)) return; // reported by the golden test
      const acks = splitAcks(readFileSync(ackPath, 'latin1'));
      const exp = EXPECTATIONS.find((e) => e.case === name);
      expect(acks.map((a) => a.kind).join(' ')).toBe(exp?.acks);
      for (const ack of acks) {
        // Every acknowledgement is one interchange of our own: ISA … IEA, one segment per line.
        const segs = segments(ack.text);
        expect(segs[0]?.[0]).toBe('ISA');
        expect(segs.at(-1)?.[0]).toBe('IEA');
        if (ECHOES_BAD_INPUT[name] && ack.kind === '999') continue;
        expect(selfProblems(ack.text)).toEqual([]);
      }
    });
  }
});

/** The one field that names a case's point, e.g. ta105 for the TA105 cases. */
function codeKey(exp: Expectation): keyof Found {
  const prefix = exp.case.split('-')[0] ?? '';
  switch (prefix) {
    case 'ta105':
    case 'ta1':
      return 'ta105';
    case 'ik304':
      return 'ik304';
    case 'ik403':
      return 'ik403';
    case 'ik5':
      return 'ik5';
    case 'ak9':
      return exp.ak9 !== undefined ? 'ak9' : 'ak901';
    default:
      return 'ak901';
  }
}
