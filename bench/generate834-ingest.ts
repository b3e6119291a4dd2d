/**
 * Deterministic generator for an *ingest-ready* 834 (005010X220A1): unlike generate834
 * (which only has to be well-formed for the parse/validate benches), every member here
 * passes the apply rules against the reference data `ingestReferenceData()` builds, so a
 * change file adds every member and a full (RX) file of the same seed matches every one:
 *
 * - one trading partner (ISA05/06 ZZ FAKESPONSOR → ISA07/08 ZZ EXAMPLEPLAN);
 * - `groups` employer groups, one ST set per group (REF*38 and every member's REF*1L name
 *   it), because a full file's omissions are judged per set against the set's groups;
 * - families: subscriber (INS*Y*18), spouse (01), children (19) younger than 26, REF*0F
 *   unique per family, distinct first names among a family's children, all-distinct SSNs
 *   (fake.fakeSsn of the member number);
 * - real city/state/ZIP triples (no zip-state-mismatch exceptions);
 * - HD03/HD04 naming plans the group offers on that line; coverage levels from the family;
 * - coverage begins on `coverageBegin` (by default the first of the current month, so the
 *   retroactivity rules, which count from the day received, stay quiet).
 *
 * The RX variant (mode 'replace') walks the same PRNG streams, so it names the same members
 * with the same data, except that a separate stream omits ~`omitRate` of the families and
 * moves ~`changeAddressRate` of them to another address. Streamed to disk like generate834.
 */
import { Prng, subSeed } from './prng.js';
import { SegmentWriter } from './writer.js';
import { gs, ge, iea, isa, stControl, type EnvelopeParams } from './envelope.js';
import { segment as s } from './segment.js';
import * as fake from './fake.js';
import { familySize, type GenerateResult } from './generate834.js';
import type { ReferenceDataInput } from '../src/reference/schema.js';

export const INGEST_SENDER = 'FAKESPONSOR';
export const INGEST_RECEIVER = 'EXAMPLEPLAN';
export const INGEST_PARTNER_ID = 'bench-sponsor';

export type IngestMode = 'change' | 'replace';

export interface GenerateIngest834Options {
  /** Number of 2000 (INS) member loops in the whole file (the change file's count; RX omits some). */
  members: number;
  seed?: number;
  /** Employer groups, one ST set each (default 10). */
  groups?: number;
  /** 'change' (BGN08 2, INS03 021) or 'replace' (BGN08 RX, INS03 030). */
  mode: IngestMode;
  /** ISA13/GS06 (must differ between files of one sender). */
  control: number;
  /** Coverage begin date, CCYYMMDD (default: first day of the current UTC month). */
  coverageBegin?: string;
  /** RX only: share of families left out of the file (default 0.001). */
  omitRate?: number;
  /** RX only: share of families whose address changes (default 0.01). */
  changeAddressRate?: number;
}

export interface GenerateIngestResult extends GenerateResult {
  mode: IngestMode;
  /** Members in the file (the RX file leaves some out). */
  membersWritten: number;
  families: number;
  omittedFamilies: number;
  omittedMembers: number;
  movedFamilies: number;
  movedMembers: number;
  coverageBegin: string;
}

/** Real primary-city / state / ZIP triples of the `zipcodes` database (checked by zip-check). */
export const REAL_PLACES: ReadonlyArray<{ city: string; state: string; zip: string }> = [
  { city: 'NEW YORK', state: 'NY', zip: '10001' },
  { city: 'CHICAGO', state: 'IL', zip: '60601' },
  { city: 'SAN FRANCISCO', state: 'CA', zip: '94103' },
  { city: 'SEATTLE', state: 'WA', zip: '98101' },
  { city: 'BOSTON', state: 'MA', zip: '02108' },
  { city: 'ATLANTA', state: 'GA', zip: '30303' },
  { city: 'HOUSTON', state: 'TX', zip: '77002' },
  { city: 'PHOENIX', state: 'AZ', zip: '85004' },
  { city: 'DENVER', state: 'CO', zip: '80202' },
  { city: 'MIAMI', state: 'FL', zip: '33131' },
  { city: 'PHILADELPHIA', state: 'PA', zip: '19103' },
  { city: 'DETROIT', state: 'MI', zip: '48226' },
  { city: 'MINNEAPOLIS', state: 'MN', zip: '55401' },
  { city: 'PORTLAND', state: 'OR', zip: '97204' },
  { city: 'NASHVILLE', state: 'TN', zip: '37203' },
  { city: 'RALEIGH', state: 'NC', zip: '27601' },
  { city: 'COLUMBUS', state: 'OH', zip: '43215' },
  { city: 'KANSAS CITY', state: 'MO', zip: '64105' },
  { city: 'PITTSBURGH', state: 'PA', zip: '15222' },
  { city: 'SAN DIEGO', state: 'CA', zip: '92101' },
  { city: 'AUSTIN', state: 'TX', zip: '78701' },
  { city: 'BALTIMORE', state: 'MD', zip: '21202' },
  { city: 'INDIANAPOLIS', state: 'IN', zip: '46204' },
  { city: 'MILWAUKEE', state: 'WI', zip: '53202' },
];

