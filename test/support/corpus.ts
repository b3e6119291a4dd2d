/**
 * The optional conformance corpus: public X12 samples with a reference validator's verdicts
 * (see the corpus folder's README.md). It is not part of this repository; tests that need it
 * run only when EDIBRIDGE_CORPUS_DIR names the folder (.ci/run sets it when a shared/corpus
 * folder sits beside the clone), and are reported as skipped otherwise.
 *
 * The project's own fixtures (samples/*.x12, test/golden/cases/*.x12) are listed here too, so
 * tests that only need realistic input use those and add the corpus when it is there.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const CORPUS_ENV = 'EDIBRIDGE_CORPUS_DIR';

function resolveCorpusDir(): string | undefined {
  const value = process.env[CORPUS_ENV];
  if (!value) return undefined;
  const dir = resolve(value);
  try {
    if (statSync(dir).isDirectory()) return dir;
  } catch {
    // missing: reported below
  }
  console.warn(`${CORPUS_ENV}=${value} is not a folder: the corpus tests are skipped`);
  return undefined;
}

/** The corpus folder, or undefined when EDIBRIDGE_CORPUS_DIR is unset or not a folder. */
export const corpusDir: string | undefined = resolveCorpusDir();

/** A describe title that says why it is skipped when the corpus is not available. */
export function corpusTitle(title: string): string {
  return corpusDir ? title : `${title} (skipped: set ${CORPUS_ENV} to the corpus folder)`;
}

export interface InputFile {
  /** "samples/x.x12", "golden/x.x12" or, from the corpus, "owner__repo/file". */
  name: string;
  path: string;
}

const ROOT = join(import.meta.dirname, '../..');

function listDir(dir: string, keep: (file: string) => boolean): string[] {
  return readdirSync(dir).filter((f) => keep(f) && statSync(join(dir, f)).isFile()).sort();
}

/** The repository's own X12 inputs: samples/*.x12 and test/golden/cases/*.x12. */
export function fixtureFiles(): InputFile[] {
  const x12 = (f: string): boolean => f.endsWith('.x12');
  return [
    ...listDir(join(ROOT, 'samples'), x12).map((f) => ({ name: `samples/${f}`, path: join(ROOT, 'samples', f) })),
    ...listDir(join(ROOT, 'test/golden/cases'), x12).map((f) => ({ name: `golden/${f}`, path: join(ROOT, 'test/golden/cases', f) })),
  ];
}

/** Every data file of the corpus (its <owner__repo>/ folders), or none when it is not available. */
export function corpusFiles(): InputFile[] {
  const root = corpusDir;
  if (!root) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .flatMap((owner) => listDir(join(root, owner), () => true).map((f) => ({ name: `${owner}/${f}`, path: join(root, owner, f) })));
}
