/**
 * Reading a reference data file: `.yaml`/`.yml` (YAML 1.2 core schema, so dates stay the
 * strings they look like) or `.json`, validated with `ReferenceDataSchema`. Every problem is
 * reported at once, by path (`groups[2].classes[0].effective.from: …`), never quoting a
 * field's value.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { EdiBridgeError, InvalidDataError } from '../core/errors.js';
import { formatIssues } from '../core/issues.js';
import { ReferenceDataSchema, type ReferenceData } from './schema.js';

/** Invalid reference data: `issues` lists every problem as `path: message`. */
export class ReferenceDataError extends InvalidDataError {}

/** Validates already-parsed data; `source` names it in the error (a file name). */
export function parseReferenceData(input: unknown, source = 'reference data'): ReferenceData {
  const r = ReferenceDataSchema.safeParse(input);
  if (r.success) return r.data;
  const issues = formatIssues(r.error.issues);
  const n = issues.length;
  throw new ReferenceDataError(
    `invalid reference data in ${source}: ${n} problem${n === 1 ? '' : 's'}\n${issues.map((s) => `  - ${s}`).join('\n')}`,
    issues,
    { file: source },
  );
}

export type ReferenceFormat = 'yaml' | 'json';

export function formatOf(file: string): ReferenceFormat | undefined {
  const ext = extname(file).toLowerCase();
  return ext === '.yaml' || ext === '.yml' ? 'yaml' : ext === '.json' ? 'json' : undefined;
}

/** Parses the text of a file (no validation). Syntax errors say where, never what. */
export function parseReferenceText(textIn: string, format: ReferenceFormat, source = 'reference data'): unknown {
  const text = textIn.replace(/^\uFEFF/, '');
  if (format === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      const pos = /position (\d+)/.exec(err instanceof Error ? err.message : '');
      const where = pos ? ` at ${lineCol(text, Number(pos[1]))}` : '';
      throw new ReferenceDataError(`invalid reference data in ${source}: not valid JSON${where}`, [`(file): not valid JSON${where}`], { file: source }, { cause: err });
    }
  }
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => {
      const at = e.linePos?.[0];
      return `(file): YAML ${e.code}${at ? ` at line ${at.line}, column ${at.col}` : ''}`;
    });
    throw new ReferenceDataError(`invalid reference data in ${source}: not valid YAML\n${issues.map((s) => `  - ${s}`).join('\n')}`, issues, { file: source });
  }
  return doc.toJS({ maxAliasCount: 100 }) as unknown;
}

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** Reads, parses and validates a reference data file. Unreadable files are FILE_UNREADABLE. */
export async function readReferenceFile(file: string): Promise<ReferenceData> {
  const format = formatOf(file);
  if (!format) {
    throw new EdiBridgeError('USAGE', `reference data file ${file} must end in .yaml, .yml or .json`, { file });
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new EdiBridgeError('FILE_UNREADABLE', `cannot read ${file}${typeof code === 'string' ? ` (${code})` : ''}`, { file }, { cause: err });
  }
  return parseReferenceData(parseReferenceText(text, format, file), file);
}
