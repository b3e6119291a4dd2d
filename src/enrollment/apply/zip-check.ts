/**
 * City and state against the ZIP code, from the offline `zipcodes` database (about 44,000
 * US ZIP codes, each with its primary city). The state must match. The city is compared
 * loosely (case, punctuation, SAINT/ST, FORT/FT, MOUNT/MT) because a ZIP's primary city is
 * only one of the names the post office accepts; a city that still differs is reported for
 * a person to confirm. A ZIP the database does not know, or a foreign address, is not judged.
 * The database is loaded on first use.
 */
import { createRequire } from 'node:module';

interface ZipEntry {
  city: string;
  state: string;
}

export type ZipVerdict = 'ok' | 'unknown' | 'state-mismatch' | 'city-mismatch';

let lookup: ((zip: string) => ZipEntry | undefined) | undefined;

function zipLookup(): (zip: string) => ZipEntry | undefined {
  if (!lookup) {
    const zipcodes = createRequire(import.meta.url)('zipcodes') as { lookup(zip: string): ZipEntry | undefined };
    lookup = (zip) => zipcodes.lookup(zip);
  }
  return lookup;
}

const WORDS: Readonly<Record<string, string>> = { SAINT: 'ST', FORT: 'FT', MOUNT: 'MT', SAINTE: 'STE' };

function normaliseCity(city: string): string {
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
  const entry = zipLookup()(zip5);
  if (!entry) return 'unknown';
  if (entry.state !== address.state.toUpperCase()) return 'state-mismatch';
  if (address.city && normaliseCity(address.city) !== normaliseCity(entry.city)) return 'city-mismatch';
  return 'ok';
}
