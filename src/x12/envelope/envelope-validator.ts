/**
 * Follows the envelopes (ISA/IEA, GS/GE, ST/SE) of a segment stream, checks their
 * controls, and hands each transaction set's segments to its guide's SetValidator.
 * Produces one InterchangeResult per interchange: the data the TA1 and 999 are built from.
 */
import type { Ak9Code, Ik5Code, Ta105 } from '../codes.js';
import type { FileProblem, GroupResult, InterchangeResult, SegmentError, SetResult } from '../report.js';
import type { CompiledGuide } from '../schema/compiled.js';
import type { GuideRegistry } from '../schema/registry.js';
import type { Delimiters } from '../tokenize/delimiters.js';
import { packString, type Segment } from '../tokenize/segment.js';
import type { TokenProblem, TokenSink, IsaFault } from '../tokenize/tokenizer.js';
import { SetValidator } from '../validate/set-validator.js';
import { isValidDate, isValidTime } from '../validate/values.js';
import { groupEchoable, setEchoable } from './echo.js';
import { checkIsa, readIsa, type IsaCheckOptions } from './isa.js';

const KEY_ISA = packString('ISA');
const KEY_IEA = packString('IEA');
const KEY_GS = packString('GS');
const KEY_GE = packString('GE');
const KEY_ST = packString('ST');
const KEY_SE = packString('SE');

/**
 * Faults that may leave the interchange "accepted with errors" (TA104 E): E tells the
 * sender not to send it again, so it is only given where everything sent was received and
 * is answered by a 999. Each of these is fatal (R) where that cannot be said
 * (OpenInterchange.mayLoseData): 021 when IEA01 counts more groups than arrived or cannot
 * be read, 024 for a group or set no 999 can name and for segments outside any set.
 */
const NON_FATAL: ReadonlySet<Ta105> = new Set<Ta105>(['001', '021', '024']);
const FA_ONLY: ReadonlySet<string> = new Set(['FA']);
/** Interchanges answered for unreadable ISA headers, at most, in one file. */
const MAX_UNREADABLE_INTERCHANGES = 100;
/** File-level problems kept, at most, in one report. */
const MAX_PROBLEMS = 1000;
const ISA_FAULT_NOTES: Record<IsaFault, Ta105> = {
  truncated: '023',
  'element-separator': '026',
  'component-separator': '027',
  'segment-terminator': '004',
  'field-count': '022',
};

/** What checks one transaction set's segments against its guide. */
export interface SetChecker {
  begin(st: Segment): void;
  segment(seg: Segment, position: number): void;
  /** `position` is that of the set's last segment; `end` a file offset past it. */
  finish(position: number, end: number): void;
  readonly errors: SegmentError[];
  readonly truncated: boolean;
  /** True when the set is checked elsewhere: its content need only be counted here. */
  readonly remote?: boolean;
}

/**
 * Makes the checker for a set. The default checks in line (SetValidator); the parallel
 * path returns one that hands the set's byte range to a worker thread.
 */
export type SetCheckerFactory = (guide: CompiledGuide, result: SetResult, maxErrors: number | undefined) => SetChecker;

export interface EnvelopeOptions extends IsaCheckOptions {
  maxErrorsPerSet?: number;
  setChecker?: SetCheckerFactory;
}

export const inlineChecker: SetCheckerFactory = (guide, _result, maxErrors) =>
  new SetValidator(guide, maxErrors !== undefined ? { maxErrors } : {});

interface OpenInterchange {
  result: InterchangeResult;
  notes: Ta105[];
  /** Something sent may have been lost or goes unanswered by a 999: never TA104 E. */
  mayLoseData: boolean;
  groupCount: number;
  groupControls: Set<string>;
}

interface OpenGroup {
  result: GroupResult;
  setCount: number;
  setControls: Set<string>;
  supported: boolean;
}

interface OpenSet {
  result: SetResult;
  validator: SetChecker | null;
  position: number;
}

export class EnvelopeValidator implements TokenSink {
  readonly interchanges: InterchangeResult[] = [];
  readonly problems: FileProblem[] = [];
  private ic: OpenInterchange | null = null;
  private group: OpenGroup | null = null;
  private set: OpenSet | null = null;
  private readonly seenInterchanges = new Set<string>();
  private repetitionValid = true;
  /** The current interchange's delimiters as text (for the values AK1/AK2 echo). */
  private delimiterText = '';
  private unreadableIsas = 0;
  /** Invisible separators noted, by name: the first one's note and how many were seen. */
  private readonly invisibles = new Map<string, { text: string; count: number; problem: FileProblem }>();
  private suppressedProblems = 0;

