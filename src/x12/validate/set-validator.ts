/**
 * Validates one transaction set against its guide as the segments stream past:
 * places each segment in the loop tree (IK304 codes for what does not fit) and checks
 * its elements (IK403 codes). Keeps only the open loops and the errors found.
 */
import type { Ik304, Ik403 } from '../codes.js';
import type { ElementError, SegmentError } from '../report.js';
import type { CompiledElement, CompiledGuide, CompiledLoop, CompiledNode, CompiledSegment } from '../schema/compiled.js';
import type { Segment } from '../tokenize/segment.js';
import { latin1 } from '../tokenize/segment.js';
import { checkDateTimePeriod, checkValue } from './values.js';

class Frame {
  loop!: CompiledLoop;
  /** Child most recently matched; 0 is the trigger. */
  index = 0;
  counts = new Int32Array(8);

  reset(loop: CompiledLoop): void {
    this.loop = loop;
    this.index = 0;
    if (this.counts.length < loop.children.length) this.counts = new Int32Array(loop.children.length);
    else this.counts.fill(0, 0, loop.children.length);
    this.counts[0] = 1;
  }
}

const SEGMENT_ID = /^[A-Z][A-Z0-9]{1,2}$/;

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
  private readonly codes: Ik403[] = [];

  constructor(private readonly guide: CompiledGuide, options: SetValidatorOptions = {}) {
    this.maxErrors = options.maxErrors ?? 1000;
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
    if (this.place(seg, position, true)) return;
    if (this.place(seg, position, false)) return;
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
   * current child on. With `exact`, shared IDs must carry their own qualifier; the
   * second pass takes the ID alone so a bad qualifier is reported on the element.
   */
  private place(seg: Segment, position: number, exact: boolean): boolean {
    const key = seg.key;
    // Without the qualifier, prefer a place with room left over one already full.
    let fullD = -1;
    let fullJ = -1;
    for (let d = this.depth; d >= 0; d--) {
      const f = this.frames[d] as Frame;
      const ch = f.loop.children;
      // Child 0 is the frame's own trigger: meeting it again starts a new loop, found in the parent.
      for (let j = Math.max(1, f.loop.groupStart[f.index] as number); j < ch.length; j++) {
        const c = ch[j] as CompiledNode;
        const s = c.kind === 'segment' ? c : c.trigger;
        if (s.key !== key || (exact && !qualifies(s, seg))) continue;
        if (!exact && (f.counts[j] as number) >= (c.kind === 'segment' ? c.maxUse : c.repeat)) {
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

  private placeAt(d: number, j: number, seg: Segment, position: number): void {
    while (this.depth > d) this.pop(position);
    const f = this.frames[d] as Frame;
    const c = f.loop.children[j] as CompiledNode;
    this.advance(f, j, position);
    if (c.kind === 'segment') this.useSegment(f, j, c, seg, position);
    else this.enterLoop(f, j, c, seg, position);
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
    if (loop.usage === 'N' || loop.trigger.usage === 'N') this.addSegmentError(seg, position, loop.reportId, 'I4', loop.trigger);
    else if (n > loop.repeat) this.addSegmentError(seg, position, loop.reportId, '4', loop.trigger);
    else this.checkElements(seg, loop.trigger, loop.reportId, position);
  }

  private pop(position: number): void {
    const f = this.frames[this.depth] as Frame;
    this.checkMissing(f, f.loop.groupStart[f.index] as number, f.loop.children.length, position);
    this.depth--;
  }

  /** Required children in [from, to) never seen: IK304 3. */
  private checkMissing(f: Frame, from: number, to: number, position: number): void {
    const ch = f.loop.children;
    for (let k = from; k < to; k++) {
      const c = ch[k] as CompiledNode;
      if (c.usage !== 'R' || f.counts[k] !== 0) continue;
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
    this.addSegmentError(seg, position, f.loop.reportId, code, undefined);
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
    this.errors.push(e);
  }

  // ---------------------------------------------------------------- elements

  private checkElements(seg: Segment, node: CompiledSegment, loopId: string, position: number): void {
    let found: ElementError[] | null = null;
    const add = (e: ElementError) => (found ??= []).push(e);
    const last = Math.max(seg.count, node.maxPosition);
    const rep = seg.delimiters.repetition;
    const comp = seg.delimiters.component;
    for (let i = 1; i <= last; i++) {
      const s = seg.rangeStart(i);
      const e = seg.rangeEnd(i);
      const def = node.byPosition[i];
      if (!def) {
        if (e > s) add({ position: i, code: '3', value: latin1(seg.buf, s, e) });
        continue;
      }
      if (e === s) {
        if (def.usage === 'R') add({ position: i, ref: def.ref, code: '1', name: def.name });
        continue;
      }
      if (def.usage === 'N') {
        add({ position: i, ref: def.ref, code: 'I10', name: def.name, value: latin1(seg.buf, s, e) });
        continue;
      }
      // Repetitions: only split where the element may repeat or a separator is present.
      let r = 1;
      let rs = s;
      for (;;) {
        let re = e;
        if (rep >= 0) {
          const k = indexOf(seg.buf, rep, rs, e);
          if (k >= 0) re = k;
        }
        if (r > def.repeat) {
          add({ position: i, repetition: r, ref: def.ref, code: '12', name: def.name });
          break;
        }
        this.checkOne(seg.buf, rs, re, def, i, def.repeat > 1 ? r : undefined, comp, add);
        if (re >= e) break;
        rs = re + 1;
        r++;
      }
    }
    this.checkSyntax(seg, node, add);
    this.checkDateFormats(seg, node, add);
    if (found) this.push({ segmentId: seg.id, position, loopId: loopId || undefined, code: '8', elements: found, name: node.name, fileOffset: seg.fileOffset });
  }

  private checkOne(
    buf: Uint8Array, s: number, e: number, def: CompiledElement, position: number,
    repetition: number | undefined, comp: number, add: (e: ElementError) => void,
  ): void {
    if (!def.components) {
      this.valueErrors(buf, s, e, def, comp, (code) => add({ position, repetition, ref: def.ref, code, value: latin1(buf, s, e), name: def.name }));
      return;
    }
    const parts = def.components;
    let c = 1;
    let cs = s;
    for (;;) {
      const k = indexOf(buf, comp, cs, e);
      const ce = k >= 0 ? k : e;
      const cdef = parts[c - 1];
      const at = { position, component: c, repetition };
      if (!cdef) {
        if (ce > cs) add({ ...at, ref: def.ref, code: '13', value: latin1(buf, cs, ce), name: def.name });
      } else if (ce === cs) {
        if (cdef.usage === 'R') add({ ...at, ref: cdef.ref, code: '1', name: cdef.name });
      } else if (cdef.usage === 'N') {
        add({ ...at, ref: cdef.ref, code: 'I10', value: latin1(buf, cs, ce), name: cdef.name });
      } else {
        this.valueErrors(buf, cs, ce, cdef, comp, (code) => add({ ...at, ref: cdef.ref, code, value: latin1(buf, cs, ce), name: cdef.name }));
      }
      if (k < 0) break;
      cs = k + 1;
      c++;
    }
    // Required components after the last one sent.
    for (let m = c; m < parts.length; m++) {
      const cdef = parts[m] as CompiledElement;
      if (cdef.usage === 'R') add({ position, component: m + 1, repetition, ref: cdef.ref, code: '1', name: cdef.name });
    }
  }

  private valueErrors(buf: Uint8Array, s: number, e: number, def: CompiledElement, comp: number, report: (code: Ik403) => void): void {
    const codes = this.codes;
    codes.length = 0;
    checkValue(def, buf, s, e, comp, codes);
    for (const code of codes) report(code);
  }

  /** X12 syntax notes: P paired, R at least one, C conditional, E exclusive, L list conditional. */
  private checkSyntax(seg: Segment, node: CompiledSegment, add: (e: ElementError) => void): void {
    for (const rule of node.syntax) {
      const p = rule.positions;
      const first = p[0] as number;
      const missing = (pos: number) => add({ position: pos, ref: node.byPosition[pos]?.ref, code: '2', name: node.byPosition[pos]?.name });
      switch (rule.kind) {
        case 'P':
          if (p.some((x) => seg.has(x))) for (const x of p) if (!seg.has(x)) missing(x);
          break;
        case 'R':
          if (!p.some((x) => seg.has(x))) missing(first);
          break;
        case 'C':
          if (seg.has(first)) for (const x of p.slice(1)) if (!seg.has(x)) missing(x);
          break;
        case 'L':
          if (seg.has(first) && !p.slice(1).some((x) => seg.has(x))) missing(p[1] as number);
          break;
        case 'E': {
          const present = p.filter((x) => seg.has(x));
          for (const x of present.slice(1)) add({ position: x, ref: node.byPosition[x]?.ref, code: '10', name: node.byPosition[x]?.name });
          break;
        }
        default: {
          const never: never = rule.kind;
          throw new Error(`unknown syntax note ${String(never)}`);
        }
      }
    }
  }

  /** A date-time period (1251) must be written as its format qualifier (1250) says. */
  private checkDateFormats(seg: Segment, node: CompiledSegment, add: (e: ElementError) => void): void {
    const els = node.elements;
    for (let k = 0; k + 1 < els.length; k++) {
      const f = els[k] as CompiledElement;
      const v = els[k + 1] as CompiledElement;
      if (f.ref !== '1250' || v.ref !== '1251' || !seg.has(f.pos) || !seg.has(v.pos)) continue;
      const s = seg.rangeStart(v.pos);
      const e = seg.rangeEnd(v.pos);
      if (!checkDateTimePeriod(seg.element(f.pos), seg.buf, s, e)) {
        add({ position: v.pos, ref: v.ref, code: '8', value: latin1(seg.buf, s, e), name: v.name });
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
