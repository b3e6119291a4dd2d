/**
 * Validates one transaction set against its guide as the segments stream past:
 * places each segment in the loop tree (IK304 codes for what does not fit) and checks
 * its elements (IK403 codes). Keeps only the open loops and the errors found.
 */
import type { Ik304, Ik403 } from '../codes.js';
import type { ElementError, SegmentError, SituationalTrigger } from '../report.js';
import type { CompiledBusinessUnit, CompiledElement, CompiledGuide, CompiledLoop, CompiledNode, CompiledSegment } from '../schema/compiled.js';
import type { Segment } from '../tokenize/segment.js';
import { latin1, packBytes } from '../tokenize/segment.js';
import { hexBytes } from '../tokenize/tokenizer.js';
import { checkDateTimePeriod, checkValue, maskCodes } from './values.js';

class Frame {
  loop!: CompiledLoop;
  /** Child most recently matched; 0 is the trigger. */
  index = 0;
  counts = new Int32Array(8);

  reset(loop: CompiledLoop): void {
    this.loop = loop;
    this.index = 0;
    const n = loop.children.length;
    if (this.counts.length < n) this.counts = new Int32Array(n);
    else {
      // A plain loop beats a call to fill() for the few dozen children a loop has.
      const counts = this.counts;
      for (let k = 1; k < n; k++) counts[k] = 0;
    }
    this.counts[0] = 1;
  }
}

const SEGMENT_ID = /^[A-Z][A-Z0-9]{1,2}$/;
/** Invisible bytes named at most, before "…". */
const MAX_NAMED_BYTES = 8;

/** The segment's leading run of bytes outside printable ASCII, as hex ("E2 80 8B"), or ''. */
function invisibleLead(seg: Segment): string {
  const b = seg.buf;
  let i = seg.start;
  while (i < seg.end && ((b[i] as number) <= 0x20 || (b[i] as number) > 0x7e)) i++;
  if (i === seg.start) return '';
  const shown = Math.min(i, seg.start + MAX_NAMED_BYTES);
  return hexBytes(b, seg.start, shown) + (shown < i ? ' …' : '');
}
const UNSEEN = -2;

export interface SetValidatorOptions {
  /** Keep at most this many segment errors per set (memory stays bounded on garbage). */
  maxErrors?: number;
}

export class SetValidator {
  readonly errors: SegmentError[] = [];
  truncated = false;
  private readonly frames: Frame[] = [];
  private depth = 0;
  private readonly maxErrors: number;

  constructor(private readonly guide: CompiledGuide, options: SetValidatorOptions = {}) {
    this.maxErrors = options.maxErrors ?? 1000;
    this.unit = guide.businessUnit;
    const root = new Frame();
    root.reset(guide.root);
    this.frames.push(root);
  }

  /** The ST segment, position 1. */
  begin(st: Segment): void {
    this.checkElements(st, this.guide.root.trigger, '', 1);
  }

  /** Every segment after ST, SE included. */
  segment(seg: Segment, position: number): void {
    const id = this.guideIndex(seg);
    if (id >= 0 && (this.placeExact(seg, id, position) || this.placeLoose(seg, id, position))) return;
    this.unplaced(seg, position);
  }

  /** Closes every open loop; `position` is that of the last segment seen (SE). */
  finish(position: number): void {
    while (this.depth > 0) this.pop(position);
    const root = this.frames[0] as Frame;
    // SE is the root's last child; anything required before it and unseen is missing.
    this.checkMissing(root, root.loop.groupStart[root.index] as number, root.loop.children.length - 1, position);
  }

  /**
   * Finds where the segment fits: the open loops from innermost out, each from its
   * current child on; segments that share an ID must carry their own qualifier.
   */
  private placeExact(seg: Segment, id: number, position: number): boolean {
    for (let d = this.depth; d >= 0; d--) {
      const f = this.frames[d] as Frame;
      const loop = f.loop;
      const candidates = loop.bySegment[id];
      if (candidates === undefined) continue;
      // Child 0 is the frame's own trigger: meeting it again starts a new loop, found in the parent.
      const g = loop.groupStart[f.index] as number;
      const from = g > 1 ? g : 1;
      for (let q = 0; q < candidates.length; q++) {
        const j = candidates[q] as number;
        if (j < from) continue;
        const head = loop.heads[j] as CompiledSegment;
        if (head.qualifierPos !== 0 && !qualifies(head, seg)) continue;
        this.placeAt(d, j, seg, position);
        return true;
      }
    }
    return false;
  }