  constructor(private readonly registry: GuideRegistry, private readonly options: EnvelopeOptions = {}) {}

  /** Inside a set checked elsewhere (or not at all), the tokenizer need not split elements. */
  skimming = false;

  /** Problems kept at most per file; the rest are counted, so a garbage file cannot exhaust memory. */
  private addProblem(p: FileProblem): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(p);
    else this.suppressedProblems++;
  }

  skipped(count: number): void {
    if (this.set) this.set.position += count;
  }

  interchangeStart(delimiters: Readonly<Delimiters>): void {
    this.repetitionValid = delimiters.repetition >= 0;
    const d = [delimiters.element, delimiters.component, delimiters.repetition, delimiters.segment];
    this.delimiterText = String.fromCharCode(...d.filter((b) => b >= 0));
  }

  segment(seg: Segment): void {
    // Compared as packed numbers: the hot path makes no string comparisons.
    switch (seg.key) {
      case KEY_ISA:
        return this.onIsa(seg);
      case KEY_IEA:
        return this.onIea(seg);
      case KEY_GS:
        return this.onGs(seg);
      case KEY_GE:
        return this.onGe(seg);
      case KEY_ST:
        return this.onSt(seg);
      case KEY_SE:
        return this.onSe(seg);
      default:
        return this.onOther(seg);
    }
  }

  problem(p: TokenProblem): void {
    switch (p.kind) {
      case 'unreadable-isa': {
        this.closeInterchange('023', p.fileOffset);
        // Bounded: a file of repeated "ISA*" must not make a million TA1s.
        if (++this.unreadableIsas > MAX_UNREADABLE_INTERCHANGES) {
          if (this.unreadableIsas === MAX_UNREADABLE_INTERCHANGES + 1) {
            this.addProblem({ kind: p.kind, message: `More than ${MAX_UNREADABLE_INTERCHANGES} unreadable interchange headers; the rest are not answered`, fileOffset: p.fileOffset });
          }
          return;
        }
        const r = { ...blankInterchange(p.fileOffset), ...fixedIsaFields(p.header) };
        this.interchanges.push(r);
        this.addProblem({ kind: p.kind, message: `Interchange header (ISA) cannot be read: ${p.reason.replace('-', ' ')}`, fileOffset: p.fileOffset });
        finishInterchange(r, [ISA_FAULT_NOTES[p.reason]]);
        return;
      }
      case 'stray-bytes':
        // Reported with the file; answered by a TA1 only if the file holds no interchange (end()).
        this.addProblem({ kind: p.kind, message: `${p.length} bytes that are not X12 outside any interchange`, fileOffset: p.fileOffset });
        return;
      case 'unterminated-segment':
        this.addProblem({ kind: p.kind, message: `The file ends inside a segment (${p.length} bytes without a terminator)`, fileOffset: p.fileOffset });
        return;
      case 'segment-too-long':
        this.addProblem({ kind: p.kind, message: 'A segment is longer than any X12 segment can be; skipped', fileOffset: p.fileOffset });
        // Inside a set, the set's 999 rejects it (SE01 no longer matches); elsewhere it is lost.
        this.note('024', this.set === null);
        return;
      case 'invisible-separator': {
        // A note, not an error: the first of each kind with its offset, and how many followed.
        const seen = this.invisibles.get(p.name);
        if (seen) {
          seen.count++;
          seen.problem.message = `${seen.text} (and ${seen.count - 1} more), tolerated like a line break`;
          return;
        }
        const text = `${p.name} (${p.bytes}) after a segment terminator at byte ${p.fileOffset}`;
        const problem: FileProblem = { kind: 'note', message: `${text}, tolerated like a line break`, fileOffset: p.fileOffset };
        this.invisibles.set(p.name, { text, count: 1, problem });
        this.addProblem(problem);
        return;
      }
      default: {
        const never: never = p;
        throw new Error(`unknown token problem ${JSON.stringify(never)}`);
      }
    }
  }

  /** Ends the stream: anything still open was cut short. */
  end(fileOffset: number): void {
    if (this.ic) this.closeInterchange('023', fileOffset);
    if (this.interchanges.length === 0) {
      // Nothing to name: answer with a TA1 rejecting the content (022) or the empty file (023).
      const junk = this.problems.some((p) => p.kind === 'stray-bytes');
      const r = blankInterchange(0);
      this.interchanges.push(r);
      this.addProblem({ kind: 'no-interchange', message: 'The file holds no interchange (no ISA segment)', fileOffset: 0 });
      finishInterchange(r, [junk ? '022' : '023']);
    }
    if (this.suppressedProblems > 0) {
      this.problems.push({ kind: 'more-problems', message: `${this.suppressedProblems} more problems of the kinds above are not listed`, fileOffset });
    }
  }

  // ---------------------------------------------------------------- interchange

  private onIsa(seg: Segment): void {
    if (this.ic) this.closeInterchange('023', seg.fileOffset);
    const f = readIsa(seg);
    const notes = checkIsa(seg, this.repetitionValid, this.options);
    const key = `${f.senderQualifier}/${f.sender}/${f.control}`;
    if (this.seenInterchanges.has(key)) notes.push('025');
    this.seenInterchanges.add(key);
    const result: InterchangeResult = {
      control: f.control,
      senderQualifier: f.senderQualifier,
      sender: f.sender,
      receiverQualifier: f.receiverQualifier,
      receiver: f.receiver,
      date: f.date,
      time: f.time,
      version: f.version,
      usage: f.usage,
      ackRequested: f.ackRequested === '1',
      status: 'A',
      note: '000',
      otherNotes: [],
      sendTa1: false,
      groups: [],
      fileOffset: seg.fileOffset,
      delimiters: this.delimiterText,
    };
    this.interchanges.push(result);
    this.ic = { result, notes, mayLoseData: false, groupCount: 0, groupControls: new Set() };
  }

  private onIea(seg: Segment): void {
    const ic = this.ic;
    if (!ic) {
      this.addProblem({ kind: 'stray-segment', message: 'IEA without an interchange header', fileOffset: seg.fileOffset });
      return;
    }
    this.closeGroup(seg.fileOffset);
    const count = seg.element(1);
    if (!/^\d{1,5}$/.test(count) || Number(count) !== ic.groupCount) {
      ic.notes.push('021');
      // More declared than arrived (or no readable count): a group may be missing.
      if (!/^\d{1,5}$/.test(count) || Number(count) > ic.groupCount) ic.mayLoseData = true;
    }
    if (seg.element(2) !== ic.result.control) ic.notes.push('001');
    this.finishOpen(ic);
  }

  /** Closes the open interchange whose trailer never came. */
  private closeInterchange(note: Ta105, fileOffset: number): void {
    const ic = this.ic;
    if (!ic) return;
    this.closeGroup(fileOffset);
    ic.notes.push(note);
    this.finishOpen(ic);
  }

  private finishOpen(ic: OpenInterchange): void {
    finishInterchange(ic.result, ic.notes, ic.mayLoseData);
    this.ic = null;
  }

  /** `mayLoseData`: this fault leaves something sent unanswered by a 999 (TA104 R). */
  private note(note: Ta105, mayLoseData = false): void {
    const ic = this.ic;
    if (!ic) return;
    ic.notes.push(note);
    if (mayLoseData) ic.mayLoseData = true;
  }

  // ---------------------------------------------------------------- group

  private onGs(seg: Segment): void {
    const ic = this.ic;
    if (!ic) {
      this.addProblem({ kind: 'stray-segment', message: 'GS outside any interchange', fileOffset: seg.fileOffset });
      return;
    }
    this.closeGroup(seg.fileOffset);
    ic.groupCount++;
    const functionalId = seg.element(1);
    const control = seg.element(6);
    const version = seg.element(8);
    const codes: Ak9Code[] = [];
    if (!/^\d{1,9}$/.test(control)) codes.push('6');
    else if (ic.groupControls.has(control)) codes.push('19');
    ic.groupControls.add(control);
    // A GS missing its identity or with a bad date cannot be trusted as a header.
    if (seg.count < 8 || !functionalId || !seg.has(2) || !seg.has(3) || seg.element(7) !== 'X' ||
      !isValidDate(seg.buf, seg.rangeStart(4), seg.rangeEnd(4)) || seg.length(4) !== 8 ||
      !isValidTime(seg.buf, seg.rangeStart(5), seg.rangeEnd(5))) ic.notes.push('024');
    // A group whose identity cannot be echoed in an AK1 cannot get a 999: the TA1 rejects
    // the interchange, so nothing of it is lost. An FA group (999s) is never answered by a
    // 999, so a fault in its header leaves nothing unanswered that would otherwise be.
    const fa = functionalId === 'FA';
    const identifiable = groupEchoable(functionalId, control, version, this.delimiterText, fa ? FA_ONLY : undefined);
    let supported = false;
    if (!identifiable) this.note('024', !fa);
    else if (!this.registry.supportsGroup(functionalId)) codes.push('1');
    else if (!this.registry.supportsVersion(functionalId, version)) codes.push('2');
    else supported = true;
    const result: GroupResult = {
      functionalId,
      control,
      version,
      sender: seg.element(2),
      receiver: seg.element(3),
      status: 'A',
      codes,
      declaredSets: Number.NaN,
      sets: [],
      // A 999 never answers a 999 (or a TA1).
      acknowledge: identifiable && functionalId !== 'FA',
      fileOffset: seg.fileOffset,
    };
    ic.result.groups.push(result);
    this.group = { result, setCount: 0, setControls: new Set(), supported };
  }

  private onGe(seg: Segment): void {
    const g = this.group;
    if (!g) {
      this.note('022');
      this.addProblem({ kind: 'stray-segment', message: 'GE without a functional group header', fileOffset: seg.fileOffset });
      return;
    }
    this.closeSet(seg.fileOffset, true);
    const declared = seg.element(1);
    g.result.declaredSets = /^\d{1,6}$/.test(declared) ? Number(declared) : Number.NaN;
    if (g.result.declaredSets !== g.setCount) g.result.codes.push('5');
    // Rejected (AK9 R) for want of sets, which no AK9 code names: the report says so.
    if (g.setCount === 0) {
      const control = /^\d{1,9}$/.test(g.result.control) ? ` ${g.result.control}` : '';
      this.addProblem({ kind: 'empty-group', message: `Functional group${control} holds no transaction set`, fileOffset: seg.fileOffset });
    }
    if (seg.element(2) !== g.result.control) g.result.codes.push('4');
    this.group = null;
  }

  private closeGroup(fileOffset: number): void {
    const g = this.group;
    if (!g) return;
    this.closeSet(fileOffset, true);
    g.result.codes.push('3');
    this.group = null;
  }

  // ---------------------------------------------------------------- transaction set

  private onSt(seg: Segment): void {
    const g = this.group;
    if (!g) {
      this.note('022');
      this.addProblem({ kind: 'stray-segment', message: 'Transaction set (ST) outside a functional group', fileOffset: seg.fileOffset });
      return;
    }
    this.closeSet(seg.fileOffset, true);
    g.setCount++;
    const id = seg.element(1);
    const control = seg.element(2);
    const st03 = seg.element(3);
    const convention = st03 || g.result.version;
    const codes: Ik5Code[] = [];
    if (!/^\d{3}$/.test(id)) codes.push('6');
    if (!/^[ -~]{4,9}$/.test(control)) codes.push('7');
    else if (g.setControls.has(control)) codes.push('23');
    g.setControls.add(control);
    // A set AK201 cannot name gets no valid 999: the TA1 rejects the interchange instead.
    if (g.result.acknowledge && !setEchoable(id, this.delimiterText)) this.note('024', true);
    let guide: CompiledGuide | undefined;
    // A set in a group we cannot process is not accepted: the group's code says why.
    if (!g.supported) codes.push(g.result.codes.includes('2') ? 'I6' : '1');
    else if (!codes.includes('6')) {
      // Whatever else is wrong with its envelope (ST02, a duplicate, ST03), a set whose
      // guide is known is checked against it, so every error is reported in one round.
      const fid = g.result.functionalId;
      if (!this.registry.supportsSet(fid, id)) codes.push('1');
      else if (st03 && st03 !== g.result.version && !this.registry.find(fid, id, st03)) {
        codes.push('19');
        // ST03 names no guide we know: the group's version (GS08) still does.
        guide = this.registry.find(fid, id, g.result.version);
      } else {
        guide = this.registry.find(fid, id, convention);
        if (!guide) codes.push('I6');
      }
    }
    const result: SetResult = {
      id,
      control,
      convention,
      status: 'A',
      codes,
      errors: [],
      errorsTruncated: false,
      segmentCount: 1,
      fileOffset: seg.fileOffset,
      guide: guide?.name,
    };
    const validator = guide ? (this.options.setChecker ?? inlineChecker)(guide, result, this.options.maxErrorsPerSet) : null;
    validator?.begin(seg);
    g.result.sets.push(result);
    this.set = { result, validator, position: 1 };
    this.skimming = validator === null || validator.remote === true;
  }

  private onSe(seg: Segment): void {
    const s = this.set;
    if (!s) {
      this.note('022');
      this.addProblem({ kind: 'stray-segment', message: 'SE without a transaction set header', fileOffset: seg.fileOffset });
      return;
    }
    s.position++;
    s.validator?.segment(seg, s.position);
    const count = seg.element(1);
    if (!/^\d{1,10}$/.test(count) || Number(count) !== s.position) s.result.codes.push('4');
    if (seg.element(2) !== s.result.control) s.result.codes.push('3');
    // Past SE's terminator (and an LF after a CR, where the newline is the terminator).
    this.closeSet(seg.fileOffset + (seg.end - seg.start) + 2, false);
  }

  private onOther(seg: Segment): void {
    const s = this.set;
    if (s) {
      s.position++;
      s.validator?.segment(seg, s.position);
      return;
    }
    // A TA1 stands between ISA and IEA on its own: an interchange acknowledgment.
    if (seg.id === 'TA1' && this.ic && !this.group) return;
    // It may be part of a set whose ST was garbled: nothing here may be taken as answered.
    this.note('024', true);
    this.addProblem({ kind: 'stray-segment', message: `Segment ${seg.id.slice(0, 3)} outside any transaction set`, fileOffset: seg.fileOffset });
  }

  /** Ends the open set, whose bytes end before `end`; `missingTrailer` when SE never came. */
  private closeSet(end: number, missingTrailer: boolean): void {
    const s = this.set;
    if (!s) return;
    if (missingTrailer) s.result.codes.push('2');
    s.result.segmentCount = s.position;
    const checker = s.validator;
    if (checker) {
      checker.finish(s.position, end);
      // An inline checker is done now; a remote one fills these in when its worker answers.
      s.result.errors = checker.errors;
      s.result.errorsTruncated = checker.truncated;
    }
    this.set = null;
    this.skimming = false;
  }
}

