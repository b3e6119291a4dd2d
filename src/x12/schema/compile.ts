import type { DataType, ElementDefinition, ElementDictionary, RuleEffect, ExternalCodeLists, GuideDefinition, LoopNode, SegmentNode } from './definition.js';
import { CodeSet, TypeKind, type CompiledEffect, type CompiledElement, type CompiledGuide, type CompiledLoop, type CompiledSegment, type CompiledSyntax, type SyntaxKind } from './compiled.js';
import { packString } from '../tokenize/segment.js';
import { X12Error } from '../errors.js';

interface Context {
  dictionary: ElementDictionary;
  external: ExternalCodeLists;
  guide: string;
  externalCache: Map<string, CodeSet>;
}

/** Turns a guide definition into the structures the validator walks. */
export function compileGuide(def: GuideDefinition, dictionary: ElementDictionary, external: ExternalCodeLists): CompiledGuide {
  const ctx: Context = { dictionary, external, guide: def.version, externalCache: new Map() };
  // ST03 names the convention; an alias the guide also serves is as good as its own.
  const structure = def.aliases?.length ? withConventionAliases(def.structure, def.aliases) : def.structure;
  const root = compileLoop(structure, ctx, '');
  const segmentIds = new Set<string>();
  const byId = new Map<string, CompiledSegment[]>();
  walkSegments(root, (s) => {
    segmentIds.add(s.id);
    const list = byId.get(s.id) ?? [];
    list.push(s);
    byId.set(s.id, list);
  });
  for (const list of byId.values()) assignQualifiers(list);
  const idIndex = new Map([...segmentIds].map((id, i) => [packString(id), i] as const));
  indexChildren(root, idIndex);
  if (def.businessUnit) markBusinessUnits(root, new Set(def.businessUnit.loops));
  return {
    transactionSet: def.transactionSet,
    version: def.version,
    conventions: [def.version, ...(def.aliases ?? [])],
    functionalGroup: def.functionalGroup,
    name: def.name,
    root,
    businessUnit: def.businessUnit && {
      key: packString(def.businessUnit.segment),
      qualifier: def.businessUnit.qualifier,
      element: def.businessUnit.element,
      name: def.businessUnit.name,
    },
    idIndex,
    segmentIds,
  };
}

function markBusinessUnits(loop: CompiledLoop, ids: ReadonlySet<string>): void {
  loop.businessUnit = ids.has(loop.id);
  for (const c of loop.children) if (c.kind === 'loop') markBusinessUnits(c, ids);
}

/** Fills each loop's bySegment table: child indices by segment ID index. */
function indexChildren(loop: CompiledLoop, idIndex: Map<number, number>): void {
  const lists: number[][] = [];
  loop.children.forEach((c, j) => {
    const i = idIndex.get((c.kind === 'segment' ? c : c.trigger).key) as number;
    (lists[i] ??= []).push(j);
    if (c.kind === 'loop') indexChildren(c, idIndex);
  });
  loop.bySegment = Array.from({ length: idIndex.size }, (_, i) => (lists[i] ? Int32Array.from(lists[i]) : undefined));
}

export function walkSegments(loop: CompiledLoop, visit: (s: CompiledSegment) => void): void {
  for (const c of loop.children) {
    if (c.kind === 'segment') visit(c);
    else walkSegments(c, visit);
  }
}

function compileLoop(node: LoopNode, ctx: Context, parentReportId: string): CompiledLoop {
  const reportId = node.transparent ? parentReportId : node.id === 'ST_LOOP' ? '' : node.id;
  const children = node.children.map((c) => (c.kind === 'segment' ? compileSegment(c, ctx) : compileLoop(c, ctx, reportId)));
  const first = children[0];
  if (!first || first.kind !== 'segment') {
    throw new X12Error('GUIDE_INVALID', `loop ${node.id} must begin with a segment`, { guide: ctx.guide });
  }
  const groupStart = new Int32Array(children.length);
  node.children.forEach((c, j) => {
    const prev = node.children[j - 1];
    groupStart[j] = j > 0 && prev?.pos !== undefined && prev.pos === c.pos ? (groupStart[j - 1] as number) : j;
  });
  return {
    kind: 'loop',
    id: node.id,
    reportId,
    groupStart,
    heads: children.map((c) => (c.kind === 'segment' ? c : c.trigger)),
    required: Int32Array.from(children.flatMap((c, j) => (c.usage === 'R' ? [j] : []))),
    businessUnit: false,
    bySegment: [],
    name: node.name,
    usage: node.usage,
    repeat: node.repeat ?? Number.POSITIVE_INFINITY,
    children,
    trigger: first,
  };
}