  /**
   * No qualifier fits: place by the ID alone, preferring a place with room left over one
   * already full, so the bad qualifier is reported on its element (IK4 7).
   */
  private placeLoose(seg: Segment, id: number, position: number): boolean {
    let fullD = -1;
    let fullJ = -1;
    for (let d = this.depth; d >= 0; d--) {
      const f = this.frames[d] as Frame;
      const loop = f.loop;
      const candidates = loop.bySegment[id];
      if (candidates === undefined) continue;
      const from = Math.max(1, loop.groupStart[f.index] as number);
      for (let q = 0; q < candidates.length; q++) {
        const j = candidates[q] as number;
        if (j < from) continue;
        const c = loop.children[j] as CompiledNode;
        if ((f.counts[j] as number) >= (c.kind === 'segment' ? c.maxUse : c.repeat)) {
          if (fullD < 0) [fullD, fullJ] = [d, j];
          continue;
        }
        this.placeAt(d, j, seg, position);
        return true;
      }
    }
    if (fullD < 0) return false;
    this.placeAt(fullD, fullJ, seg, position);
    return true;
  }

  /** The guide's index of the segment's ID (-1 when not in the guide), cached by Segment.idNo. */
  private guideIndex(seg: Segment): number {
    const no = seg.idNo;
    if (no < 0) return this.guide.idIndex.get(seg.key) ?? -1;
    let map = this.idMap;
    if (no >= map.length) {
      const grown = new Int32Array(Math.max(64, no * 2)).fill(UNSEEN);
      grown.set(map);
      map = this.idMap = grown;
    }
    let v = map[no] as number;
    if (v === UNSEEN) v = map[no] = this.guide.idIndex.get(seg.key) ?? -1;
    return v;
  }

  private idMap = new Int32Array(0);

  private placeAt(d: number, j: number, seg: Segment, position: number): void {
    while (this.depth > d) this.pop(position);
    const f = this.frames[d] as Frame;
    const c = f.loop.children[j] as CompiledNode;
    this.advance(f, j, position);
    if (c.kind === 'segment') this.useSegment(f, j, c, seg, position);
    else this.enterLoop(f, j, c, seg, position);
    if (this.unitDepth > 0 && this.unitValue === undefined && seg.key === this.unit?.key) this.identifyUnit(seg);
  }

  // ---------------------------------------------------------------- business unit (CTX)

  private readonly unit: CompiledBusinessUnit | undefined;
  /** Depth of the open business-unit loop; -1 outside one. */
  private unitDepth = -1;
  private unitStart = 0;
  private unitValue: string | undefined;

  private startUnit(loop: CompiledLoop): void {
    if (!loop.businessUnit) return;
    this.unitDepth = this.depth;
    this.unitStart = this.errors.length;
    this.unitValue = undefined;
  }

  /** The unit's identifier is read; errors found in the unit before it get it too. */
  private identifyUnit(seg: Segment): void {
    const unit = this.unit;
    if (!unit || (unit.qualifier !== undefined && seg.element(1) !== unit.qualifier)) return;
    const value = seg.element(unit.element);
    if (!value) return;
    this.unitValue = value;
    for (let k = this.unitStart; k < this.errors.length; k++) (this.errors[k] as SegmentError).businessUnit = { name: unit.name, value };
  }

  private advance(f: Frame, j: number, position: number): void {
    const gs = f.loop.groupStart;
    const from = gs[f.index] as number;
    const to = gs[j] as number;
    if (to > from) this.checkMissing(f, from, to, position);
    f.index = j;
  }

  private useSegment(f: Frame, j: number, node: CompiledSegment, seg: Segment, position: number): void {
    const n = ++f.counts[j]!;
    const loopId = f.loop.reportId;
    if (node.usage === 'N') this.addSegmentError(seg, position, loopId, 'I4', node);
    else if (n > node.maxUse) this.addSegmentError(seg, position, loopId, '5', node);
    else this.checkElements(seg, node, loopId, position);
  }

