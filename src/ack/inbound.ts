/**
 * Acknowledgements we receive: a partner's TA1 (interchange acknowledgment) or 999
 * (implementation acknowledgment) answering an interchange or group of ours. Read over the
 * project's tokenizer into typed data the reports and the ingest share.
 *
 * Only control numbers, codes and counts are kept. IK4's copy of bad data (IK404) and CTX
 * (business unit values) may hold PHI and are never read into this data.
 */
import type { FileReport } from '../x12/report.js';
import type { Segment } from '../x12/tokenize/segment.js';
import { Tokenizer, type TokenProblem } from '../x12/tokenize/tokenizer.js';

/** The interchange that carried an acknowledgement (the partner's ISA). */
export interface AckCarrier {
  /** ISA13 of the partner's interchange. */
  control: string;
  /** ISA05/ISA06 (trimmed): the partner who sent it. */
  senderQualifier: string;
  sender: string;
  /** Byte offset of that ISA in the file. */
  fileOffset: number;
}

/** A TA1 received. */
export interface ReceivedTa1 {
  kind: 'TA1';
  carrier: AckCarrier;
  /** Byte offset of the TA1 segment. */
  fileOffset: number;
  /** TA101: ISA13 of our interchange it answers. */
  answersControl: string;
  /** TA102 (YYMMDD) / TA103 (HHMM): our interchange's date and time, as the partner read them. */
  date: string;
  time: string;
  /** TA104: A accepted, E accepted with errors, R rejected. */
  status: string;
  /** TA105: the interchange note code. */
  note: string;
  /** What is wrong with the TA1 itself (element names, never values); empty when well formed. */
  faults: string[];
}

/** One AK2 … IK5 of a 999 received: the partner's verdict on one of our transaction sets. */
export interface ReceivedSetVerdict {
  /** AK201, AK202, AK203. */
  transactionSet: string;
  control: string;
  convention: string | null;
  /** IK501 (A, E, R, also M, W, X); null when the IK5 is missing. */
  status: string | null;
  /** IK502–IK506. */
  codes: string[];
  /** IK3 and IK4 segments under this AK2. */
  segmentErrors: number;
  elementErrors: number;
}

/** A 999 received. */
export interface Received999 {
  kind: '999';
  carrier: AckCarrier;
  /** GS06 of the partner's group and ST02 of the 999, and where its ST starts. */
  groupControl: string;
  setControl: string;
  fileOffset: number;
  /** AK101/AK102/AK103: which group of ours it answers (GS01, GS06, GS08); null without an AK1. */
  answers: { functionalId: string; groupControl: string; version: string } | null;
  sets: ReceivedSetVerdict[];
  /** AK901–AK909; null without an AK9. */
  groupVerdict: { status: string; included: number | null; received: number | null; accepted: number | null; codes: string[] } | null;
}

export type ReceivedAcknowledgement = ReceivedTa1 | Received999;

export interface ReceivedAcknowledgements {
  acknowledgements: ReceivedAcknowledgement[];
  /** Functional groups that are not acknowledgements (GS01 other than FA), and sets other than 999s. */
  otherGroups: number;
  otherSets: number;
  /** Interchanges read (ISA segments). */
  interchanges: number;
}

/**
 * True when a file holds acknowledgements and nothing else: at least one TA1 or 999, and no
 * other group or set. Such a file is an acknowledgement received, not business content.
 */
export function onlyAcknowledgements(r: ReceivedAcknowledgements): boolean {
  return r.acknowledgements.length > 0 && r.otherGroups === 0 && r.otherSets === 0;
}

/**
 * Whether a validated file may hold acknowledgements (a group of 999s, or an interchange with
 * no group, which is where a TA1 stands): the cheap test before reading it again.
 */
export function mayHoldAcknowledgements(report: FileReport): boolean {
  return report.interchanges.some((ic) => ic.groups.length === 0 || ic.groups.some((g) => g.functionalId === 'FA' || !g.acknowledge));
}

/** Reads the acknowledgements in a file (bytes or a stream of chunks). */
export async function readReceivedAcknowledgements(source: Uint8Array | AsyncIterable<Uint8Array>): Promise<ReceivedAcknowledgements> {
  const reader = new AckReader();
  const tokenizer = new Tokenizer(reader);
  if (source instanceof Uint8Array) tokenizer.push(source);
  else for await (const chunk of source) tokenizer.push(chunk);
  tokenizer.end();
  reader.end();
  return reader.result;
}

/** Synchronous form for bytes in memory. */
export function readReceivedAcknowledgementsSync(data: Uint8Array): ReceivedAcknowledgements {
  const reader = new AckReader();
  const tokenizer = new Tokenizer(reader);
  tokenizer.push(data);
  tokenizer.end();
  reader.end();
  return reader.result;
}

const int = (s: string): number | null => (/^\d{1,9}$/.test(s) ? Number(s) : null);

class AckReader {
  readonly result: ReceivedAcknowledgements = { acknowledgements: [], otherGroups: 0, otherSets: 0, interchanges: 0 };
  private carrier: AckCarrier | null = null;
  private groupControl = '';
  private inAckGroup = false;
  private ack: Received999 | null = null;
  private verdict: ReceivedSetVerdict | null = null;

