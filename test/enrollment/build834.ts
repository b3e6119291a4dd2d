/**
 * Small 834 (005010X220A1) interchanges for the apply-rule tests, built from member specs
 * or raw segments: a valid envelope (ISA/GS/ST ... SE/GE/IEA with correct counts), a
 * unique ISA13 and BGN02 per file unless given, from ZZ*ACMEEMPLOYER (or the summit-tpa
 * TPA, 30*411234567) to ZZ*EDIBRIDGEPLAN. Also the database set-up the tests share: one
 * schema per test file, migrated and loaded with samples/reference-data.yaml, wiped of
 * membership rows between tests, and a clock fixed at 2026-11-23 (the ingest's `now`, which
 * is also the file's receipt time the retro rules count from).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { migrate } from '../../src/db/migrate.js';
import { enrollmentHandler, enrollmentOf, type EnrollmentHandlerOptions, type EnrollmentResult } from '../../src/enrollment/handler.js';
import { handlerRegistry } from '../../src/ingest/handlers.js';
import { ingestFile, type IngestOptions, type IngestResult } from '../../src/ingest/ingest.js';
import { PhiProtector } from '../../src/phi/protector.js';
import { loadReferenceData, readReferenceFile } from '../../src/reference/index.js';
import { pgHarness, useTestDb } from '../db/harness.js';

// ---- the 834 builder ---------------------------------------------------------------

export interface Sender {
  qualifier: string;
  id: string;
  gsId: string;
}

export const ACME: Sender = { qualifier: 'ZZ', id: 'ACMEEMPLOYER', gsId: 'ACMEEMPLOYER' };
export const SUMMIT: Sender = { qualifier: '30', id: '411234567', gsId: 'SUMMITTPA' };

export interface AddressSpec {
  line1: string;
  city: string;
  state: string;
  zip: string;
}

export const SPRINGFIELD: AddressSpec = { line1: '100 EXAMPLE STREET', city: 'SPRINGFIELD', state: 'IL', zip: '62701' };
export const CHICAGO: AddressSpec = { line1: '200 LAKE SHORE DR', city: 'CHICAGO', state: 'IL', zip: '60601' };

export interface CoverageSpec {
  /** HD01, default the member's INS03. */
  mt?: string;
  line: string;
  /** HD04 plan. */
  plan?: string;
  /** HD05 coverage level. */
  level?: string;
  /** DTP*348 (YYYYMMDD); default 20261201. Null: none. */
  begin?: string | null;
  /** DTP*349 (YYYYMMDD). */
  end?: string | undefined;
  /** A 2320 COB loop (other coverage). */
  cob?: boolean;
}

export interface MemberSpec {
  /** REF*0F subscriber number. */
  sub: string;
  /** INS02, default 18 (self). */
  rel?: string;
  /** INS03, default 021. */
  mt?: string;
  /** INS04; default by INS03. */
  reason?: string;
  /** INS05, default A. */
  status?: string;
  /** INS06 Medicare plan (e.g. 'C' or 'C:0'). */
  medicare?: string;
  /** INS07 COBRA qualifying event. */
  cobraEvent?: string;
  /** INS08, default FT for a subscriber. */
  employment?: string | undefined;
  /** REF*1L. */
  group?: string;
  /** Other 2000 REFs, e.g. [['DX', '0001'], ['17', '2001']]. */
  refs?: Array<[string, string]>;
  /** 2000 DTPs, e.g. [['356', '20261201'], ['357', '20261130']]. */
  dates?: Array<[string, string]>;
  last: string;
  first: string;
  /** NM105. */
  middle?: string;
  ssn?: string;
  /** DMG02 (YYYYMMDD). */
  dob?: string;
  gender?: string;
  address?: AddressSpec;
  /** 2100C NM1*31 mailing address. */
  mailing?: AddressSpec;
  /** 2100F NM1*S3 custodial parent. */
  custodial?: { last: string; first: string; middle?: string; address?: AddressSpec };
  coverages?: CoverageSpec[];
}