  private enterLoop(f: Frame, j: number, loop: CompiledLoop, seg: Segment, position: number): void {
    const n = ++f.counts[j]!;
    this.depth++;
    let frame = this.frames[this.depth];
    if (!frame) {
      frame = new Frame();
      this.frames.push(frame);
    }
    frame.reset(loop);
    this.startUnit(loop);
    if (loop.usage === 'N' || loop.trigger.usage === 'N') this.addSegmentError(seg, position, loop.reportId, 'I4', loop.trigger);
    else if (n > loop.repeat) this.addSegmentError(seg, position, loop.reportId, '4', loop.trigger);
    else this.checkElements(seg, loop.trigger, loop.reportId, position);
  }

  private pop(position: number): void {
    const f = this.frames[this.depth] as Frame;
    this.checkMissing(f, f.loop.groupStart[f.index] as number, f.loop.children.length, position);
    if (this.depth === this.unitDepth) this.unitDepth = -1;
    this.depth--;
  }

  /** Required children in [from, to) never seen: IK304 3. */
  private checkMissing(f: Frame, from: number, to: number, position: number): void {
    const req = f.loop.required;
    for (let r = 0; r < req.length; r++) {
      const k = req[r] as number;
      if (k < from) continue;
      if (k >= to) break;
      if (f.counts[k] !== 0) continue;
      const c = f.loop.children[k] as CompiledNode;
      const s = c.kind === 'segment' ? c : c.trigger;
      this.push({
        segmentId: s.id,
        position,
        loopId: c.kind === 'loop' ? c.reportId : f.loop.reportId || undefined,
        code: '3',
        elements: [],
        name: c.kind === 'loop' ? `${c.name} (loop ${c.id})` : s.name,
        fileOffset: -1,
      });
    }
  }

  private unplaced(seg: Segment, position: number): void {
    const f = this.frames[this.depth] as Frame;
    let code: Ik304;
    if (!SEGMENT_ID.test(seg.id)) code = '1';
    else if (!this.guide.segmentIds.has(seg.id)) code = '6';
    else code = this.earlierInLoop(f, seg) ? '7' : '2';
    // Invisible bytes before it are named by their bytes (never printable ones: they may be PHI).
    const lead = code === '1' ? invisibleLead(seg) : '';
    const name = lead ? `segment starting with invisible bytes ${lead}` : undefined;
    this.push({ segmentId: seg.id, position, loopId: f.loop.reportId || undefined, code, elements: [], name, fileOffset: seg.fileOffset });
  }

  /** Whether the segment belongs to the current loop, but before where we are. */
  private earlierInLoop(f: Frame, seg: Segment): boolean {
    const key = seg.key;
    const ch = f.loop.children;
    for (let j = 0; j < (f.loop.groupStart[f.index] as number); j++) {
      const c = ch[j] as CompiledNode;
      if ((c.kind === 'segment' ? c : c.trigger).key === key) return true;
    }
    return false;
  }

  private addSegmentError(seg: Segment, position: number, loopId: string, code: Ik304, node: CompiledSegment | undefined): void {
    this.push({ segmentId: seg.id, position, loopId: loopId || undefined, code, elements: [], name: node?.name, fileOffset: seg.fileOffset });
  }

  private push(e: SegmentError): void {
    if (this.errors.length >= this.maxErrors) {
      this.truncated = true;
      return;
    }
    if (this.unitDepth > 0 && this.unitValue !== undefined && this.unit) e.businessUnit = { name: this.unit.name, value: this.unitValue };
    this.errors.push(e);
  }

  // ---------------------------------------------------------------- elements

  /** Element errors of the segment being checked; null while there are none. */
  private found: ElementError[] | null = null;

  private addElement(e: ElementError): void {
    (this.found ??= []).push(e);
  }

