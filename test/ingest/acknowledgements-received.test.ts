/**
 * The ingest and acknowledgements: each TA1/999 it sends is recorded with its control numbers;
 * a partner's own TA1 or 999 is read as an acknowledgement received (processed, never waiting,
 * nothing sent back), and named by the inbound file our acknowledgement answered.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIngest } from '../../src/cli/format/ingest.js';
import { enrollmentHandler } from '../../src/enrollment/handler.js';
import { handlerRegistry } from '../../src/ingest/handlers.js';
import { ingestFile } from '../../src/ingest/ingest.js';
import { NOW, ackDir, build834, nextControl, phi, subscriber, useEnrollmentDb, writeTemp } from '../enrollment/build834.js';

const pad9 = (n: number | string): string => String(n).padStart(9, '0');
const isa = (control: string): string =>
  `ISA*00*          *00*          *ZZ*ACMEEMPLOYER   *ZZ*EDIBRIDGEPLAN  *261124*0800*^*00501*${control}*0*P*:~`;

/** A partner's TA1 answering our interchange `answers`. */
function partnerTa1(answers: string, status = 'R', note = '022'): string {
  const control = pad9(nextControl());
  return `${isa(control)}\nTA1*${pad9(answers)}*261123*1200*${status}*${note}~\nIEA*0*${control}~\n`;
}

/** A partner's 999 answering our group `functionalId`/`groupControl`: one set rejected, one accepted. */
function partner999(functionalId: string, groupControl: string, setId: string, version: string): string {
  const control = pad9(nextControl());
  const gs = String(nextControl());
  return [
    isa(control),
    `GS*FA*ACMEEMPLOYER*EDIBRIDGEPLAN*20261124*0800*${gs}*X*005010X231A1~`,
    'ST*999*0001*005010X231A1~',
    `AK1*${functionalId}*${groupControl}*${version}~`,
    `AK2*${setId}*0001*${version}~`,
    'IK3*DMG*9*2100*8~',
    'IK4*3*1068*7*Q~',
    'IK5*R*5~',
    `AK2*${setId}*0002*${version}~`,
    'IK5*A~',
    'AK9*P*2*2*1~',
    'SE*10*0001~',
    `GE*1*${gs}~`,
    `IEA*1*${control}~`,
    '',
  ].join('\n');
}