const DEFAULT_REASON: Record<string, string> = { '021': '28', '001': 'AI', '024': '07', '025': '41', '030': 'XN' };

/** A segment from its elements, trailing empty elements dropped. */
export function seg(...elements: Array<string | undefined>): string {
  const e = elements.map((x) => x ?? '');
  while (e.length > 1 && e[e.length - 1] === '') e.pop();
  return e.join('*');
}

/** The 2000 loop (and what it holds) of one member. */
export function member(m: MemberSpec): string[] {
  const rel = m.rel ?? '18';
  const subscriber = rel === '18';
  const mt = m.mt ?? '021';
  const out: string[] = [];
  out.push(seg('INS', subscriber ? 'Y' : 'N', rel, mt, m.reason ?? DEFAULT_REASON[mt] ?? 'AI', m.status ?? 'A', m.medicare, m.cobraEvent, m.employment ?? (subscriber ? 'FT' : undefined)));
  out.push(seg('REF', '0F', m.sub));
  if (m.group) out.push(seg('REF', '1L', m.group));
  for (const [q, v] of m.refs ?? []) out.push(seg('REF', q, v));
  for (const [q, d] of m.dates ?? []) out.push(seg('DTP', q, 'D8', d));
  out.push(m.ssn ? seg('NM1', 'IL', '1', m.last, m.first, m.middle, '', '', '34', m.ssn) : seg('NM1', 'IL', '1', m.last, m.first, m.middle));
  if (m.address) out.push(seg('N3', m.address.line1), seg('N4', m.address.city, m.address.state, m.address.zip));
  if (m.dob) out.push(seg('DMG', 'D8', m.dob, m.gender ?? 'U'));
  if (m.mailing) out.push(seg('NM1', '31', '1'), seg('N3', m.mailing.line1), seg('N4', m.mailing.city, m.mailing.state, m.mailing.zip));
  if (m.custodial) {
    out.push(seg('NM1', 'S3', '1', m.custodial.last, m.custodial.first, m.custodial.middle));
    if (m.custodial.address) out.push(seg('N3', m.custodial.address.line1), seg('N4', m.custodial.address.city, m.custodial.address.state, m.custodial.address.zip));
  }
  for (const c of m.coverages ?? []) {
    out.push(seg('HD', c.mt ?? mt, '', c.line, c.plan, c.level));
    if (c.begin !== null) out.push(seg('DTP', '348', 'D8', c.begin ?? '20261201'));
    if (c.end) out.push(seg('DTP', '349', 'D8', c.end));
    if (c.cob) out.push(seg('COB', 'P', 'OTHERPOLICY1', '1'));
  }
  return out;
}

export interface SetSpec {
  /** ST02, default 0001, 0002, ... by position. */
  stControl?: string;
  /** BGN02, default unique. */
  reference?: string;
  /** BGN08: 2 change, 4 verify, RX replace. */
  action?: string;
  /** REF*38; default GRP10045; null: none. */
  masterPolicy?: string | null;
  /** DTP*007 (YYYYMMDD); default none. */
  effective?: string;
  /** Member loops (lists of segments without terminators), in file order. */
  members: string[][];
  /** Replaces the header segments between BGN and the first INS (REF*38, DTP*007, N1s). */
  header?: string[];
}

export interface InterchangeSpec {
  sender?: Sender;
  /** ISA08, default EDIBRIDGEPLAN. */
  receiver?: string;
  /** ISA13, default unique. */
  control?: number;
  sets: SetSpec[];
}

let counter = 100_000_000 + Math.floor(Math.random() * 800_000_000);

/** A control number no other built file of this process has. */
export function nextControl(): number {
  counter = counter >= 999_999_998 ? 100_000_000 : counter + 1;
  return counter;
}

