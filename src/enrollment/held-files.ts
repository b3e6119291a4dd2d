/**
 * Held full files: a full file (834 BGN08 RX) that would end or queue more than a group's
 * share of its members in force (employer_group.full_file_hold_percent, default 5) is not
 * applied at once (FULLHOLD in apply/apply-set.ts). It waits in `held_full_file` with what it
 * would change and a `full-file-held` exception, until a person
 * - releases it: the set is read again from the file's archived copy and applied through the
 *   same rules with the hold bypassed, in one transaction with the decision; the exception is
 *   resolved;
 * - or rejects it: nothing of it is applied; the exception is rejected with the note.
 * Both decisions are recorded on the row (who, when, note) and in the exception's history.
 * A decided file is final: deciding it again is refused (INVALID_STATE).
 */
import { z } from 'zod';
import { EdiBridgeError, type ErrorContext } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Db } from '../db/db.js';
import { isFinalState, type ExceptionState } from '../exceptions/categories.js';
import { transitionException } from '../exceptions/store.js';
import { identifyFile } from '../ingest/file-identity.js';
import { streamSource } from '../ingest/source.js';
import type { PhiProtector } from '../phi/protector.js';
import type { ObjectStore } from '../transport/store/object-store.js';
import { emptyCounts, type ApplyCounts } from './apply/applier.js';
import type { FullFilePreview, SetOutcome } from './apply/apply-set.js';
import { enrollmentHandler } from './handler.js';

export const HELD_FILE_STATES = ['held', 'released', 'rejected'] as const;
export type HeldFileState = (typeof HELD_FILE_STATES)[number];

/** Why a held-file operation was refused (`code`: NOT_FOUND for NOT_FOUND, INVALID_STATE otherwise). */
export type HeldFileRefusal =
  | 'NOT_FOUND'
  /** Released or rejected already. */
  | 'ALREADY_DECIDED'
  /** The file has no archived copy (ingested from a local path), or the copy is not its bytes. */
  | 'NO_ARCHIVED_COPY'
  /** The archived file holds no 834 set at the held set's place. */
  | 'SET_NOT_FOUND';

export class HeldFileError extends EdiBridgeError {
  constructor(
    readonly refusal: HeldFileRefusal,
    message: string,
    context: ErrorContext = {},
  ) {
    super(refusal === 'NOT_FOUND' ? 'NOT_FOUND' : 'INVALID_STATE', message, { ...context, refusal });
  }
}

const Id = z.string().regex(/^[1-9][0-9]{0,18}$/, 'must be a held file id');
const Actor = z.string().trim().min(1, 'must name who acts').max(100);
const Note = z.string().trim().min(1, 'must not be empty').max(4000);