function compileSegment(node: SegmentNode, ctx: Context): CompiledSegment {
  const elements = node.elements.map((e) => compileElement(e, ctx, node.id));
  const byPosition: Array<CompiledElement | undefined> = [];
  for (const e of elements) byPosition[e.pos] = e;
  return {
    kind: 'segment',
    id: node.id,
    key: packString(node.id),
    name: node.name,
    usage: node.usage,
    maxUse: node.maxUse ?? Number.POSITIVE_INFINITY,
    elements,
    byPosition,
    maxPosition: elements.reduce((m, e) => Math.max(m, e.pos), 0),
    lastRequired: elements.reduce((m, e) => (e.usage === 'R' ? Math.max(m, e.pos) : m), 0),
    syntax: (node.syntax ?? []).map(parseSyntax),
    rules: (node.rules ?? []).map((r) => ({
      note: r.note,
      pos: r.when.pos,
      values: r.when.in ? new CodeSet(r.when.in) : null,
      absent: r.when.absent === true,
      then: compileEffect(r.then),
      otherwise: r.otherwise ? compileEffect(r.otherwise) : null,
    })),
    dateFormats: Int32Array.from(elements.flatMap((f, k) => {
      const v = elements[k + 1];
      return f.ref === '1250' && v?.ref === '1251' ? [f.pos, v.pos] : [];
    })),
    qualifierPos: 0,
    qualifierCodes: null,
  };
}

function compileElement(def: ElementDefinition, ctx: Context, segmentId: string): CompiledElement {
  const components = def.components ? def.components.map((c) => compileElement(c, ctx, segmentId)) : null;
  const dict = ctx.dictionary[def.ref];
  if (!components && !dict && !(def.type && def.max)) {
    throw new X12Error('GUIDE_INVALID', `element ${segmentId}${String(def.pos).padStart(2, '0')} refers to unknown data element ${def.ref}`, { guide: ctx.guide });
  }
  let codes: CodeSet | null = def.codes && def.codes.length > 0 ? new CodeSet(def.codes) : null;
  if (def.external) {
    const list = ctx.external[def.external];
    if (!list) throw new X12Error('GUIDE_INVALID', `unknown external code list ${def.external}`, { guide: ctx.guide });
    let cached = ctx.externalCache.get(def.external);
    if (!cached) {
      cached = new CodeSet(list.codes);
      ctx.externalCache.set(def.external, cached);
    }
    codes = cached;
  }
  return {
    pos: def.pos,
    ref: def.ref,
    name: def.name,
    usage: def.usage,
    type: def.type ?? dict?.type ?? 'AN',
    kind: typeKind(def.type ?? dict?.type ?? 'AN'),
    min: def.min ?? dict?.min ?? 0,
    max: def.max ?? dict?.max ?? Number.POSITIVE_INFINITY,
    repeat: def.repeat ?? 1,
    codes,
    components,
  };
}

function compileEffect(e: RuleEffect): CompiledEffect {
  const bits = (ps: number[] | undefined) => (ps ?? []).reduce((m, p) => m | (1 << p), 0);
  return { required: bits(e.required), notUsed: bits(e.notUsed), codes: e.codes ? { pos: e.codes.pos, set: new CodeSet(e.codes.in) } : null };
}

function typeKind(t: DataType): TypeKind {
  switch (t) {
    case 'AN':
    case 'ID':
      return TypeKind.Text;
    case 'DT':
      return TypeKind.Date;
    case 'TM':
      return TypeKind.Time;
    case 'R':
      return TypeKind.Decimal;
    case 'B':
      return TypeKind.Binary;
    default:
      return TypeKind.Numeric;
  }
}

function parseSyntax(note: string): CompiledSyntax {
  const positions: number[] = [];
  for (let i = 1; i < note.length; i += 2) positions.push(Number(note.slice(i, i + 2)));
  if (positions.some((p) => p > 30)) throw new X12Error('GUIDE_INVALID', `syntax note ${note} names a position over 30`);
  const mask = positions.reduce((m, p) => m | (1 << p), 0);
  return { kind: note[0] as SyntaxKind, positions, mask, first: 1 << (positions[0] as number) };
}

/**
 * Segments that share an ID are told apart by the first element position where every
 * one of them has its own code list (NM101, DTP01, REF01, N101, ENT02 …).
 */
function assignQualifiers(list: CompiledSegment[]): void {
  if (list.length < 2) return;
  const maxPos = Math.min(...list.map((s) => s.maxPosition));
  // A composite qualifies by its first component (999 CTX01-1).
  const codesAt = (s: CompiledSegment, pos: number) => {
    const e = s.byPosition[pos];
    return e?.components ? e.components[0]?.codes ?? null : e?.codes ?? null;
  };
  for (let pos = 1; pos <= Math.min(maxPos, 4); pos++) {
    if (list.every((s) => codesAt(s, pos))) {
      for (const s of list) {
        s.qualifierPos = pos;
        s.qualifierCodes = codesAt(s, pos);
      }
      return;
    }
  }
}

function withConventionAliases(root: LoopNode, aliases: string[]): LoopNode {
  const [st, ...rest] = root.children;
  if (!st || st.kind !== 'segment') return root;
  const elements = st.elements.map((e) => (e.ref === '1705' && e.codes ? { ...e, codes: [...e.codes, ...aliases] } : e));
  return { ...root, children: [{ ...st, elements }, ...rest] };
}
