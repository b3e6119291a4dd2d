/**
 * The ingest by transaction set: each accepted set goes to the handler registered for its
 * ST01; a set with no handler leaves its file open as "waiting", never dropped or done; a
 * file read from bytes (no local path, as a worker hands it over) is ingested as a path is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { enrollmentHandler, enrollmentOf } from '../../src/enrollment/handler.js';
import { handlerRegistry, type HandlerResult, type SetHandler } from '../../src/ingest/handlers.js';
import { ingestFile } from '../../src/ingest/ingest.js';
import { bytesSource } from '../../src/ingest/source.js';
import { NOW, ackDir, count, phi, useEnrollmentDb } from '../enrollment/build834.js';

const SAMPLES = join(import.meta.dirname, '../../samples');

/** An 820 handler for the test: records each set it is handed, in the set's transaction. */
function recording820(): SetHandler & { seen: string[] } {
  const seen: string[] = [];
  return {
    transactionSet: '820',
    name: 'remittance-test',
    seen,
    async apply(input): Promise<HandlerResult> {
      for (const s of input.sets) {
        await input.db.transaction(async (tx) => {
          await tx.query(
            `insert into inbound_set (file_id, partner, file_offset, interchange_control, set_control, transaction_set, status)
             values ($1, $2, $3, $4, $5, '820', 'applied')`,
            [input.fileId, input.partnerId, s.fileOffset, s.interchangeControl, s.control],
          );
          await input.inSetTransaction(tx);
        });
        seen.push(s.control);
      }
      return { setsApplied: input.sets.length, exceptions: {} };
    },
  };
}

async function fileStatus(db: ReturnType<ReturnType<typeof useEnrollmentDb>>, id: string): Promise<string> {
  const r = await db.query<{ status: string }>('select status from inbound_file where id = $1', [id]);
  return r.rows[0]!.status;
}

describe('ingest by transaction set', () => {
  const db = useEnrollmentDb();
  const only834 = (): ReturnType<typeof handlerRegistry> => handlerRegistry(enrollmentHandler({ phi }));

  it('leaves accepted sets with no handler waiting, then applies them once a handler is registered', async () => {
    const path = join(SAMPLES, 'premium-820.x12');
    const first = await ingestFile(path, { db: db(), handlers: only834(), now: () => NOW, ackDir: ackDir() });
    expect(first.status).toBe('waiting');
    expect(first.validation).toMatchObject({ setsAccepted: 1, setsRejected: 0 });
    expect(first.waiting).toEqual([{ transactionSet: '820', sets: 1 }]);
    expect(first.handlers).toEqual([]);
    expect(first.acknowledgements.map((a) => a.kind)).toContain('999');
    expect(await fileStatus(db(), first.fileId)).toBe('waiting');
    expect(await count(db(), 'inbound_set')).toBe(0);

    const remittance = recording820();
    const handlers = handlerRegistry(enrollmentHandler({ phi }), remittance);
    const second = await ingestFile(path, { db: db(), handlers, now: () => NOW, ackDir: ackDir() });
    expect(second.fileId).toBe(first.fileId);
    expect(second.resumed).toBe(true);
    expect(second.status).toBe('processed');
    expect(second.waiting).toEqual([]);
    expect(second.handlers).toMatchObject([{ transactionSet: '820', handler: 'remittance-test', setsAlreadyApplied: 0, result: { setsApplied: 1 } }]);
    expect(remittance.seen).toEqual(['0001']);
    expect(await fileStatus(db(), first.fileId)).toBe('processed');

    // Done now: the same bytes again are a resend, and the handler is not called.
    const third = await ingestFile(path, { db: db(), handlers, now: () => NOW, ackDir: ackDir() });
    expect(third.status).toBe('duplicate');
    expect(remittance.seen).toEqual(['0001']);
  });

  it('ingests a file handed over as bytes as it ingests the same file from a path', async () => {
    const bytes = readFileSync(join(SAMPLES, 'enrollment-834-open-enrollment.x12'));
    const r = await ingestFile(bytesSource('open-enrollment.x12', bytes), { db: db(), handlers: only834(), now: () => NOW, ackDir: ackDir() });
    expect(r.status).toBe('processed');
    expect(r.file).toBe('open-enrollment.x12');
    expect(enrollmentOf(r).totals).toMatchObject({ added: 3, held: 0 });
    expect(await count(db(), 'member')).toBe(3);
    const again = await ingestFile(join(SAMPLES, 'enrollment-834-open-enrollment.x12'), { db: db(), handlers: only834(), now: () => NOW });
    expect(again.status).toBe('duplicate');
  });
});
