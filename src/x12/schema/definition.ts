/**
 * The on-disk shape of an implementation-guide definition (schemas/x12/*.json),
 * validated with zod when loaded. One engine validates every transaction set from
 * this data; adding a set means adding a file, not code.
 *
 * Vocabulary follows the X12 guides: a transaction set is a tree of loops; a loop
 * holds segments and child loops; a segment holds elements; an element may be a
 * composite of components, and may repeat.
 */
import { z } from 'zod';

/** R required, S situational, N not used (the guide's "usage"). */
export const Usage = z.enum(['R', 'S', 'N']);
export type Usage = z.infer<typeof Usage>;

/** X12 simple data types. Nn is numeric with n implied decimals; R is decimal. */
export const DataType = z.enum(['AN', 'ID', 'DT', 'TM', 'N', 'N0', 'N1', 'N2', 'N3', 'N4', 'R', 'B']);
export type DataType = z.infer<typeof DataType>;

/** A data element of the X12 dictionary, keyed by its reference number. */
export const DictionaryElement = z.object({
  name: z.string(),
  type: DataType,
  min: z.number().int().nonnegative(),
  max: z.number().int().positive(),
});
export type DictionaryElement = z.infer<typeof DictionaryElement>;

export interface ElementDefinition {
  /** 1-based position within the segment (or within the composite for a component). */
  pos: number;
  /** Data element reference number ("98") or composite id ("C040"). */
  ref: string;
  name: string;
  usage: Usage;
  /** Maximum repetitions; absent means 1. */
  repeat?: number | undefined;
  /** The guide's code list for this use of the element. */
  codes?: string[] | undefined;
  /** Name of an external code list in codes.json ("states", "country", ...). */
  external?: string | undefined;
  /** Present on composites: their components. */
  components?: ElementDefinition[] | undefined;
  /** Overrides of the dictionary for this use (rare; the guide narrows a length). */
  type?: DataType | undefined;
  min?: number | undefined;
  max?: number | undefined;
}

export const ElementDefinition: z.ZodType<ElementDefinition> = z.lazy(() =>
  z.object({
    pos: z.number().int().positive(),
    ref: z.string().min(1),
    name: z.string(),
    usage: Usage,
    repeat: z.number().int().positive().optional(),
    codes: z.array(z.string()).optional(),
    external: z.string().optional(),
    components: z.array(ElementDefinition).optional(),
    type: DataType.optional(),
    min: z.number().int().nonnegative().optional(),
    max: z.number().int().positive().optional(),
  }).strict(),
);

/**
 * X12 syntax notes, written as in the standard: letter + two-digit element positions,
 * e.g. "P0304" (paired), "R0203" (at least one), "C0504" (if first then all others),
 * "E0204" (at most one), "L010203" (if first then at least one of the others).
 */
export const SyntaxNote = z.string().regex(/^[PRCEL](\d\d){2,}$/);

/**
 * A situational rule of the guide that a machine can check within one segment:
 * "N402 is required when the address is in the US or Canada (N404 absent, US or CA);
 * otherwise do not send it". Faults are IK403 I9 (required by the rule, missing),
 * I13 (not used by the rule, present) and I6 (code not allowed here), each with a
 * CTX situational trigger naming the element the rule turned on.
 */
/** Element positions in rules are presence bits: 1..30. */
const RulePosition = z.number().int().min(1).max(30);

export const RuleEffect = z.object({
  required: z.array(RulePosition).optional(),
  notUsed: z.array(RulePosition).optional(),
  codes: z.object({ pos: RulePosition, in: z.array(z.string()).min(1) }).strict().optional(),
}).strict();
export type RuleEffect = z.infer<typeof RuleEffect>;

export const SituationalRule = z.object({
  /** The guide's wording, for people. */
  note: z.string(),
  /** The rule applies when element `pos` holds one of `in`, or (with `absent`) is not sent. */
  when: z.object({
    pos: RulePosition,
    in: z.array(z.string()).optional(),
    absent: z.boolean().optional(),
  }).strict(),
  then: RuleEffect,
  otherwise: RuleEffect.optional(),
}).strict();
export type SituationalRule = z.infer<typeof SituationalRule>;