interface BenchPlan {
  id: string;
  line: string;
  name: string;
}

const MEDICAL_PLANS: readonly BenchPlan[] = [
  { id: 'BRZ6000', line: 'HLT', name: 'Bronze Health 6000' },
  { id: 'GLDPPO1500', line: 'PPO', name: 'Gold PPO 1500' },
  { id: 'SLVPPO3000', line: 'PPO', name: 'Silver PPO 3000' },
  { id: 'SLVHMO2500', line: 'HMO', name: 'Silver HMO 2500' },
  { id: 'PLTPOS500', line: 'POS', name: 'Platinum POS 500' },
  { id: 'GLDEPO1000', line: 'EPO', name: 'Gold EPO 1000' },
];
const DENTAL: BenchPlan = { id: 'DENPLUS', line: 'DEN', name: 'Dental Plus' };
const VISION: BenchPlan = { id: 'VISBASIC', line: 'VIS', name: 'Vision Basic' };

export const groupNumber = (i: number): string => `BGRP${String(i + 1).padStart(4, '0')}`;

/** Medical plans group `i` offers: three of the six, on distinct lines where possible. */
function groupMedical(i: number): BenchPlan[] {
  const out: BenchPlan[] = [];
  for (let k = 0; out.length < 3 && k < MEDICAL_PLANS.length; k++) {
    const p = MEDICAL_PLANS[(i + k * 2) % MEDICAL_PLANS.length]!;
    // One plan per line and group, so HD03 + HD04 always name exactly one offer.
    if (!out.some((x) => x.line === p.line)) out.push(p);
  }
  return out;
}

/** The reference data the generated files are valid against (validate with ReferenceDataSchema). */
export function ingestReferenceData(groups: number): ReferenceDataInput {
  const level = (coverage_level: 'EMP' | 'ESP' | 'ECH' | 'FAM', rate: number) => ({
    coverage_level,
    monthly_rate: rate,
    effective: { from: '2020-01-01' },
  });
  const rates = (base: number) => [level('EMP', base), level('ESP', base * 2), level('ECH', base * 1.8), level('FAM', base * 3)];
  return {
    partners: [
      {
        id: INGEST_PARTNER_ID,
        name: 'Fake Sponsor (bench)',
        isa: { qualifier: 'ZZ', id: INGEST_SENDER },
        gs_id: INGEST_SENDER,
        receiver: { isa_qualifier: 'ZZ', isa_id: INGEST_RECEIVER, gs_id: INGEST_RECEIVER },
        transactions: ['834'],
      },
    ],
    plans: [...MEDICAL_PLANS, DENTAL, VISION].map((p, i) => ({
      id: p.id,
      insurance_line: p.line as 'HLT',
      name: p.name,
      rates: rates(p.line === 'DEN' ? 40 : p.line === 'VIS' ? 8 : 400 + i * 25),
    })),
    groups: Array.from({ length: groups }, (_, i) => ({
      group_number: groupNumber(i),
      name: `Fake Employer Group ${i + 1}`,
      partner: INGEST_PARTNER_ID,
      billing: { day: 1 + (i % 28), cycle: 'monthly' as const },
      // Half the groups end what a full file omits, half queue it for review.
      omitted_members: i % 2 === 0 ? ('terminate' as const) : ('review' as const),
      plans: [...groupMedical(i).map((p) => p.id), DENTAL.id, VISION.id],
    })),
  };
}

