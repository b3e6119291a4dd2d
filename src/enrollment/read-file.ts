/**
 * Reads the 834 sets of an X12 file into enrollment events: tokenizes with the project's
 * Tokenizer and feeds each 834 set (ST..SE) to an Enrollment834Reader. The file is
 * assumed validated already; tokenizer problems are counted, not reported here.
 */
import { Tokenizer, type TokenProblem } from '../x12/tokenize/tokenizer.js';
import type { Segment } from '../x12/tokenize/segment.js';
import type { EnrollmentFile, MemberEvent, ReadNote } from './events.js';
import { Enrollment834Reader } from './parse834.js';

/** Where a set sits: its ST02, the byte offset of its ST, and its interchange's ISA13. */
export interface SetPlace {
  control: string;
  fileOffset: number;
  interchangeControl: string;
}

export interface EnrollmentStreamHandlers {
  /** At each 834 set's ST. */
  onSetStart?: (set: SetPlace) => void;
  /** Each member as soon as its loop ends. */
  onMember: (event: MemberEvent, set: { control: string }) => void;
  /** At each 834 set's first INS (or its end when it has none). */
  onHeader?: (header: EnrollmentFile) => void;
  /** At each 834 set's SE (or the end of the file when the SE is missing). */
  onSetEnd?: (set: { control: string; header: EnrollmentFile | undefined; members: number; notes: ReadNote[] }) => void;
}

/** Push-style reader over a whole file: push chunks as they arrive, then end(). */
export class EnrollmentFileReader {
  private readonly tokenizer: Tokenizer;
  private reader: Enrollment834Reader | undefined;
  private control = '';
  private position = 0;
  private interchangeControl = '';
  /** Tokenizer problems seen (unterminated segment, stray bytes, ...). */
  readonly problems: TokenProblem[] = [];

  constructor(private readonly handlers: EnrollmentStreamHandlers) {
    this.tokenizer = new Tokenizer({
      segment: (seg) => this.segment(seg),
      problem: (p) => this.problems.push(p),
    });
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
      case 'ST':
        this.finishSet();
        if (seg.element(1) !== '834') return;
        this.control = seg.element(2);
        this.position = 1;
        this.handlers.onSetStart?.({ control: this.control, fileOffset: seg.fileOffset, interchangeControl: this.interchangeControl });
        {
          const set = { control: this.control };
          const opts: ConstructorParameters<typeof Enrollment834Reader>[0] = {
            onMember: (m) => this.handlers.onMember(m, set),
          };
          if (this.handlers.onHeader) opts.onHeader = this.handlers.onHeader;
          this.reader = new Enrollment834Reader(opts);
        }
        this.reader.segment(seg, this.position);
        return;
      case 'ISA':
        this.interchangeControl = seg.element(13);
        this.finishSet();
        return;
      case 'GS':
      case 'GE':
      case 'IEA':
        // An envelope segment inside a set means its SE is missing: close it.
        this.finishSet();
        return;
      default:
        if (!this.reader) return;
        this.position++;
        this.reader.segment(seg, this.position);
        if (seg.id === 'SE') this.finishSet();
    }
  }

  private finishSet(): void {
    const r = this.reader;
    if (!r) return;
    this.reader = undefined;
    r.end();
    this.handlers.onSetEnd?.({ control: this.control, header: r.header, members: r.members, notes: r.notes });
  }
}

export interface EnrollmentSetEvents {
  /** ST02. */
  control: string;
  header: EnrollmentFile | undefined;
  members: MemberEvent[];
  notes: ReadNote[];
}

/** Reads every 834 set of a (small) file into memory: for tests and small files. */
export function readEnrollmentEvents(bytes: Uint8Array): { sets: EnrollmentSetEvents[]; problems: TokenProblem[] } {
  const sets: EnrollmentSetEvents[] = [];
  let members: MemberEvent[] = [];
  const reader = new EnrollmentFileReader({
    onMember: (m) => members.push(m),
    onSetEnd: (s) => {
      sets.push({ control: s.control, header: s.header, members, notes: s.notes });
      members = [];
    },
  });
  reader.push(bytes);
  reader.end();
  return { sets, problems: reader.problems };
}
