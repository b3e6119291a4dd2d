/**
 * The guides we validate against, loaded once from schemas/x12 and compiled.
 * Lookups go by functional group (GS01), transaction set (ST01) and convention (ST03/GS08).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ElementDictionary, ExternalCodeLists, GuideDefinition } from './definition.js';
import { compileGuide } from './compile.js';
import type { CompiledGuide } from './compiled.js';
import { X12Error } from '../errors.js';

export const DEFAULT_SCHEMA_DIR = fileURLToPath(new URL('../../../schemas/x12/', import.meta.url));

export class GuideRegistry {
  private readonly guides: CompiledGuide[] = [];

  /** The folder the guides were loaded from (worker threads load the same); none when built in memory. */
  readonly dir: string | undefined;

  constructor(guides: Iterable<CompiledGuide>, dir?: string) {
    this.dir = dir;
    for (const g of guides) this.guides.push(g);
  }

  /** Whether any guide serves this functional identifier (GS01). */
  supportsGroup(functionalId: string): boolean {
    return this.guides.some((g) => g.functionalGroup === functionalId);
  }

  /** Whether the group's version (GS08) is one we have a guide for. */
  supportsVersion(functionalId: string, version: string): boolean {
    return this.guides.some((g) => g.functionalGroup === functionalId && g.conventions.includes(version));
  }

  supportsSet(functionalId: string, setId: string): boolean {
    return this.guides.some((g) => g.functionalGroup === functionalId && g.transactionSet === setId);
  }

  find(functionalId: string, setId: string, convention: string): CompiledGuide | undefined {
    return this.guides.find((g) => g.functionalGroup === functionalId && g.transactionSet === setId && g.conventions.includes(convention));
  }

}

let cached: GuideRegistry | undefined;

/** Loads every *.json guide in the folder (validated with zod) beside elements.json and codes.json. */
export function loadRegistry(dir: string = DEFAULT_SCHEMA_DIR): GuideRegistry {
  if (dir === DEFAULT_SCHEMA_DIR && cached) return cached;
  const read = (name: string): unknown => {
    try {
      return JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch (err) {
      throw new X12Error('GUIDE_INVALID', `cannot read guide file ${name}`, { guide: name }, { cause: err });
    }
  };
  const parse = <T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } }, name: string): T => {
    const r = schema.safeParse(read(name));
    if (!r.success) throw new X12Error('GUIDE_INVALID', `${name}: ${r.error.message}`, { guide: name });
    return r.data;
  };
  const dictionary = parse(ElementDictionary, 'elements.json');
  const external = parse(ExternalCodeLists, 'codes.json');
  const guides = readdirSync(dir)
    .filter((f) => /^\d{3}\..+\.json$/.test(f))
    .sort()
    .map((f) => compileGuide(parse(GuideDefinition, f), dictionary, external));
  const registry = new GuideRegistry(guides, dir);
  if (dir === DEFAULT_SCHEMA_DIR) cached = registry;
  return registry;
}
