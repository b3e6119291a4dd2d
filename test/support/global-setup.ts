/** Says once, at the start of a run, whether the optional conformance corpus tests run. */
import { CORPUS_ENV, corpusDir } from './corpus.js';

export default function setup(): void {
  console.log(corpusDir ? `conformance corpus: runs, from ${corpusDir}` : `conformance corpus: skipped (set ${CORPUS_ENV} to the corpus folder to run it)`);
}
