/**
 * City and state against the ZIP code, from the offline `zipcodes` database (about 44,000
 * US ZIP codes, each with its primary city). The state must match. The city is compared
 * loosely (case, punctuation, SAINT/ST, FORT/FT, MOUNT/MT) because a ZIP's primary city is
 * only one of the names the post office accepts; a city that still differs is reported for
 * a person to confirm. A ZIP the database does not know, or a foreign address, is not judged.
 * The table is loaded on first use.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type ZipVerdict = 'ok' | 'unknown' | 'state-mismatch' | 'city-mismatch';

/** ZIP → 'ST|City'. */
let table: Map<string, string> | undefined;

/**
 * Loading the package with require() compiles its 5 MB data module, which costs about
 * 80 MB of resident memory for good (measured); reading the same data as text costs about
 * 20 MB. So the US entries are read from the package's data file as text, and require()
 * is only the fallback should a new version lay that file out differently.
 */
function zipTable(): Map<string, string> {
  if (table) return table;
  const req = createRequire(import.meta.url);
  const t = new Map<string, string>();
  try {
    const text = readFileSync(req.resolve('zipcodes/lib/codes.js'), 'latin1');
    const entry = /"(\d{5})":\{"zip":"\d{5}","latitude":[-0-9.]+,"longitude":[-0-9.]+,"city":"([^"]*)","state":"([A-Z]{2})"/g;
    for (let m = entry.exec(text); m; m = entry.exec(text)) t.set(m[1]!, `${m[3]}|${m[2]}`);
  } catch {
    // fall through to the package's own loader
  }
  if (t.size < 40_000) {
    const zipcodes = req('zipcodes') as { codes: Record<string, { zip: string; city: string; state: string; country: string }> };
    for (const e of Object.values(zipcodes.codes)) if (e.country === 'US') t.set(e.zip, `${e.state}|${e.city}`);
  }
  table = t;
  return t;
}

const WORDS: Readonly<Record<string, string>> = { SAINT: 'ST', FORT: 'FT', MOUNT: 'MT', SAINTE: 'STE' };

/** Normalised city names, kept because a file names the same few cities over and over. */
const normalised = new Map<string, string>();
const NORMALISED_MAX = 50_000;

function normaliseCity(city: string): string {
  let n = normalised.get(city);
  if (n === undefined) {
    if (normalised.size >= NORMALISED_MAX) normalised.clear();
    normalised.set(city, (n = normaliseCityOnce(city)));
  }
  return n;
}

function normaliseCityOnce(city: string): string {
  return city
    .toUpperCase()
    .replace(/[^A-Z0-9 ]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => WORDS[w] ?? w)
    .join('');
}

export function checkZip(address: { city?: string | null | undefined; state?: string | null | undefined; zip?: string | null | undefined; country?: string | null | undefined }): ZipVerdict {
  if (address.country && address.country !== 'US' && address.country !== 'USA') return 'unknown';
  const zip5 = /^(\d{5})(?:-?\d{4})?$/.exec(address.zip ?? '')?.[1];
  if (!zip5 || !address.state) return 'unknown';
  const entry = zipTable().get(zip5);
  if (!entry) return 'unknown';
  const bar = entry.indexOf('|');
  if (entry.slice(0, bar) !== address.state.toUpperCase()) return 'state-mismatch';
  if (address.city && normaliseCity(address.city) !== normaliseCity(entry.slice(bar + 1))) return 'city-mismatch';
  return 'ok';
}
