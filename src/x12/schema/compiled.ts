/**
 * Guides compiled for the hot path: segment IDs and short codes become numbers
 * (packBytes), so matching and code checks make no strings.
 */
import type { DataType, Usage } from './definition.js';
import { packBytes, packString } from '../tokenize/segment.js';

/**
 * A code list. Codes of up to three bytes live in an open-addressed table of packed keys
 * (small integers), probed without a call into the runtime; longer ones in a Set.
 */
export class CodeSet {
  private readonly table: Int32Array;
  private readonly mask: number;
  private readonly long = new Set<string>();
  readonly size: number;

  constructor(codes: Iterable<string>) {
    const packed: number[] = [];
    let n = 0;
    for (const c of codes) {
      const k = packString(c);
      if (k >= 0) packed.push(k);
      else this.long.add(c);
      n++;
    }
    this.size = n;
    let cap = 8;
    while (cap < packed.length * 2) cap *= 2;
    this.table = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    for (const k of packed) {
      let h = slot(k, this.mask);
      while (this.table[h] !== -1 && this.table[h] !== k) h = (h + 1) & this.mask;
      this.table[h] = k;
    }
  }

  hasBytes(buf: Uint8Array, start: number, end: number): boolean {
    if (end - start <= 3) return this.hasPacked(packBytes(buf, start, end));
    if (this.long.size === 0) return false;
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(buf[i] as number);
    return this.long.has(s);
  }

  hasPacked(k: number): boolean {
    const t = this.table;
    let h = slot(k, this.mask);
    for (;;) {
      const v = t[h] as number;
      if (v === k) return true;
      if (v === -1) return false;
      h = (h + 1) & this.mask;
    }
  }

}

/** Fibonacci hashing of a packed key into a table of mask + 1 slots. */
function slot(k: number, mask: number): number {
  return (Math.imul(k, 0x9e3779b1) >>> 16) & mask;
}

/** Element types as numbers: a switch on them compares small integers, not strings. */
export const TypeKind = { Text: 0, Date: 1, Time: 2, Decimal: 3, Numeric: 4, Binary: 5 } as const;
export type TypeKind = (typeof TypeKind)[keyof typeof TypeKind];

export interface CompiledElement {
  pos: number;
  ref: string;
  name: string;
  usage: Usage;
  type: DataType;
  /** `type` as a small number for the hot path (see TypeKind). */
  kind: TypeKind;
  min: number;
  max: number;
  repeat: number;
  codes: CodeSet | null;
  /** Set for composites; simple elements have null. */
  components: CompiledElement[] | null;
}

export type SyntaxKind = 'P' | 'R' | 'C' | 'E' | 'L';
export interface CompiledSyntax {
  kind: SyntaxKind;
  positions: number[];
  /** Bit p set for each position p, to test against a segment's presence bits. */
  mask: number;
  /** The first position's bit (C and L notes turn on it). */
  first: number;
}

export interface CompiledEffect {
  /** Presence bits (1 << position) that must be set / must be clear. */
  required: number;
  notUsed: number;
  codes: { pos: number; set: CodeSet } | null;
}

export interface CompiledRule {
  note: string;
  pos: number;
  values: CodeSet | null;
  absent: boolean;
  then: CompiledEffect;
  otherwise: CompiledEffect | null;
}

export interface CompiledSegment {
  kind: 'segment';
  id: string;
  key: number;
  name: string;
  usage: Usage;
  maxUse: number;
  elements: CompiledElement[];
  /** Index by position (1-based); holes are undefined. */
  byPosition: Array<CompiledElement | undefined>;
  maxPosition: number;
  /** Highest position of a required element: absent elements past it need no look. */
  lastRequired: number;
  syntax: CompiledSyntax[];
  rules: CompiledRule[];
  /** Format and value positions of 1250/1251 pairs (DTP02/DTP03, DTM05/DTM06), flattened. */
  dateFormats: Int32Array;
  /**
   * Where several places in a guide share a segment ID (NM1, DTP, REF), the value of one
   * element tells them apart; 0 when the ID alone decides.
   */
  qualifierPos: number;
  qualifierCodes: CodeSet | null;
}

export interface CompiledLoop {
  kind: 'loop';
  id: string;
  /** Loop id reported in IK303 (a transparent bracket reports its parent's). */
  reportId: string;
  name: string;
  usage: Usage;
  repeat: number;
  children: CompiledNode[];
  /** heads[j]: child j itself when a segment, its trigger when a loop. */
  heads: CompiledSegment[];
  /**
   * groupStart[j] is the first sibling sharing child j's guide position: the search
   * for a next segment starts there, since such siblings may come in any order.
   */
  groupStart: Int32Array;
  /** Indices of the required children (usage R), ascending: all a missing-segment check visits. */
  required: Int32Array;
  /** Whether each instance of this loop is a business unit (999 CTX). */
  businessUnit: boolean;
  /**
   * Child indices (ascending) whose segment (or trigger) has the segment ID of that
   * small index (CompiledGuide.idIndex): an array look-up per open loop, not a hash.
   */
  bySegment: Array<Int32Array | undefined>;
  trigger: CompiledSegment;
}

export type CompiledNode = CompiledSegment | CompiledLoop;

export interface CompiledBusinessUnit {
  /** The identifying segment's packed ID (which loops are units: CompiledLoop.businessUnit). */
  key: number;
  qualifier: string | undefined;
  element: number;
  name: string;
}

export interface CompiledGuide {
  transactionSet: string;
  version: string;
  /** The version and its aliases. */
  conventions: string[];
  functionalGroup: string;
  name: string;
  root: CompiledLoop;
  businessUnit: CompiledBusinessUnit | undefined;
  /** Small index of every segment ID in the guide, by packed key (loop.bySegment). */
  idIndex: Map<number, number>;
  /** Segment IDs that occur anywhere in the guide (for IK304 6 vs 2). */
  segmentIds: Set<string>;
}