export const ListHeldFilesInput = z
  .object({
    state: z.enum(HELD_FILE_STATES).optional(),
    group: z.string().trim().min(1).max(80).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();
export type ListHeldFilesInput = z.input<typeof ListHeldFilesInput>;

export const HeldFileIdInput = z.object({ id: Id }).strict();
export const ReleaseHeldFileInput = z.object({ id: Id, actor: Actor, note: Note.optional() }).strict();
export type ReleaseHeldFileInput = z.input<typeof ReleaseHeldFileInput>;
export const RejectHeldFileInput = z.object({ id: Id, actor: Actor, note: Note }).strict();
export type RejectHeldFileInput = z.input<typeof RejectHeldFileInput>;

/** What a release applied (held_full_file.result). */
export interface HeldFileResult {
  status: SetOutcome['status'];
  counts: SetOutcome['counts'];
  omitted: number;
  queued: number;
  exceptions: SetOutcome['exceptions'];
  note?: string;
}

export interface HeldFile {
  id: string;
  fileId: string;
  fileName: string;
  partner: string;
  setControl: string;
  /** BGN02. */
  reference: string | null;
  groupNumber: string;
  state: HeldFileState;
  preview: FullFilePreview;
  exceptionId: string | null;
  receivedAt: Date;
  heldAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  note: string | null;
  result: HeldFileResult | null;
}

const COLUMNS = `h.id::text as id, h.file_id::text as "fileId", f.file_name as "fileName", h.partner, h.set_control as "setControl",
  h.reference, h.group_number as "groupNumber", h.state, h.preview, h.exception_id::text as "exceptionId",
  f.received_at as "receivedAt", h.held_at as "heldAt", h.decided_by as "decidedBy", h.decided_at as "decidedAt", h.note, h.result`;

/** Held files, newest first, filtered by state and group. */
export async function listHeldFiles(db: Db, input: ListHeldFilesInput): Promise<HeldFile[]> {
  const q = ListHeldFilesInput.parse(input);
  const { rows } = await db.query<HeldFile>(
    `select ${COLUMNS} from held_full_file h join inbound_file f on f.id = h.file_id
      where ($1::text is null or h.state = $1) and ($2::text is null or h.group_number = $2)
      order by h.held_at desc, h.id desc limit $3 offset $4`,
    [q.state ?? null, q.group ?? null, q.limit, q.offset],
  );
  return rows;
}

/** One held file with its preview; NOT_FOUND when there is none. */
export async function getHeldFile(db: Db, id: string): Promise<HeldFile> {
  const { id: key } = parseId(id);
  const { rows } = await db.query<HeldFile>(`select ${COLUMNS} from held_full_file h join inbound_file f on f.id = h.file_id where h.id = $1::bigint`, [key]);
  const row = rows[0];
  if (!row) throw new HeldFileError('NOT_FOUND', `no held file ${key}`, { heldFile: key });
  return row;
}

function parseId(id: string): { id: string } {
  const r = HeldFileIdInput.safeParse({ id });
  if (!r.success) throw new HeldFileError('NOT_FOUND', `no held file ${String(id)}`, {});
  return r.data;
}

/** What a release needs: the database, the archive the file is read from, the PHI key, the clock. */
export interface ReleaseDeps {
  db: Db;
  store: ObjectStore;
  phi: PhiProtector;
  now: () => Date;
  log?: Logger;
}

export interface ReleaseResult {
  heldFile: HeldFile;
  /** What the set applied. */
  outcome: SetOutcome;
}

interface SourceRow {
  state: HeldFileState;
  file_id: string;
  file_offset: string;
  interchange_control: string;
  set_control: string;
  partner: string;
  exception_id: string | null;
  archive_key: string | null;
  sha256: string;
  file_name: string;
  received_at: Date;
}

function refuseDecided(id: string, state: HeldFileState): never {
  throw new HeldFileError('ALREADY_DECIDED', `held file ${id} was ${state} already: a decided file cannot be decided again`, { heldFile: id, state });
}

/**
 * Applies a held full file's set for real: its bytes read again from the archive (checked
 * against the file's SHA-256), the set at its recorded place applied through the 834 rules
 * with the hold bypassed, the decision recorded, and its exception resolved, in one transaction.
 */
export async function releaseHeldFile(deps: ReleaseDeps, input: ReleaseHeldFileInput): Promise<ReleaseResult> {
  const { id, actor, note } = ReleaseHeldFileInput.parse(input);
  const { db } = deps;
  const row = (
    await db.query<SourceRow>(
      `select h.state, h.file_id::text as file_id, h.file_offset::text as file_offset, h.interchange_control, h.set_control, h.partner,
              h.exception_id::text as exception_id, f.archive_key, f.sha256, f.file_name, f.received_at
         from held_full_file h join inbound_file f on f.id = h.file_id where h.id = $1::bigint`,
      [id],
    )
  ).rows[0];
  if (!row) throw new HeldFileError('NOT_FOUND', `no held file ${id}`, { heldFile: id });
  if (row.state !== 'held') refuseDecided(id, row.state);
  if (!row.archive_key) {
    throw new HeldFileError('NO_ARCHIVED_COPY', `held file ${id}: file ${row.file_id} was ingested from a local path and has no archived copy to apply; reject it and ingest the file again`, { heldFile: id, file: row.file_id });
  }
  const key = row.archive_key;
  const size = (await deps.store.head(key))?.size;
  const source = streamSource(row.file_name, () => deps.store.get(key), size);
  const identity = await identifyFile(source);
  if (identity.sha256 !== row.sha256.toLowerCase()) {
    throw new HeldFileError('NO_ARCHIVED_COPY', `held file ${id}: the archived copy of file ${row.file_id} is not the file received (its SHA-256 differs)`, { heldFile: id, file: row.file_id });
  }
  const log = (deps.log ?? silentLogger()).child({ heldFile: id, fileId: row.file_id, set: row.set_control });
  return db.transaction(async (tx) => {
    // Two people releasing (or one releasing, one rejecting) wait for each other; the second is refused.
    const locked = (await tx.query<{ state: HeldFileState }>('select state from held_full_file where id = $1::bigint for update', [id])).rows[0];
    if (!locked) throw new HeldFileError('NOT_FOUND', `no held file ${id}`, { heldFile: id });
    if (locked.state !== 'held') refuseDecided(id, locked.state);
    // The set's record as held makes way for the record of it applied.
    await tx.query(`delete from inbound_set where file_id = $1::bigint and file_offset = $2::bigint and status = 'held'`, [row.file_id, row.file_offset]);
    const handler = enrollmentHandler({ phi: deps.phi, holdFullFiles: false });
    const result = await handler.apply({
      db: tx,
      source,
      fileId: row.file_id,
      partnerId: row.partner,
      sets: [{ control: row.set_control, fileOffset: Number(row.file_offset), interchangeControl: row.interchange_control }],
      receivedAt: row.received_at,
      now: deps.now,
      log,
      inSetTransaction: async () => {},
    });
    const outcome = result.sets[0];
    if (!outcome || outcome.setControl !== row.set_control) {
      throw new HeldFileError('SET_NOT_FOUND', `held file ${id}: the archived file ${row.file_id} has no 834 set ${row.set_control} at its recorded place`, { heldFile: id, file: row.file_id, set: row.set_control });
    }
    const applied: HeldFileResult = {
      status: outcome.status,
      counts: outcome.counts,
      omitted: outcome.omitted,
      queued: outcome.queued,
      exceptions: outcome.exceptions,
      ...(outcome.note ? { note: outcome.note } : {}),
    };
    await tx.query(
      `update held_full_file set state = 'released', decided_by = $2, decided_at = greatest(now(), held_at), note = $3, result = $4::jsonb where id = $1::bigint`,
      [id, actor, note ?? null, JSON.stringify(applied)],
    );
    const said = outcome.status === 'applied' ? `released: the full file was applied (${describeCounts(outcome.counts)})` : `released, but nothing was applied: ${outcome.note ?? outcome.status}`;
    await closeItem(tx, row.exception_id, 'resolved', actor, note ? `${said}. ${note}` : said);
    log.info({ status: outcome.status, counts: outcome.counts }, 'held full file released');
    return { heldFile: await getHeldFile(tx, id), outcome };
  });
}

/** Rejects a held full file: nothing of it is applied; the decision and note are recorded and its exception rejected. */
export async function rejectHeldFile(db: Db, input: RejectHeldFileInput): Promise<HeldFile> {
  const { id, actor, note } = RejectHeldFileInput.parse(input);
  return db.transaction(async (tx) => {
    const row = (await tx.query<{ state: HeldFileState; exception_id: string | null }>('select state, exception_id::text as exception_id from held_full_file where id = $1::bigint for update', [id])).rows[0];
    if (!row) throw new HeldFileError('NOT_FOUND', `no held file ${id}`, { heldFile: id });
    if (row.state !== 'held') refuseDecided(id, row.state);
    await tx.query(`update held_full_file set state = 'rejected', decided_by = $2, decided_at = greatest(now(), held_at), note = $3 where id = $1::bigint`, [id, actor, note]);
    await closeItem(tx, row.exception_id, 'rejected', actor, `rejected: nothing of the full file was applied. ${note}`);
    return getHeldFile(tx, id);
  });
}

/**
 * Moves the held file's exception to its final state with the decision as the note; an item
 * a person already closed by hand gets the decision as a comment in its history instead.
 */
async function closeItem(tx: Db, exceptionId: string | null, to: 'resolved' | 'rejected', actor: string, note: string): Promise<void> {
  if (exceptionId === null) return;
  const state = (await tx.query<{ state: ExceptionState }>('select state from exception where id = $1::bigint for update', [exceptionId])).rows[0]?.state;
  if (state === undefined) return;
  if (!isFinalState(state)) {
    await transitionException(tx, exceptionId, to, { actor, note });
    return;
  }
  await tx.query(
    `insert into exception_event (exception_id, at, actor, from_state, to_state, note, kind)
     select id, greatest(now(), updated_at), $2, state, state, $3, 'comment' from exception where id = $1::bigint`,
    [exceptionId, actor, note],
  );
}

/** "3 terminated, 1 unchanged": the counts that are not zero ("nothing changed" when all are). */
function describeCounts(c: ApplyCounts): string {
  const parts = (Object.keys(emptyCounts()) as Array<keyof ApplyCounts>).filter((k) => c[k] > 0).map((k) => `${c[k]} ${k}`);
  return parts.length ? parts.join(', ') : 'nothing changed';
}