describe('acknowledgements sent and received by the ingest', () => {
  const db = useEnrollmentDb();
  const handlers = (): ReturnType<typeof handlerRegistry> => handlerRegistry(enrollmentHandler({ phi }));
  const ingest = (text: string) => ingestFile(writeTemp(text), { db: db(), handlers: handlers(), now: () => NOW, ackDir: ackDir() });

  /** Ingests an 834 and returns its file id and the controls of the 999 we sent for it. */
  async function ingest834(): Promise<{ fileId: string; isa13: string; gs06: string }> {
    const r = await ingest(build834([subscriber(`S${nextControl()}`)]));
    expect(r.status).toBe('processed');
    const ack = r.acknowledgements.find((a) => a.kind === '999')!;
    const text = readFileSync(ack.path!, 'latin1');
    const isa13 = text.split('~')[0]!.split('*')[13]!;
    const gs06 = text.split('~').find((s) => s.trim().startsWith('GS*'))!.split('*')[6]!;
    return { fileId: r.fileId, isa13, gs06 };
  }

  it('records each acknowledgement it sends: file, kind, ISA13, GS06, receiver, time', async () => {
    const sent = await ingest834();
    const { rows } = await db().query<Record<string, string>>(
      'select file_id::text as file_id, kind, isa_control::text as isa, group_control::text as gs, receiver, created_at from outbound_acknowledgement',
    );
    expect(rows).toEqual([
      { file_id: sent.fileId, kind: '999', isa: String(Number(sent.isa13)), gs: String(Number(sent.gs06)), receiver: 'ACMEEMPLOYER', created_at: NOW },
    ]);
  });

  it('reads a partner\'s TA1 as an acknowledgement received and names the file we answered', async () => {
    const sent = await ingest834();
    const r = await ingest(partnerTa1(sent.isa13));
    expect(r.status).toBe('processed');
    expect(r.waiting).toEqual([]);
    expect(r.acknowledgements).toEqual([]);
    expect(r.acknowledgementsReceived).toEqual([
      {
        acknowledgement: expect.objectContaining({ kind: 'TA1', answersControl: sent.isa13, status: 'R', note: '022' }),
        answers: { fileId: sent.fileId, file: expect.any(String), kind: '999', name: expect.stringMatching(/\.999\.x12$/) },
      },
    ]);
    const { rows } = await db().query<{ status: string }>('select status from inbound_file where id = $1', [r.fileId]);
    expect(rows[0]!.status).toBe('processed');
    const text = formatIngest(r);
    expect(text).toContain(`acknowledgement received: TA1 answers our interchange ${sent.isa13} (TA101)`);
    expect(text).toContain('rejected (TA104 R), note 022 Invalid control structure');
    expect(text).toContain(`for file ${sent.fileId} (`);
    expect(text).toContain('nothing sent back: an acknowledgement received is not acknowledged');
  });

  it('reads a partner\'s 999 as an acknowledgement received: processed, never waiting for a handler', async () => {
    const r = await ingest(partner999('BE', '7', '834', '005010X220A1'));
    expect(r.status).toBe('processed');
    expect(r.validation).toMatchObject({ setsAccepted: 1, setsRejected: 0 });
    expect(r.waiting).toEqual([]);
    expect(r.handlers).toEqual([]);
    expect(r.acknowledgements).toEqual([]);
    expect(r.acknowledgementsReceived).toEqual([{ acknowledgement: expect.objectContaining({ kind: '999', answers: { functionalId: 'BE', groupControl: '7', version: '005010X220A1' } }), answers: null }]);
    const { rows } = await db().query<{ status: string }>('select status from inbound_file where id = $1', [r.fileId]);
    expect(rows[0]!.status).toBe('processed');
    const text = formatIngest(r);
    expect(text).toContain('acknowledgement received: 999 answers our group BE 7 (AK101 GS01, AK102 GS06), version 005010X220A1 (AK103 GS08) — not one we recorded sending');
    expect(text).toContain('group verdict (AK9): partially accepted (AK901 P): sets included 2 (AK902), received 2 (AK903), accepted 1 (AK904)');
    expect(text).toContain('set 834 0001 (005010X220A1): rejected (IK501 R) — One or more segments in error (IK5 code 5); 1 segment error (IK3), 1 element error (IK4)');
    expect(text).not.toContain('waiting for a handler');
  });

  it('names the file we answered when a partner\'s 999 answers our 999 group (AK101 FA, AK102 = our GS06)', async () => {
    const sent = await ingest834();
    const r = await ingest(partner999('FA', sent.gs06, '999', '005010X231A1'));
    expect(r.waiting).toEqual([]);
    expect(r.acknowledgementsReceived![0]!.answers).toMatchObject({ fileId: sent.fileId, kind: '999' });
    expect(formatIngest(r)).toContain(`acknowledgement received: 999 answers our group FA ${sent.gs06} (AK101 GS01, AK102 GS06)`);
  });

  it('says so when it answers nothing we recorded sending', async () => {
    const r = await ingest(partnerTa1('987654321', 'A', '000'));
    expect(r.status).toBe('processed');
    expect(r.acknowledgementsReceived![0]!.answers).toBeNull();
    expect(formatIngest(r)).toContain('answers our interchange 987654321 (TA101), sent 2026-11-23 12:00: accepted (TA104 A), note 000 No error (TA105) — not one we recorded sending');
  });

  it('refuses a file with no interchange and says how it starts, without its values', async () => {
    const path = writeTemp('ST*834*0001*005010X220A1~NM1*IL*1*DOE*JOHN~SE*3*0001~');
    const err = await ingestFile(path, { db: db(), handlers: handlers(), now: () => NOW, ackDir: ackDir() }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('(the file starts with an ST segment: an envelope (ISA) is missing)');
    expect((err as Error).message).not.toContain('DOE');
  });
});