/** First day of the current UTC month, CCYYMMDD. */
export function firstOfThisMonth(now = new Date()): string {
  const m = now.getUTCMonth() + 1;
  return `${now.getUTCFullYear()}${m < 10 ? '0' : ''}${m}01`;
}

function firstOfNextMonth(ccyymmdd: string): string {
  let y = Number(ccyymmdd.slice(0, 4));
  let m = Number(ccyymmdd.slice(4, 6)) + 1;
  if (m > 12) {
    m = 1;
    y++;
  }
  return `${y}${m < 10 ? '0' : ''}${m}01`;
}

const FEMALE = ['ALICE', 'BEATRIX', 'CAROL', 'DORA', 'EVE', 'FAYE', 'GRETA', 'HOPE', 'IRIS', 'JUNO', 'KARMA', 'LUNA'] as const;
const MALE = ['ALPHA', 'BRAVO', 'CHARLIE', 'DELTA', 'ECHO', 'FOXTROT', 'GOLF', 'HOTEL', 'JULIETT', 'KILO', 'LIMA', 'OSCAR'] as const;

interface Address {
  line1: string;
  line2: string;
  city: string;
  state: string;
  zip: string;
}

function realAddress(rng: Prng): Address {
  const place = rng.pick(REAL_PLACES);
  const base = fake.address(rng);
  return { line1: base.line1, line2: base.line2, city: place.city, state: place.state, zip: place.zip };
}

