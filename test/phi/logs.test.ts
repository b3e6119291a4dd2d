/**
 * No PHI in logs or error messages: a file full of PHI, one of its sets with an element
 * error on a name (so the validator holds a PHI value in its findings), goes through
 * `validate` and `ingest` with logging at debug, and the log lines, the error output and
 * the human output's stderr are searched for every SSN, name, birth date and address the
 * file holds. The logger's second wall (keys that name PHI are censored) is tested too.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { ingestCommand } from '../../src/cli/commands/ingest.js';
import { validateCommand } from '../../src/cli/commands/validate.js';
import { REDACTED, createLogger } from '../../src/core/logger.js';
import { unclosable } from '../db/harness.js';
import { NOW, ackDir, build834, dependent, member, subscriber, useEnrollmentDb, writeTemp, type AddressSpec } from '../enrollment/build834.js';

const HOME: AddressSpec = { line1: '742 EVERGREEN TERRACE', city: 'SHELBYVILLE', state: 'IL', zip: '62565' };
const PHI_VALUES = [
  // SSNs, with and without dashes
  '900417733', '900-41-7733', '900552211', '900-55-2211',
  // names
  'QUINTESSA', 'ZABRISKIE', 'BARNABY', 'OCTAVIUS', 'XYLOPHONIA',
  // birth dates, as sent and as stored
  '19710315', '1971-03-15', '20090704', '2009-07-04',
  // address
  '742 EVERGREEN TERRACE', 'EVERGREEN', 'SHELBYVILLE', '62565',
];

function phiFile(): string {
  return build834([
    subscriber('900417733', { last: 'ZABRISKIE', first: 'QUINTESSA', ssn: '900417733', dob: '19710315', address: HOME }),
    dependent('900417733', '19', 'BARNABY', '20090704', { last: 'ZABRISKIE', ssn: '900552211', address: HOME }),
  ]);
}

/** The same family where the dependent's first name is too long (IK403 5): a PHI value in a finding. */
function phiFileWithError(): string {
  return build834([
    subscriber('900417733', { last: 'ZABRISKIE', first: 'QUINTESSA', ssn: '900417733', dob: '19710315', address: HOME }),
    member({ sub: '900417733', rel: '19', last: 'ZABRISKIE', first: `OCTAVIUS${'XYLOPHONIA'.repeat(4)}`, dob: '20090704', address: HOME }),
  ]);
}

function capture(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

function findPhi(text: string): string[] {
  return PHI_VALUES.filter((v) => text.includes(v));
}

describe('PHI never reaches a log line or an error message', () => {
  const db = useEnrollmentDb();

  it('validate and ingest at debug: the logs tell the journey with no SSN, name, birth date or address', async () => {
    const log = capture();
    let out = '';
    let err = '';
    const io: Io = {
      out: (t) => void (out += t),
      err: (t) => void (err += t),
      now: () => NOW,
      env: { EDIBRIDGE_LOG_LEVEL: 'debug', EDIBRIDGE_PHI_KEY: Buffer.alloc(32, 7).toString('hex') },
      log: log.stream,
    };
    const good = writeTemp(phiFile());
    const bad = writeTemp(phiFileWithError());
    const open = async (): Promise<ReturnType<typeof db>> => unclosable(db());

    expect(await validateCommand([good, bad, '--ack-dir', ackDir()], io, { open })).toBe(1);
    expect(await ingestCommand([good, '--ack-dir', ackDir()], io, { open })).toBe(0);
    expect(await ingestCommand([bad, '--ack-dir', ackDir()], io, { open })).toBe(1);
    // A file that is not there: an error message, still without PHI.
    expect(await ingestCommand([`${good}.missing`], io, { open })).toBe(2);

    const lines = log.lines();
    const messages = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    // The journey is there: otherwise this test would pass on silence.
    for (const m of ['file validated', 'file registered', 'acknowledgement written', 'applying 834 set', '834 set committed', 'file done']) {
      expect(messages, m).toContain(m);
    }
    expect(lines.some((l) => l.includes('"level":20')), 'debug lines').toBe(true);
    expect(findPhi(lines.join('\n')), 'log lines').toEqual([]);
    expect(findPhi(err), 'stderr').toEqual([]);
    // The 999 itself may carry the bad value back to its sender; the report for a person does not.
    expect(findPhi(out), 'the reports').toEqual([]);
  });

  it('censors values of keys that name PHI, wherever a log call passes them', () => {
    const log = capture();
    const logger = createLogger({ level: 'debug', destination: log.stream });
    logger.info({ ssn: '900417733', member: { lastName: 'ZABRISKIE', birthDate: '1971-03-15', home: { line1: '742 EVERGREEN TERRACE' } }, count: 3 }, 'x');
    logger.child({ file: 'f.x12' }).warn({ family: { dependents: { firstName: 'BARNABY' } } }, 'y');
    const text = log.lines().join('\n');
    expect(findPhi(text)).toEqual([]);
    expect(text).toContain(REDACTED);
    expect(text).toContain('"count":3');
    expect(text).toContain('"file":"f.x12"');
  });
});