/** The interchange text (segments end with `~` and a newline). */
export function interchange(spec: InterchangeSpec): string {
  const sender = spec.sender ?? ACME;
  const control = spec.control ?? nextControl();
  const isa13 = String(control).padStart(9, '0');
  const gs06 = String(control % 1_000_000_000);
  const segs: string[] = [
    `ISA*00*          *00*          *${sender.qualifier.padEnd(2)}*${sender.id.padEnd(15)}*ZZ*${(spec.receiver ?? 'EDIBRIDGEPLAN').padEnd(15)}*261123*0930*^*00501*${isa13}*0*T*:`,
    seg('GS', 'BE', sender.gsId, 'EDIBRIDGEPLAN', '20261123', '0930', gs06, 'X', '005010X220A1'),
  ];
  spec.sets.forEach((s, i) => {
    const st = s.stControl ?? String(i + 1).padStart(4, '0');
    const header = s.header ?? [
      ...(s.masterPolicy === null ? [] : [seg('REF', '38', s.masterPolicy ?? 'GRP10045')]),
      ...(s.effective ? [seg('DTP', '007', 'D8', s.effective)] : []),
      seg('N1', 'P5', 'ACME WIDGETS INC', 'FI', '123456789'),
      seg('N1', 'IN', 'EDIBRIDGE HEALTH PLAN', 'FI', '987654321'),
    ];
    const body = [
      seg('ST', '834', st, '005010X220A1'),
      seg('BGN', '00', s.reference ?? `T${control}-${i + 1}`, '20261123', '0930', '', '', '', s.action ?? '2'),
      ...header,
      ...s.members.flat(),
    ];
    segs.push(...body, seg('SE', String(body.length + 1), st));
  });
  segs.push(seg('GE', String(spec.sets.length), gs06), seg('IEA', '1', isa13));
  return segs.map((s) => `${s}~\n`).join('');
}

/** One interchange with one set of these members. */
export function build834(members: string[][], options: Omit<SetSpec, 'members'> & Omit<InterchangeSpec, 'sets'> = {}): string {
  const { sender, control, receiver, ...set } = options;
  return interchange({ ...(sender ? { sender } : {}), ...(control !== undefined ? { control } : {}), ...(receiver ? { receiver } : {}), sets: [{ ...set, members }] });
}

let dir: string | undefined;
let files = 0;

/** The current tests' temp folder (one per describe that uses useEnrollmentDb). */
function tempDir(): string {
  return (dir ??= mkdtempSync(join(tmpdir(), 'edibridge-apply-')));
}

/** Writes the text to a new file in the tests' temp folder; returns its path. */
export function writeTemp(text: string, name = `f${++files}.x12`): string {
  const p = join(tempDir(), name);
  writeFileSync(p, text);
  return p;
}

/** Where the ingests write their acknowledgements. */
export function ackDir(): string {
  return join(tempDir(), 'acks');
}

// ---- the database and the ingest ----------------------------------------------------

export const TODAY = '2026-11-23';
export const NOW = new Date(`${TODAY}T12:00:00Z`);
export const phi = new PhiProtector(Buffer.alloc(32, 7));

const REFERENCE = fileURLToPath(new URL('../../samples/reference-data.yaml', import.meta.url));

/**
 * For a test file: PostgreSQL (TEST_DATABASE_URL) with the file's own schema, migrated and
 * loaded with the sample reference data once; membership, files and exceptions wiped before
 * each test.
 */
