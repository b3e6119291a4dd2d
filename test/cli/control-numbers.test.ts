/**
 * Control numbers of the acknowledgements we send: no two acknowledgements may share an
 * ISA13 or a GS06, whichever path wrote them (validate --ack-dir, ingest), however close
 * together the runs, and however many groups an interchange holds.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestCommand } from '../../src/cli/commands/ingest.js';
import { validateCommand } from '../../src/cli/commands/validate.js';
import type { Io } from '../../src/cli/io.js';
import type { Db } from '../../src/db/db.js';
import { unclosable } from '../db/harness.js';
import { SAMPLES, useSampleDb } from '../support/sample-db.js';
import { useTempDirs } from '../support/tmp.js';

const NOW = new Date('2026-11-23T10:00:00Z');
const tempDir = useTempDirs();
const db = useSampleDb();

const io: Io = { out: () => {}, err: () => {}, now: () => NOW, env: { EDIBRIDGE_PHI_KEY: Buffer.alloc(32, 5).toString('hex') } };
const open = async (): Promise<Db> => unclosable(db());

/** The sample 834 with its one group repeated `groups` times (distinct GS06), IEA01 to match. */
function manyGroups(groups: number): string {
  const text = readFileSync(join(SAMPLES, 'enrollment-834-open-enrollment.x12'), 'latin1');
  const segs = text.split('~').map((s) => s.trim()).filter(Boolean);
  const gs = segs.findIndex((s) => s.startsWith('GS*'));
  const ge = segs.findIndex((s) => s.startsWith('GE*'));
  const body = segs.slice(gs, ge + 1);
  const out = [segs[0]!];
  for (let g = 1; g <= groups; g++) {
    out.push(...body.map((s) => (s.startsWith('GS*') ? s.replace(/\*4701\*X\*/, `*${4700 + g}*X*`) : s.startsWith('GE*') ? `GE*1*${4700 + g}` : s)));
  }
  out.push(`IEA*${groups}*000004701`);
  return `${out.join('~\n')}~\n`;
}

/** ISA13 and GS06 of every acknowledgement under a folder. */
function controls(dir: string): { isa13: string[]; gs06: string[] } {
  const isa13: string[] = [];
  const gs06: string[] = [];
  for (const sub of readdirSync(dir)) {
    for (const f of readdirSync(join(dir, sub))) {
      for (const seg of readFileSync(join(dir, sub, f), 'latin1').split('~')) {
        const e = seg.trim().split('*');
        if (e[0] === 'ISA') isa13.push(e[13]!);
        if (e[0] === 'GS') gs06.push(e[6]!);
      }
    }
  }
  return { isa13, gs06 };
}

describe('control numbers of outbound acknowledgements', () => {
  it('never repeat across validate runs in the same second, ingests, and interchanges of many groups', async () => {
    const acks = tempDir('control-acks');
    const work = tempDir('control-files');
    const sample = join(SAMPLES, 'enrollment-834.x12');
    const many = join(work, 'five-groups.x12');
    writeFileSync(many, manyGroups(5));
    // The same file twice at the same instant, each into a folder of its own run.
    expect(await validateCommand([sample, '--ack-dir', join(acks, 'v1')], io, { open })).toBe(0);
    expect(await validateCommand([sample, '--ack-dir', join(acks, 'v2')], io, { open })).toBe(0);
    expect(await validateCommand([many, '--ack-dir', join(acks, 'v3')], io, { open })).toBe(0);
    expect(await ingestCommand([sample, '--ack-dir', join(acks, 'i1')], io, { open })).toBe(0);
    const all = { isa13: [] as string[], gs06: [] as string[] };
    for (const run of ['v1', 'v2', 'v3', 'i1']) {
      const c = controls(join(acks, run));
      expect(c.isa13.length, run).toBeGreaterThan(0);
      all.isa13.push(...c.isa13);
      all.gs06.push(...c.gs06);
    }
    // five groups: five 999 groups, each with its own GS06
    expect(controls(join(acks, 'v3')).gs06).toHaveLength(5);
    expect(new Set(all.isa13).size).toBe(all.isa13.length);
    expect(new Set(all.gs06).size).toBe(all.gs06.length);
  });
});
