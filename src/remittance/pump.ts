/**
 * The file's 820 content as items for cash application: set start, the payment header (at the
 * first ENT, or the SE of a set without one), each remittance line (RMR) as soon as the next
 * RMR, ENT or SE ends it, each 2000-level ADX, set end; pulled as applying goes
 * (src/ingest/item-pump.ts), so memory stays flat. The sets are assumed validated.
 */
import type { SetPlace } from '../enrollment/read-file.js';
import { ItemPump } from '../ingest/item-pump.js';
import type { FileSource } from '../ingest/source.js';
import type { Segment } from '../x12/tokenize/segment.js';
import { Tokenizer } from '../x12/tokenize/tokenizer.js';
import type { PaymentHeader, PaymentLine, PreviousPaymentAdjustment, SetTotals } from './apply.js';

export type RemittanceItem =
  | { type: 'set-start'; place: SetPlace }
  | { type: 'header'; header: PaymentHeader }
  | { type: 'line'; line: PaymentLine }
  | { type: 'loop-adjustment'; adjustment: PreviousPaymentAdjustment }
  | { type: 'set-end'; totals: SetTotals };

/** An X12 decimal (R) as integer cents, exactly: "1450.75" → 145075, "-12.5" → −1250; null when it is not one. */
export function toCents(text: string): number | null {
  const m = /^(-?)(\d*)(?:\.(\d{0,2}))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const cents = Number(m[2] || '0') * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -cents : cents;
}

/** CCYYMMDD → YYYY-MM-DD (null when it is not one). */
function isoDate(d: string): string | null {
  return /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : null;
}

/** DTM*582 (RD8 CCYYMMDD-CCYYMMDD, or D8) as a period. */
function period(seg: Segment): { start: string | null; end: string | null } {
  const format = seg.element(5);
  const value = seg.element(6) || seg.element(2);
  if (format === 'RD8') {
    const [a = '', b = ''] = value.split('-');
    return { start: isoDate(a), end: isoDate(b) };
  }
  const d = isoDate(value);
  return { start: d, end: d };
}

/** Reads one set's segments into items (push them in order; `end` at SE or the file's end). */
class SetReader {
  private position = 0;
  private header: PaymentHeader = {
    handling: '', amountCents: 0, creditDebit: '', method: '', effectiveDate: null, trace: '', originator: '',
    groupNumber: null, periodStart: null, periodEnd: null, payerName: null, payerId: null,
  };
  private headerSent = false;
  private inHeader = true;
  private party: '' | 'PE' | 'PR' = '';
  private loop: { kind: 'organization' | 'individual'; refs: string[] } | undefined;
  private line: PaymentLine | undefined;
  private readonly totals: SetTotals = { lines: 0, paidCents: 0, loopAdjustmentCents: 0 };

  constructor(private readonly emit: (item: RemittanceItem) => void) {}