export async function generateIngest834(path: string, options: GenerateIngest834Options): Promise<GenerateIngestResult> {
  const members = Math.floor(options.members);
  if (!(members >= 1)) throw new RangeError('generateIngest834: members must be >= 1');
  const seed = options.seed ?? 834;
  const groups = Math.max(1, Math.floor(options.groups ?? 10));
  const replace = options.mode === 'replace';
  const omitRate = replace ? (options.omitRate ?? 0.001) : 0;
  const moveRate = replace ? (options.changeAddressRate ?? 0.01) : 0;
  const coverageBegin = options.coverageBegin ?? firstOfThisMonth();
  const beginYear = Number(coverageBegin.slice(0, 4));
  // A full file takes effect the next month: what it omits ends on the last day of this one.
  const fileDate = replace ? firstOfNextMonth(coverageBegin) : coverageBegin;
  const env: EnvelopeParams = {
    sender: INGEST_SENDER,
    receiver: INGEST_RECEIVER,
    date: fileDate,
    time: '0100',
    control: options.control,
    functionalId: 'BE',
    version: '005010X220A1',
  };
  const [ins03, ins04, hd01, bgn08] = replace ? ['030', 'XN', '030', 'RX'] : ['021', '28', '021', '2'];
  const perGroup = Math.floor(members / groups);
  const stats = { membersWritten: 0, families: 0, omittedFamilies: 0, omittedMembers: 0, movedFamilies: 0, movedMembers: 0 };

  const w = await SegmentWriter.create(path);
  try {
    w.seg(isa(env));
    w.seg(gs(env));
    let memberNo = 0;
    let familyNo = 0;
    let sets = 0;
    for (let g = 0; g < groups; g++) {
      const setMembers = g === groups - 1 ? members - perGroup * (groups - 1) : perGroup;
      if (setMembers <= 0) continue;
      const group = groupNumber(g);
      const medical = groupMedical(g);
      // The member stream is the same in both modes; the RX decisions come from their own stream.
      const rng = new Prng(subSeed(seed, g));
      const alt = new Prng(subSeed(seed ^ 0x5eed, g));
      const control = stControl(++sets);
      w.setCount = 0;
      w.seg(s('ST', '834', control, '005010X220A1'));
      w.seg(s('BGN', '00', `BI${replace ? 'RX' : 'CH'}-${seed}-${options.control}-${g + 1}`, fileDate, '0100', '', '', '', bgn08));
      w.seg(s('REF', '38', group));
      w.seg(s('DTP', '007', 'D8', fileDate));
      w.seg(s('N1', 'P5', `FAKE EMPLOYER GROUP ${g + 1}`, 'FI', fake.fakeEin(rng)));
      w.seg(s('N1', 'IN', 'EXAMPLE HEALTH PLAN', 'FI', '990000001'));

      let left = setMembers;
      while (left > 0) {
        const size = Math.min(familySize(rng), left);
        left -= size;
        familyNo++;
        stats.families++;
        const relations = ['18'];
        const spouse = size >= 2 && rng.chance(0.7);
        if (spouse) relations.push('01');
        while (relations.length < size) relations.push('19');
        const children = relations.length - (spouse ? 2 : 1);
        const level = spouse ? (children > 0 ? 'FAM' : 'ESP') : children > 0 ? 'ECH' : 'EMP';
        const products: BenchPlan[] = [rng.pick(medical)];
        if (rng.chance(0.55)) products.push(DENTAL);
        if (rng.chance(0.35)) products.push(VISION);
        const subscriberId = `B${String(familyNo).padStart(9, '0')}`;
        const last = fake.surname(rng);
        let address = realAddress(rng);
        const parentBirthYear = rng.range(beginYear - 64, beginYear - 27);
        // Always drawn, so the member stream does not depend on the mode.
        const omit = alt.chance(omitRate);
        const move = alt.chance(moveRate);
        const moved = realAddress(alt);
        if (move && !omit) {
          address = moved;
          stats.movedFamilies++;
          stats.movedMembers += size;
        }
        if (omit) {
          stats.omittedFamilies++;
          stats.omittedMembers += size;
        }
        const childNameStart = rng.int(12);
        let childNo = 0;
        for (const rel of relations) {
          memberNo++;
          const subscriber = rel === '18';
          const gender: 'M' | 'F' = rel === '01' ? (rng.chance(0.8) ? 'F' : 'M') : rng.chance(0.5) ? 'M' : 'F';
          // Distinct first names among a family's children (the matcher tells dependents apart by name).
          const first =
            rel === '19' ? (gender === 'M' ? MALE : FEMALE)[(childNameStart + childNo++) % 12]! : rng.pick(gender === 'M' ? MALE : FEMALE);
          const middle = rng.chance(0.35) ? String.fromCharCode(65 + rng.int(26)) : '';
          // Children younger than 26 on the coverage begin date; parents 27–64.
          const dob = rel === '19' ? fake.date(rng, beginYear - 24, beginYear - 1) : fake.date(rng, parentBirthYear - 3, parentBirthYear + 3);
          const hire = subscriber ? fake.date(rng, beginYear - 20, beginYear - 1) : '';
          const employment = subscriber ? rng.pick(['FT', 'FT', 'FT', 'PT']) : '';
          const marital = subscriber && rng.chance(0.5) ? rng.pick(['M', 'I', 'D', 'S']) : '';
          const phone = subscriber && rng.chance(0.6) ? fake.phone(rng) : '';
          if (omit) continue;
          stats.membersWritten++;
          w.seg(s('INS', subscriber ? 'Y' : 'N', rel, ins03, ins04, 'A', '', '', employment));
          w.seg(s('REF', '0F', subscriberId));
          w.seg(s('REF', '1L', group));
          w.seg(s('DTP', '356', 'D8', coverageBegin));
          if (hire !== '') w.seg(s('DTP', '336', 'D8', hire));
          w.seg(s('NM1', 'IL', '1', last, first, middle, '', '', '34', fake.fakeSsn(memberNo)));
          if (phone !== '') w.seg(s('PER', 'IP', '', 'HP', phone));
          w.seg(s('N3', address.line1, address.line2));
          w.seg(s('N4', address.city, address.state, address.zip));
          w.seg(s('DMG', 'D8', dob, gender, marital));
          for (const p of products) {
            w.seg(s('HD', hd01, '', p.line, p.id, level));
            w.seg(s('DTP', '348', 'D8', coverageBegin));
          }
        }
        await w.drain();
      }
      w.seg(s('SE', String(w.setCount + 1), control));
    }
    w.seg(ge(env, sets));
    w.seg(iea(env));
    const segments = w.totalCount;
    const bytes = await w.close();
    return { path, bytes, segments, sets, items: stats.membersWritten, mode: options.mode, coverageBegin, ...stats };
  } catch (err) {
    await w.abort();
    throw err;
  }
}