  segment(seg: Segment): void {
    switch (seg.id) {
      case 'ISA':
        this.closeSet();
        this.result.interchanges += 1;
        this.carrier = {
          control: seg.element(13).trim(),
          senderQualifier: seg.element(5).trim(),
          sender: seg.element(6).trim(),
          fileOffset: seg.fileOffset,
        };
        return;
      case 'IEA':
        this.closeSet();
        this.carrier = null;
        return;
      case 'TA1':
        if (this.carrier && !this.ack) this.result.acknowledgements.push(readTa1(seg, this.carrier));
        return;
      case 'GS':
        this.closeSet();
        this.groupControl = seg.element(6);
        this.inAckGroup = seg.element(1) === 'FA';
        if (!this.inAckGroup) this.result.otherGroups += 1;
        return;
      case 'GE':
        this.closeSet();
        this.inAckGroup = false;
        return;
      case 'ST':
        this.closeSet();
        if (seg.element(1) !== '999' || !this.carrier) {
          this.result.otherSets += 1;
          return;
        }
        this.ack = {
          kind: '999',
          carrier: this.carrier,
          groupControl: this.groupControl,
          setControl: seg.element(2),
          fileOffset: seg.fileOffset,
          answers: null,
          sets: [],
          groupVerdict: null,
        };
        return;
      case 'SE':
        this.closeSet();
        return;
      default:
        if (this.ack) this.inAck(seg, this.ack);
    }
  }

  private inAck(seg: Segment, ack: Received999): void {
    switch (seg.id) {
      case 'AK1':
        ack.answers = { functionalId: seg.element(1), groupControl: seg.element(2), version: seg.element(3) };
        return;
      case 'AK2':
        this.verdict = {
          transactionSet: seg.element(1),
          control: seg.element(2),
          convention: seg.element(3) || null,
          status: null,
          codes: [],
          segmentErrors: 0,
          elementErrors: 0,
        };
        ack.sets.push(this.verdict);
        return;
      case 'IK3':
        if (this.verdict) this.verdict.segmentErrors += 1;
        return;
      case 'IK4':
        // IK404 (a copy of the bad data) is never read.
        if (this.verdict) this.verdict.elementErrors += 1;
        return;
      case 'IK5':
        if (this.verdict) {
          this.verdict.status = seg.element(1);
          this.verdict.codes = codes(seg, 2, 6);
        }
        this.verdict = null;
        return;
      case 'AK9':
        this.verdict = null;
        ack.groupVerdict = {
          status: seg.element(1),
          included: int(seg.element(2)),
          received: int(seg.element(3)),
          accepted: int(seg.element(4)),
          codes: codes(seg, 5, 9),
        };
        return;
      default:
      // CTX and anything else: not kept (CTX may carry a member's identifier).
    }
  }

  private closeSet(): void {
    if (this.ack) this.result.acknowledgements.push(this.ack);
    this.ack = null;
    this.verdict = null;
  }

  problem(_p: TokenProblem): void {
    // The validator reports the file's problems; this reader only gathers acknowledgements.
  }

  end(): void {
    this.closeSet();
  }
}

function codes(seg: Segment, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) if (seg.has(i)) out.push(seg.element(i));
  return out;
}

function readTa1(seg: Segment, carrier: AckCarrier): ReceivedTa1 {
  const t: ReceivedTa1 = {
    kind: 'TA1',
    carrier,
    fileOffset: seg.fileOffset,
    answersControl: seg.element(1),
    date: seg.element(2),
    time: seg.element(3),
    status: seg.element(4),
    note: seg.element(5),
    faults: [],
  };
  if (!/^\d{9}$/.test(t.answersControl)) t.faults.push('TA101 (interchange control number) is not 9 digits');
  if (!/^\d{6}$/.test(t.date)) t.faults.push('TA102 (interchange date) is not YYMMDD');
  if (!/^\d{4}$/.test(t.time)) t.faults.push('TA103 (interchange time) is not HHMM');
  if (!['A', 'E', 'R'].includes(t.status)) t.faults.push('TA104 (acknowledgment code) is not A, E or R');
  if (!/^\d{3}$/.test(t.note)) t.faults.push('TA105 (note code) is not a 3-digit code');
  if (seg.count > 5) t.faults.push('TA1 has more than 5 elements');
  return t;
}

/** The envelope controls of one acknowledgement interchange (ours, as written): ISA13, ISA08, GS06. */
export interface AckControls {
  isaControl: string;
  /** ISA08, trimmed. */
  receiver: string;
  /** GS06 of its first group; null when it has none (a TA1). */
  groupControl: string | null;
}

/** Reads the controls of an acknowledgement's X12 text (one interchange). */
export function acknowledgementControls(text: string): AckControls | null {
  let controls: AckControls | null = null;
  const tokenizer = new Tokenizer({
    segment(seg: Segment): void {
      if (seg.id === 'ISA' && !controls) controls = { isaControl: seg.element(13).trim(), receiver: seg.element(8).trim(), groupControl: null };
      else if (seg.id === 'GS' && controls && controls.groupControl === null) controls.groupControl = seg.element(6);
    },
    problem(): void {},
  });
  tokenizer.push(Buffer.from(text, 'latin1'));
  tokenizer.end();
  return controls;
}
