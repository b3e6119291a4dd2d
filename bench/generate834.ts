/**
 * Deterministic generator for large 834 (005010X220A1) benefit enrollment files.
 *
 * Shape per the X220A1 guide: ISA/GS, then ST sets each holding BGN, REF*38,
 * DTP*007, 1000A N1*P5, 1000B N1*IN, and 2000 member loops grouped in families
 * (subscriber INS*Y*18 first, then spouse INS*N*01 / children INS*N*19). Each
 * member: REF*0F, REF*1L (some), DTP*356 / DTP*336 / DTP*357, 2100A NM1*IL,
 * PER (some subscribers), N3, N4, DMG, and 1–3 2300 HD loops with DTP*348/349.
 * Families never straddle two ST sets. Output is streamed in ~1 MiB chunks.
 */
import { Prng, subSeed } from './prng.js';
import { SegmentWriter } from './writer.js';
import { FILE_DATE, FILE_TIME, benchEnvelope, gs, ge, iea, isa, setSizes, stControl } from './envelope.js';
import { segment as s } from './segment.js';
import * as fake from './fake.js';

export interface Generate834Options {
  /** Number of 2000 (INS) member loops in the whole file. */
  members: number;
  seed?: number;
  /** Members per ST/SE transaction set (the last set takes the remainder). */
  setSize?: number;
}

export interface GenerateResult {
  path: string;
  bytes: number;
  /** All segments in the file, ISA..IEA inclusive. */
  segments: number;
  /** Number of ST/SE transaction sets. */
  sets: number;
  /** Members (834) or remittance lines (820). */
  items: number;
}

/** File date/time are fixed (not the clock) so output is reproducible. */

interface Product {
  line: string;
  plan: string;
}

const MEDICAL: readonly Product[] = [
  { line: 'HLT', plan: 'BRONZE HEALTH 6000' },
  { line: 'PPO', plan: 'GOLD PPO 1500' },
  { line: 'PPO', plan: 'SILVER PPO 3000' },
  { line: 'HMO', plan: 'SILVER HMO 2500' },
  { line: 'POS', plan: 'PLATINUM POS 500' },
  { line: 'EPO', plan: 'GOLD EPO 1000' },
];
const DENTAL: Product = { line: 'DEN', plan: 'DENTAL PLUS' };
const VISION: Product = { line: 'VIS', plan: 'VISION BASIC' };

type Maintenance = 'add' | 'change' | 'term';

interface Family {
  subscriberId: string;
  group: string;
  last: string;
  address: fake.Address;
  maintenance: Maintenance;
  products: Product[];
  coverageLevel: string;
  coverageBegin: string;
  termDate: string;
  /** Relationship codes in member order: 18 (self), 01 (spouse), 19 (child). */
  relations: string[];
}

export async function generate834(path: string, options: Generate834Options): Promise<GenerateResult> {
  const members = Math.floor(options.members);
  if (!(members >= 1)) throw new RangeError('generate834: members must be >= 1');
  const seed = options.seed ?? 834;
  const sizes = setSizes(members, options.setSize ?? 100_000);
  const env = benchEnvelope(seed, 'BE', '005010X220A1');

  const w = await SegmentWriter.create(path);
  try {
    w.seg(isa(env));
    w.seg(gs(env));
    let memberNo = 0;
    let familyNo = 0;
    for (let setIdx = 0; setIdx < sizes.length; setIdx++) {
      const rng = new Prng(subSeed(seed, setIdx));
      const setMembers = sizes[setIdx] ?? 0;
      const control = stControl(setIdx + 1);
      w.setCount = 0;
      w.seg(s('ST', '834', control, '005010X220A1'));
      // BGN08 "2" = change (update) file; the reference id is unique per set.
      w.seg(s('BGN', '00', `BENCH834-${seed}-${setIdx + 1}`, FILE_DATE, FILE_TIME, '', '', '', '2'));
      w.seg(s('REF', '38', `POLICY${String(setIdx + 1).padStart(4, '0')}`));
      w.seg(s('DTP', '007', 'D8', FILE_DATE));
      w.seg(s('N1', 'P5', `FAKE EMPLOYER GROUP ${setIdx + 1}`, 'FI', fake.fakeEin(rng)));
      w.seg(s('N1', 'IN', 'EXAMPLE HEALTH PLAN', 'FI', '990000001'));

      let left = setMembers;
      while (left > 0) {
        const family = makeFamily(rng, ++familyNo, left);
        left -= family.relations.length;
        for (const rel of family.relations) writeMember(w, rng, family, rel, ++memberNo);
        await w.drain();
      }
      w.seg(s('SE', String(w.setCount + 1), control));
    }
    w.seg(ge(env, sizes.length));
    w.seg(iea(env));
    const segments = w.totalCount;
    const bytes = await w.close();
    return { path, bytes, segments, sets: sizes.length, items: members };
  } catch (err) {
    await w.abort();
    throw err;
  }
}