/** Only guide-level (I-coded) findings: the set breaks the implementation guide, not X12 syntax. */
function onlyImplementationErrors(r: SetResult): boolean {
  return r.errors.every((e) => (e.code === '8' ? e.elements.every((x) => x.code.startsWith('I')) : e.code.startsWith('I')));
}

/**
 * ISA fields at their fixed offsets, for an ISA whose separators are unusable, when the
 * header is laid out as an ISA (one byte at all 16 separator offsets); bytes outside
 * printable ASCII become "?". Otherwise nothing is taken from it.
 */
function fixedIsaFields(h: Uint8Array): Partial<InterchangeResult> {
  if (h.length < 106) return {};
  const sep = h[3];
  if (![3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103].every((o) => h[o] === sep)) return {};
  const at = (from: number, to: number) => String.fromCharCode(...h.subarray(from, to).map((b) => (b >= 0x20 && b <= 0x7e ? b : 0x3f)));
  return {
    senderQualifier: at(32, 34),
    sender: at(35, 50),
    receiverQualifier: at(51, 53),
    receiver: at(54, 69),
    date: at(70, 76),
    time: at(77, 81),
    version: at(84, 89),
    control: at(90, 99),
    usage: at(102, 103),
  };
}

function finishGroup(g: GroupResult): void {
  const accepted = g.sets.filter((s) => s.status !== 'R').length;
  if (g.codes.length > 0 || accepted === 0) g.status = 'R';
  else if (accepted < g.sets.length) g.status = 'P';
  else g.status = g.sets.some((s) => s.status === 'E') ? 'E' : 'A';
}