  segment(seg: Segment): void {
    this.position++;
    switch (seg.id) {
      case 'BPR':
        this.header.handling = seg.element(1);
        this.header.amountCents = toCents(seg.element(2)) ?? 0;
        this.header.creditDebit = seg.element(3);
        this.header.method = seg.element(4);
        this.header.effectiveDate = isoDate(seg.element(16));
        return;
      case 'TRN':
        this.header.trace = seg.element(2);
        this.header.originator = seg.element(3);
        return;
      case 'REF':
        if (this.inHeader) {
          if (seg.element(1) === '38') this.header.groupNumber = seg.element(2);
        } else if (this.loop?.kind === 'individual' && ['0F', 'ZZ', '23'].includes(seg.element(1)) && seg.element(2)) {
          this.loop.refs.push(seg.element(2));
        }
        return;
      case 'DTM':
        if (seg.element(1) !== '582') return;
        if (this.inHeader) {
          const p = period(seg);
          this.header.periodStart = p.start;
          this.header.periodEnd = p.end;
        } else if (this.line) {
          this.line.periodStart = period(seg).start;
        }
        return;
      case 'N1':
        this.party = seg.element(1) === 'PR' ? 'PR' : seg.element(1) === 'PE' ? 'PE' : '';
        if (this.party === 'PR') {
          this.header.payerName = seg.element(2) || null;
          this.header.payerId = seg.element(4) || null;
        }
        return;
      case 'ENT':
        this.flushLine();
        this.sendHeader();
        this.loop = { kind: seg.element(2) === '2J' ? 'individual' : 'organization', refs: [] };
        if (this.loop.kind === 'individual' && seg.element(4)) this.loop.refs.push(seg.element(4));
        return;
      case 'NM1':
        // NM109 is the most specific reference to the member: first.
        if (this.loop?.kind === 'individual' && seg.element(9)) this.loop.refs.unshift(seg.element(9));
        return;
      case 'ADX': {
        const amount = toCents(seg.element(1)) ?? 0;
        if (this.line) return; // under an RMR: it explains that line's RMR04 against its RMR05
        this.totals.loopAdjustmentCents += amount;
        this.emit({ type: 'loop-adjustment', adjustment: { position: this.position, amountCents: amount, reason: seg.element(2), qualifier: seg.element(3) || null, reference: seg.element(4) || null } });
        return;
      }
      case 'RMR': {
        this.flushLine();
        const paid = toCents(seg.element(4)) ?? 0;
        const billed = seg.element(5) ? toCents(seg.element(5)) : null;
        this.line = {
          loop: this.loop?.kind ?? 'organization',
          position: this.position,
          qualifier: seg.element(1),
          reference: seg.element(2),
          paidCents: paid,
          payerBilledCents: billed,
          memberRefs: [...new Set(this.loop?.refs ?? [])],
          periodStart: null,
        };
        this.totals.lines++;
        this.totals.paidCents += paid;
        return;
      }
      default:
    }
  }

  end(): void {
    this.flushLine();
    this.sendHeader();
    this.emit({ type: 'set-end', totals: { ...this.totals } });
  }

  private flushLine(): void {
    if (this.line) this.emit({ type: 'line', line: this.line });
    this.line = undefined;
  }

  private sendHeader(): void {
    this.inHeader = false;
    if (this.headerSent) return;
    this.headerSent = true;
    this.emit({ type: 'header', header: this.header });
  }
}

/** Push-style reader of a whole file's 820 sets (other sets are skipped). */
export class RemittanceFileReader {
  private readonly tokenizer: Tokenizer;
  private set: SetReader | undefined;
  private interchangeControl = '';

  constructor(private readonly emit: (item: RemittanceItem) => void) {
    this.tokenizer = new Tokenizer({ segment: (seg) => this.segment(seg), problem: () => {} });
  }

  push(chunk: Uint8Array): void {
    this.tokenizer.push(chunk);
  }

  end(): void {
    this.tokenizer.end();
    this.finishSet();
  }

  private segment(seg: Segment): void {
    switch (seg.id) {
      case 'ISA':
        this.interchangeControl = seg.element(13);
        return;
      case 'ST':
        this.finishSet();
        if (seg.element(1) !== '820') return;
        this.emit({ type: 'set-start', place: { control: seg.element(2), fileOffset: seg.fileOffset, interchangeControl: this.interchangeControl } });
        this.set = new SetReader(this.emit);
        this.set.segment(seg);
        return;
      case 'SE':
        this.set?.segment(seg);
        this.finishSet();
        return;
      default:
        this.set?.segment(seg);
    }
  }

  private finishSet(): void {
    this.set?.end();
    this.set = undefined;
  }
}

const CHUNK_BYTES = 1 << 16;

/** Each wanted set's totals (lines, Σ RMR04, Σ 2000-level ADX01), in one streaming pass. */
export async function readSetTotals(source: FileSource, wanted: ReadonlySet<number>): Promise<Map<number, SetTotals>> {
  const totals = new Map<number, SetTotals>();
  let current: number | undefined;
  const reader = new RemittanceFileReader((item) => {
    if (item.type === 'set-start') current = wanted.has(item.place.fileOffset) ? item.place.fileOffset : undefined;
    else if (item.type === 'set-end' && current !== undefined) totals.set(current, item.totals);
  });
  for await (const chunk of source.open(CHUNK_BYTES)) reader.push(chunk);
  reader.end();
  return totals;
}

/** The file's 820 items as a pull stream (see the module comment). */
export function remittanceItems(source: FileSource): ItemPump<RemittanceItem> {
  return new ItemPump<RemittanceItem>(source, (emit) => new RemittanceFileReader(emit), CHUNK_BYTES);
}