/** Family sizes roughly like an employer roster: many singles, some large families. */
export function familySize(rng: Prng): number {
  const r = rng.next();
  if (r < 0.45) return 1;
  if (r < 0.65) return 2;
  if (r < 0.8) return 3;
  if (r < 0.92) return 4;
  if (r < 0.98) return 5;
  return 6;
}

function makeFamily(rng: Prng, familyNo: number, maxSize: number): Family {
  const size = Math.min(familySize(rng), maxSize);
  const relations = ['18'];
  const spouse = size >= 2 && rng.chance(0.7);
  if (spouse) relations.push('01');
  while (relations.length < size) relations.push('19');

  const products: Product[] = [rng.pick(MEDICAL)];
  if (rng.chance(0.55)) products.push(DENTAL);
  if (rng.chance(0.35)) products.push(VISION);

  const children = relations.length - (spouse ? 2 : 1);
  const coverageLevel = spouse ? (children > 0 ? 'FAM' : 'ESP') : children > 0 ? 'ECH' : 'EMP';

  const r = rng.next();
  const maintenance: Maintenance = r < 0.85 ? 'add' : r < 0.97 ? 'change' : 'term';
  const beginYear = rng.range(2016, 2025);
  const beginMonth = rng.range(1, 12);
  return {
    subscriberId: `M${String(familyNo).padStart(9, '0')}`,
    group: rng.chance(0.7) ? `GRP${rng.digits(5)}` : '',
    last: fake.surname(rng),
    address: fake.address(rng),
    maintenance,
    products,
    coverageLevel,
    coverageBegin: `${beginYear}${beginMonth < 10 ? '0' : ''}${beginMonth}01`,
    termDate: '20260131',
    relations,
  };
}

function writeMember(w: SegmentWriter, rng: Prng, f: Family, rel: string, memberNo: number): void {
  const subscriber = rel === '18';
  const term = f.maintenance === 'term';
  // INS03/INS04: 021+28 initial enrollment, 001+25 change of identifying data, 024+07 termination.
  const [ins03, ins04, hd01] = f.maintenance === 'add' ? ['021', '28', '021'] : f.maintenance === 'change' ? ['001', '25', '001'] : ['024', '07', '024'];
  w.seg(s('INS', subscriber ? 'Y' : 'N', rel, ins03, ins04, term ? 'T' : 'A', '', '', subscriber ? rng.pick(['FT', 'FT', 'FT', 'PT']) : ''));
  w.seg(s('REF', '0F', f.subscriberId));
  if (f.group !== '') w.seg(s('REF', '1L', f.group));
  w.seg(s('DTP', '356', 'D8', f.coverageBegin));
  if (subscriber && rng.chance(0.6)) w.seg(s('DTP', '336', 'D8', fake.date(rng, 1995, 2015)));
  if (term) w.seg(s('DTP', '357', 'D8', f.termDate));

  const gender: 'M' | 'F' = rel === '01' ? (rng.chance(0.8) ? 'F' : 'M') : rng.chance(0.5) ? 'M' : 'F';
  const p = fake.person(rng, f.last, gender);
  // Young children often have no SSN on file; then NM108/NM109 are omitted.
  const hasSsn = rel !== '19' || rng.chance(0.7);
  w.seg(s('NM1', 'IL', '1', p.last, p.first, p.middle, '', '', hasSsn ? '34' : '', hasSsn ? fake.fakeSsn(memberNo) : ''));
  if (subscriber && rng.chance(0.6)) {
    const alt = rng.next();
    const second = alt < 0.4 ? ['WP', fake.phone(rng)] : alt < 0.6 ? ['EM', `${p.first}.${p.last}@EXAMPLE.COM`] : [];
    w.seg(s('PER', 'IP', '', 'HP', fake.phone(rng), ...second));
  }
  w.seg(s('N3', f.address.line1, f.address.line2));
  w.seg(s('N4', f.address.city, f.address.state, f.address.zip));
  const dob = rel === '19' ? fake.date(rng, 2006, 2025) : fake.date(rng, 1955, 2003);
  const marital = subscriber && rng.chance(0.5) ? rng.pick(['M', 'I', 'D', 'S']) : '';
  w.seg(s('DMG', 'D8', dob, p.gender, marital));

  for (const product of f.products) {
    w.seg(s('HD', hd01, '', product.line, product.plan, f.coverageLevel));
    w.seg(term ? s('DTP', '349', 'D8', f.termDate) : s('DTP', '348', 'D8', f.coverageBegin));
  }
}