  /** Checks the segment's elements; the common valid case allocates nothing. */
  private checkElements(seg: Segment, node: CompiledSegment, loopId: string, position: number): void {
    this.found = null;
    const buf = seg.buf;
    const starts = seg.starts;
    const count = seg.count;
    const byPosition = node.byPosition;
    const comp = seg.delimiters.component;
    const rep = seg.delimiters.repetition;
    // Past the last element sent, only a required one can be at fault.
    const last = count > node.lastRequired ? count : node.lastRequired;
    let present = 0;
    for (let i = 1; i <= last; i++) {
      let s = seg.end;
      let e = seg.end;
      if (i <= count) {
        s = starts[i] as number;
        e = (starts[i + 1] as number) - 1;
        if (e > s && i <= 30) present |= 1 << i;
      }
      const def = byPosition[i];
      if (def === undefined) {
        if (e > s) this.addElement({ position: i, code: '3', value: latin1(buf, s, e) });
        continue;
      }
      if (e === s) {
        if (def.usage === 'R') this.addElement({ position: i, ref: def.ref, code: '1', name: def.name });
        continue;
      }
      if (def.usage === 'N') {
        this.addElement({ position: i, ref: def.ref, code: 'I10', name: def.name, value: latin1(buf, s, e) });
        continue;
      }
      if (def.components === null && def.repeat === 1) {
        const mask = checkValue(def, buf, s, e, comp, rep, seg.special);
        if (mask !== 0) this.addMask(mask, def, buf, s, e, i, undefined, undefined);
        continue;
      }
      this.checkRepeating(buf, s, e, def, i, comp, rep, seg.special);
    }
    if (node.syntax.length > 0) this.checkSyntax(present, node, seg);
    if (node.dateFormats.length > 0) this.checkDateFormats(seg, node);
    if (node.rules.length > 0) this.checkRules(seg, node, present, loopId, position);
    if (this.found !== null) {
      this.push({ segmentId: seg.id, position, loopId: loopId || undefined, code: '8', elements: this.found, name: node.name, fileOffset: seg.fileOffset });
      this.found = null;
    }
  }

  private addMask(mask: number, def: CompiledElement, buf: Uint8Array, s: number, e: number,
    position: number, component: number | undefined, repetition: number | undefined): void {
    const value = latin1(buf, s, e);
    for (const code of maskCodes(mask)) this.addElement({ position, component, repetition, ref: def.ref, code, value, name: def.name });
  }

  /** Elements that may repeat or are composites: split, then check each part. */
  private checkRepeating(buf: Uint8Array, s: number, e: number, def: CompiledElement, position: number, comp: number, rep: number, scan: boolean): void {
    let r = 1;
    let rs = s;
    for (;;) {
      let re = e;
      if (rep >= 0) {
        const k = indexOf(buf, rep, rs, e);
        if (k >= 0) re = k;
      }
      if (r > def.repeat) {
        this.addElement({ position, repetition: r, ref: def.ref, code: '12', name: def.name, value: latin1(buf, rs, re) });
        return;
      }
      const repetition = def.repeat > 1 ? r : undefined;
      if (def.components === null) {
        const mask = checkValue(def, buf, rs, re, comp, -1, scan);
        if (mask !== 0) this.addMask(mask, def, buf, rs, re, position, undefined, repetition);
      } else this.checkComposite(buf, rs, re, def, def.components, position, repetition, comp, scan);
      if (re >= e) return;
      rs = re + 1;
      r++;
    }
  }

  private checkComposite(buf: Uint8Array, s: number, e: number, def: CompiledElement, parts: CompiledElement[],
    position: number, repetition: number | undefined, comp: number, scan: boolean): void {
    let c = 1;
    let cs = s;
    for (;;) {
      const k = indexOf(buf, comp, cs, e);
      const ce = k >= 0 ? k : e;
      const cdef = parts[c - 1];
      if (!cdef) {
        if (ce > cs) this.addElement({ position, component: c, repetition, ref: def.ref, code: '13', value: latin1(buf, cs, ce), name: def.name });
      } else if (ce === cs) {
        if (cdef.usage === 'R') this.addElement({ position, component: c, repetition, ref: cdef.ref, code: '1', name: cdef.name });
      } else if (cdef.usage === 'N') {
        this.addElement({ position, component: c, repetition, ref: cdef.ref, code: 'I10', value: latin1(buf, cs, ce), name: cdef.name });
      } else {
        const mask = checkValue(cdef, buf, cs, ce, -1, -1, scan);
        if (mask !== 0) this.addMask(mask, cdef, buf, cs, ce, position, c, repetition);
      }
      if (k < 0) break;
      cs = k + 1;
      c++;
    }
    // Required components after the last one sent.
    for (let m = c; m < parts.length; m++) {
      const cdef = parts[m] as CompiledElement;
      if (cdef.usage === 'R') this.addElement({ position, component: m + 1, repetition, ref: cdef.ref, code: '1', name: cdef.name });
    }
  }