function finishInterchange(r: InterchangeResult, notes: Ta105[], mayLoseData = false): void {
  const unique = [...new Set(notes)];
  const first = unique[0];
  r.note = first ?? '000';
  r.otherNotes = unique.slice(1);
  r.status = !first ? 'A' : !mayLoseData && unique.every((n) => NON_FATAL.has(n)) ? 'E' : 'R';
  r.sendTa1 = r.status !== 'A' || r.ackRequested;
}

/**
 * Verdicts, once every set's findings are in: IK5 per set, AK9 per group, and a rejected
 * interchange rejects its groups (it is not processed).
 */
export function settle(interchanges: readonly InterchangeResult[]): void {
  for (const ic of interchanges) {
    for (const g of ic.groups) {
      for (const r of g.sets) {
        if (r.errors.length > 0 && !r.codes.includes('5') && !r.codes.includes('I5')) r.codes.push(onlyImplementationErrors(r) ? 'I5' : '5');
        r.status = r.codes.length > 0 ? 'R' : 'A';
      }
      finishGroup(g);
      if (ic.status === 'R') g.status = 'R';
    }
  }
}

function blankInterchange(fileOffset: number): InterchangeResult {
  return {
    control: '000000000',
    senderQualifier: '',
    sender: '',
    receiverQualifier: '',
    receiver: '',
    date: '',
    time: '',
    version: '',
    usage: 'P',
    ackRequested: false,
    status: 'R',
    note: '022',
    otherNotes: [],
    sendTa1: true,
    groups: [],
    fileOffset,
  };
}