export function useEnrollmentDb(): () => Db {
  const harness = useTestDb(() => pgHarness());
  beforeAll(async () => {
    const db = harness().db;
    await migrate(db);
    await loadReferenceData(db, await readReferenceFile(REFERENCE));
  });
  let failed = false;
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      failed = true;
    });
  });
  afterAll(() => {
    // The files and acknowledgements stay for inspection when a test failed.
    if (!dir) return;
    if (failed) console.warn(`a test failed: its 834 files and acknowledgements are kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  beforeEach(async () => {
    await harness().db.exec(
      'truncate inbound_set, id_card_request, retro_adjustment, member_history, coverage, member, exception_event, exception, inbound_file restart identity cascade;',
    );
  });
  return () => harness().db;
}

/** An ingest's verdict with what its 834 handler applied beside it (sets, totals). */
export type Ingested = IngestResult & Pick<EnrollmentResult, 'sets' | 'totals'>;

/** ingestFile with the 834 handler registered, as the application registers it. */
export async function ingest834(
  path: string,
  options: Omit<IngestOptions, 'handlers'> & Omit<EnrollmentHandlerOptions, 'phi'> & { phi?: PhiProtector },
): Promise<Ingested> {
  const { phi: key = phi, batchMembers, ssnThread, onSetCommitted, ...rest } = options;
  const handler = enrollmentHandler({
    phi: key,
    ...(batchMembers !== undefined ? { batchMembers } : {}),
    ...(ssnThread !== undefined ? { ssnThread } : {}),
    ...(onSetCommitted !== undefined ? { onSetCommitted } : {}),
  });
  const result = await ingestFile(path, { ...rest, handlers: handlerRegistry(handler) });
  const { sets, totals } = enrollmentOf(result);
  return { ...result, sets, totals };
}

/** Ingests the text as a new file with the fixed clock; asserts every set passed validation. */
export async function ingest(db: Db, text: string, options: { expectRejected?: boolean; name?: string } = {}): Promise<Ingested> {
  const path = writeTemp(text, options.name);
  const result = await ingest834(path, { db, now: () => NOW, ackDir: ackDir() });
  if (!options.expectRejected && result.status !== 'duplicate') {
    expect(result.validation, 'validation ran').toBeDefined();
    expect(result.validation!.setsRejected, `sets rejected by the validator (acks in ${ackDir()})`).toBe(0);
  }
  return result;
}

// ---- reading the database back ------------------------------------------------------

export interface MemberRow {
  id: string;
  member_id: string;
  group_number: string;
  subscriber_number: string;
  is_subscriber: boolean;
  relationship: string;
  first_name: string | null;
  last_name: string | null;
  birth_date: string | null;
  eligibility_begin: string;
  eligibility_end: string | null;
  cancelled: boolean;
  class_code: string;
  subgroup: string | null;
  benefit_status: string;
  home_line1: string | null;
  home_city: string | null;
  home_state: string | null;
  home_zip: string | null;
  mailing_line1: string | null;
  mailing_city: string | null;
  mailing_zip: string | null;
  ssn_enc: Buffer | null;
  ssn_hmac: Buffer | null;
  custodial_parent: unknown;
}

export async function members(db: Db): Promise<MemberRow[]> {
  const { rows } = await db.query<MemberRow>(
    `select id::text as id, member_id, group_number, subscriber_number, is_subscriber, relationship, first_name, last_name,
            to_char(birth_date, 'YYYY-MM-DD') as birth_date, to_char(eligibility_begin, 'YYYY-MM-DD') as eligibility_begin,
            to_char(eligibility_end, 'YYYY-MM-DD') as eligibility_end, cancelled, class_code, subgroup, benefit_status,
            home_line1, home_city, home_state, home_zip, mailing_line1, mailing_city, mailing_zip, ssn_enc, ssn_hmac, custodial_parent
       from member order by group_number, subscriber_number, is_subscriber desc, id`,
  );
  return rows;
}

/** The member with this first name (exactly one). */
export async function memberNamed(db: Db, first: string): Promise<MemberRow> {
  const all = (await members(db)).filter((m) => m.first_name === first);
  expect(all, `members named ${first}`).toHaveLength(1);
  return all[0]!;
}

export interface CoverageRow {
  first_name: string;
  insurance_line: string;
  plan_id: string;
  coverage_level: string | null;
  begin_date: string;
  end_date: string | null;
  cancelled: boolean;
}

export async function coverages(db: Db): Promise<CoverageRow[]> {
  const { rows } = await db.query<CoverageRow>(
    `select m.first_name, c.insurance_line, c.plan_id, c.coverage_level, to_char(c.begin_date, 'YYYY-MM-DD') as begin_date,
            to_char(c.end_date, 'YYYY-MM-DD') as end_date, c.cancelled
       from coverage c join member m on m.id = c.member_id order by m.id, c.insurance_line, c.begin_date`,
  );
  return rows;
}

export interface HistoryRow {
  first_name: string;
  action: string;
  effective_date: string | null;
  changed: string[];
  previous: Record<string, unknown> | null;
  file_id: string;
  interchange_control: string;
  set_control: string;
  segment_position: number | null;
}

export async function history(db: Db): Promise<HistoryRow[]> {
  const { rows } = await db.query<HistoryRow>(
    `select m.first_name, h.action, to_char(h.effective_date, 'YYYY-MM-DD') as effective_date, h.changed, h.previous,
            h.file_id::text as file_id, h.interchange_control, h.set_control, h.segment_position
       from member_history h join member m on m.id = h.member_id order by h.id`,
  );
  return rows;
}

export interface ExceptionRow {
  category: string;
  group_number: string | null;
  subscriber_id: string | null;
  member_id: string | null;
  segment_position: number | null;
  set_control: string | null;
  description: string;
  partner: string;
}

export async function exceptions(db: Db): Promise<ExceptionRow[]> {
  const { rows } = await db.query<ExceptionRow>(
    'select category, group_number, subscriber_id, member_id, segment_position, set_control, description, partner from exception order by id',
  );
  return rows;
}

export async function categories(db: Db): Promise<string[]> {
  return (await exceptions(db)).map((e) => e.category);
}

export async function count(db: Db, table: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from ${table}`);
  return rows[0]!.n;
}

/** Everything the membership tables hold, for "nothing changed" comparisons. */
export async function membershipSnapshot(db: Db): Promise<unknown> {
  const out: Record<string, unknown[]> = {};
  for (const t of ['member', 'coverage', 'member_history', 'id_card_request', 'retro_adjustment']) {
    out[t] = (await db.query(`select * from ${t} t order by id`)).rows;
  }
  return out;
}

// ---- common families -------------------------------------------------------------------

/** A subscriber (PPO01 + DEN01 from 2026-12-01) with the given overrides. */
export function subscriber(sub: string, over: Partial<MemberSpec> = {}): string[] {
  return member({
    sub,
    last: 'SAMPLE',
    first: 'ALEX',
    ssn: `9${sub.slice(-8).padStart(8, '0')}`,
    dob: '19850214',
    gender: 'F',
    address: SPRINGFIELD,
    coverages: [
      { line: 'HLT', plan: 'PPO01', level: 'FAM' },
      { line: 'DEN', plan: 'DEN01', level: 'FAM' },
    ],
    ...over,
  });
}

export function dependent(sub: string, rel: string, first: string, dob: string, over: Partial<MemberSpec> = {}): string[] {
  return member({ sub, rel, last: 'SAMPLE', first, dob, coverages: [{ line: 'HLT', plan: 'PPO01', level: 'FAM' }], ...over });
}

/** Positions (ST = 1) of the INS segments of each set in the text, by set. */
export function insPositions(text: string): number[][] {
  const out: number[][] = [];
  let pos = 0;
  for (const s of text.split('~').map((x) => x.trim())) {
    if (s.startsWith('ST*')) {
      pos = 1;
      out.push([]);
    } else if (pos > 0) {
      pos++;
      if (s.startsWith('INS*')) out[out.length - 1]!.push(pos);
      if (s.startsWith('SE*')) pos = 0;
    }
  }
  return out;
}