  /** X12 syntax notes, tested on the segment's presence bits: P paired, R at least one, C conditional, E exclusive, L list conditional. */
  private checkSyntax(present: number, node: CompiledSegment, seg: Segment): void {
    for (const rule of node.syntax) {
      const have = present & rule.mask;
      switch (rule.kind) {
        case 'P':
          if (have !== 0 && have !== rule.mask) this.syntaxErrors(node, rule.mask & ~have, '2');
          break;
        case 'R':
          if (have === 0) this.syntaxError(node, rule.positions[0] as number, '2');
          break;
        case 'C':
          if (have & rule.first) this.syntaxErrors(node, rule.mask & ~have, '2');
          break;
        case 'L':
          if (have === rule.first) this.syntaxError(node, rule.positions[1] as number, '2');
          break;
        case 'E':
          // Every present element after the first one violates the exclusion.
          if ((have & (have - 1)) !== 0) this.syntaxErrors(node, have & (have - 1), '10', seg);
          break;
        default: {
          const never: never = rule.kind;
          throw new Error(`unknown syntax note ${String(never)}`);
        }
      }
    }
  }

  /** `seg` given: the elements are present, and their data is copied (IK404). */
  private syntaxErrors(node: CompiledSegment, bits: number, code: Ik403, seg?: Segment): void {
    for (let p = 1; p <= 30; p++) if (bits & (1 << p)) this.syntaxError(node, p, code, seg?.element(p));
  }

  private syntaxError(node: CompiledSegment, position: number, code: Ik403, value?: string): void {
    const def = node.byPosition[position];
    this.addElement({ position, ref: def?.ref, code, name: def?.name, value });
  }

  /** The guide's situational rules on this segment (I9, I13, I6 with a CTX trigger). */
  private checkRules(seg: Segment, node: CompiledSegment, present: number, loopId: string, position: number): void {
    for (const rule of node.rules) {
      const bit = 1 << rule.pos;
      const s = seg.rangeStart(rule.pos);
      const e = seg.rangeEnd(rule.pos);
      const applies = (present & bit) === 0 ? rule.absent : rule.values !== null && rule.values.hasBytes(seg.buf, s, e);
      const effect = applies ? rule.then : rule.otherwise;
      if (!effect) continue;
      const missing = effect.required & ~present;
      const extra = effect.notUsed & present;
      const codes = effect.codes;
      const badCode = codes !== null && seg.has(codes.pos) &&
        !codes.set.hasBytes(seg.buf, seg.rangeStart(codes.pos), seg.rangeEnd(codes.pos));
      if (missing === 0 && extra === 0 && !badCode) continue;
      const trigger: SituationalTrigger = { segmentId: seg.id, position, loopId: loopId || undefined, element: rule.pos, ref: node.byPosition[rule.pos]?.ref };
      const add = (pos: number, code: Ik403, value?: string) => {
        const def = node.byPosition[pos];
        this.addElement({ position: pos, ref: def?.ref, code, value, name: def?.name, trigger, rule: rule.note });
      };
      for (let p = 1; p <= 30; p++) {
        if (missing & (1 << p)) add(p, 'I9');
        if (extra & (1 << p)) add(p, 'I13', seg.element(p));
      }
      if (badCode && codes) add(codes.pos, 'I6', seg.element(codes.pos));
    }
  }

  /** A date-time period (1251) must be written as its format qualifier (1250) says. */
  private checkDateFormats(seg: Segment, node: CompiledSegment): void {
    const pairs = node.dateFormats;
    for (let k = 0; k < pairs.length; k += 2) {
      const fmt = pairs[k] as number;
      const val = pairs[k + 1] as number;
      if (!seg.has(fmt) || !seg.has(val)) continue;
      const s = seg.rangeStart(val);
      const e = seg.rangeEnd(val);
      if (!checkDateTimePeriod(packBytes(seg.buf, seg.rangeStart(fmt), seg.rangeEnd(fmt)), seg.buf, s, e)) {
        const def = node.byPosition[val];
        this.addElement({ position: val, ref: def?.ref, code: '8', value: latin1(seg.buf, s, e), name: def?.name });
      }
    }
  }
}

function qualifies(node: CompiledSegment, seg: Segment): boolean {
  if (node.qualifierPos === 0 || !node.qualifierCodes) return true;
  const s = seg.rangeStart(node.qualifierPos);
  let e = seg.rangeEnd(node.qualifierPos);
  if (node.byPosition[node.qualifierPos]?.components) {
    const k = indexOf(seg.buf, seg.delimiters.component, s, e);
    if (k >= 0) e = k;
  }
  return node.qualifierCodes.hasBytes(seg.buf, s, e);
}

function indexOf(buf: Uint8Array, b: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (buf[i] === b) return i;
  return -1;
}