export interface SegmentNode {
  kind: 'segment';
  id: string;
  /**
   * The guide's position number. Siblings that share one may come in any order
   * (the REFs of 834 loop 2000; loops 2100A–G).
   */
  pos?: number | undefined;
  name: string;
  usage: Usage;
  /** Maximum uses at this position; null means unbounded (">1"). */
  maxUse: number | null;
  syntax?: string[] | undefined;
  rules?: SituationalRule[] | undefined;
  elements: ElementDefinition[];
}

export interface LoopNode {
  kind: 'loop';
  /** The guide's loop id ("2000", "2100A", "LS" for the LS/LE wrapper). */
  id: string;
  /** The guide's position number of the loop's trigger; see SegmentNode.pos. */
  pos?: number | undefined;
  name: string;
  usage: Usage;
  /** Maximum repeats; null means unbounded (">1"). */
  repeat: number | null;
  /**
   * A bracket such as LS/LE around loop 2700: it groups loops but is not itself a
   * loop the 999 names, so acknowledgements report its parent's loop id instead.
   */
  transparent?: boolean | undefined;
  /** The first child is the loop's trigger segment. */
  children: Array<SegmentNode | LoopNode>;
}

export const SegmentNode: z.ZodType<SegmentNode> = z.object({
  kind: z.literal('segment'),
  id: z.string().regex(/^[A-Z][A-Z0-9]{1,2}$/),
  pos: z.number().int().nonnegative().optional(),
  name: z.string(),
  usage: Usage,
  maxUse: z.number().int().positive().nullable(),
  syntax: z.array(SyntaxNote).optional(),
  rules: z.array(SituationalRule).optional(),
  elements: z.array(ElementDefinition),
}).strict();

export const LoopNode: z.ZodType<LoopNode> = z.lazy(() =>
  z.object({
    kind: z.literal('loop'),
    id: z.string().min(1),
    pos: z.number().int().nonnegative().optional(),
    name: z.string(),
    usage: Usage,
    repeat: z.number().int().positive().nullable(),
    transparent: z.boolean().optional(),
    children: z.array(z.union([SegmentNode, LoopNode])).min(1),
  }).strict(),
);

/** One transaction set's implementation guide, e.g. 834 / 005010X220A1. */
export const GuideDefinition = z.object({
  transactionSet: z.string().regex(/^\d{3}$/),
  /** GS08 / ST03 implementation convention reference, e.g. "005010X220A1". */
  version: z.string().min(1),
  /** Earlier conventions this guide also validates (e.g. 005010X231 for X231A1). */
  aliases: z.array(z.string()).optional(),
  /**
   * The business unit the 999 names in CTX (005010X231A1 loop 2100): each instance of
   * these loops is one unit, identified by an element of one of its segments
   * (834: the member's REF*0F subscriber number; 820: ENT01).
   */
  businessUnit: z.object({
    loops: z.array(z.string()).min(1),
    segment: z.string(),
    /** Value element 1 must have (REF01 "0F"), where the segment is a qualified one. */
    qualifier: z.string().optional(),
    element: z.number().int().positive(),
    /** CTX01-1, e.g. "SUBSCRIBER NUMBER REF02". */
    name: z.string(),
  }).strict().optional(),
  /** GS01 functional identifier code, e.g. "BE". */
  functionalGroup: z.string().length(2),
  name: z.string(),
  /**
   * The transaction set as one loop tree whose root stands for ST..SE. The
   * guide's table wrappers (header/detail/summary) are flattened away: they are
   * not loops in the 999's sense.
   */
  structure: LoopNode,
}).strict();
export type GuideDefinition = z.infer<typeof GuideDefinition>;

/** schemas/x12/elements.json: the data element dictionary. */
export const ElementDictionary = z.record(z.string(), DictionaryElement);
export type ElementDictionary = z.infer<typeof ElementDictionary>;

/** schemas/x12/codes.json: external code lists by name. */
export const ExternalCodeLists = z.record(z.string(), z.object({
  name: z.string(),
  codes: z.array(z.string()).min(1),
}));
export type ExternalCodeLists = z.infer<typeof ExternalCodeLists>;
