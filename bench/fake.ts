/**
 * Obviously fake demographic values for generated bench files: invented surnames,
 * placeholder cities and street names, 555-01xx phone numbers, 9xx-prefixed
 * "SSNs" (never issued) and example.com mail. Nothing here resembles real PHI.
 */
import type { Prng } from './prng.js';

const SYL_A = ['ZAN', 'QUIL', 'BRO', 'VEX', 'MOR', 'TAL', 'KREN', 'FLO', 'DRAX', 'PEL', 'NUV', 'SORB', 'GRIM', 'HAL', 'JOR', 'WEX'] as const;
const SYL_B = ['TOR', 'BIX', 'DAL', 'VAN', 'QUO', 'REN', 'SIL', 'MAR', 'LOK', 'DEN', 'FIR', 'GAN'] as const;
const SYL_C = ['', '', 'SON', 'WICK', 'STAD', 'MAN', 'BERG', 'ITZ', 'OVA', 'ELLI'] as const;

const MALE = ['ALPHA', 'BRAVO', 'CHARLIE', 'DELTA', 'ECHO', 'FOXTROT', 'GOLF', 'HOTEL', 'JULIETT', 'KILO', 'LIMA', 'OSCAR', 'ROMEO', 'VICTOR', 'ZULU'] as const;
const FEMALE = ['ALICE', 'BEATRIX', 'CAROL', 'DORA', 'EVE', 'FAYE', 'GRETA', 'HOPE', 'IRIS', 'JUNO', 'KARMA', 'LUNA', 'MABEL', 'NOVA', 'OPAL'] as const;

const STREETS = ['EXAMPLE', 'SAMPLE', 'PLACEHOLDER', 'TEST', 'MOCK', 'DEMO', 'FICTION', 'SYNTHETIC', 'NOWHERE', 'IMAGINARY', 'PRETEND', 'DUMMY'] as const;
const STREET_TYPES = ['ST', 'AVE', 'RD', 'LN', 'CT', 'BLVD', 'WAY', 'DR'] as const;
const CITIES = ['ANYTOWN', 'SAMPLEVILLE', 'TESTBURG', 'FAKESBORO', 'EXAMPLE CITY', 'MOCKTON', 'PLACEHOLDER FALLS', 'DEMOPORT', 'NOWHERE JUNCTION', 'FICTIONAL HEIGHTS'] as const;
const STATES = ['AL', 'AZ', 'CA', 'CO', 'FL', 'GA', 'IL', 'IN', 'KY', 'MA', 'MD', 'MI', 'MN', 'NC', 'NJ', 'NY', 'OH', 'OR', 'PA', 'TN', 'TX', 'VA', 'WA', 'WI'] as const;
const AREA_CODES = ['201', '212', '303', '312', '404', '415', '503', '512', '602', '614', '702', '717', '808', '919'] as const;

export interface Person {
  last: string;
  first: string;
  middle: string;
  gender: 'M' | 'F';
}

export function surname(rng: Prng): string {
  return rng.pick(SYL_A) + rng.pick(SYL_B) + rng.pick(SYL_C);
}

export function person(rng: Prng, last: string, gender: 'M' | 'F'): Person {
  const first = rng.pick(gender === 'M' ? MALE : FEMALE);
  // About a third of members carry a middle initial, as in real rosters.
  const middle = rng.chance(0.35) ? String.fromCharCode(65 + rng.int(26)) : '';
  return { last, first, middle, gender };
}

export interface Address {
  line1: string;
  line2: string;
  city: string;
  state: string;
  zip: string;
}

export function address(rng: Prng): Address {
  return {
    line1: `${rng.range(1, 9999)} ${rng.pick(STREETS)} ${rng.pick(STREET_TYPES)}`,
    line2: rng.chance(0.2) ? `APT ${rng.range(1, 999)}` : '',
    city: rng.pick(CITIES),
    state: rng.pick(STATES),
    zip: rng.chance(0.3) ? rng.digits(9) : rng.digits(5),
  };
}

/** 555-0100..555-0199 are reserved for fiction. */
export function phone(rng: Prng): string {
  return `${rng.pick(AREA_CODES)}55501${rng.digits(2)}`;
}

/** Area numbers 900-999 are never issued as SSNs, so these are obviously fake. */
export function fakeSsn(n: number): string {
  return String(900000000 + (n % 100000000));
}

/** A 9-digit employer id (EIN-shaped) with a 99 prefix no IRS campus uses. */
export function fakeEin(rng: Prng): string {
  return `99${rng.digits(7)}`;
}

/** CCYYMMDD between the two years inclusive; day capped at 28 so every date exists. */
export function date(rng: Prng, fromYear: number, toYear: number): string {
  const y = rng.range(fromYear, toYear);
  const m = rng.range(1, 12);
  const d = rng.range(1, 28);
  return `${y}${m < 10 ? '0' : ''}${m}${d < 10 ? '0' : ''}${d}`;
}

/** Fake 9-digit ABA routing number with a correct check digit (so checksum-aware tools accept it). */
export function routingNumber(rng: Prng): string {
  const d = `0${rng.digits(7)}`.split('').map(Number);
  const [a = 0, b = 0, c = 0, e = 0, f = 0, g = 0, h = 0, i = 0] = d;
  const sum = 3 * (a + e + h) + 7 * (b + f + i) + (c + g);
  return d.join('') + String((10 - (sum % 10)) % 10);
}
