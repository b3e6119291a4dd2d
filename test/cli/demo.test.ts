/**
 * `edibridge demo --once` on embedded defaults: the sample 834s are pulled from the
 * in-process SFTP server, archived, processed and acknowledged; December is billed and the
 * sample 820 paying it pulled and applied; each acknowledgement lands in the partner's folder
 * once, and the summary says so. Then `edibridge files` on the demo's
 * data: the list shows each file and its deliveries; a rerun of a processed file applies nothing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoCommand } from '../../src/cli/commands/demo.js';
import { filesCommand } from '../../src/cli/commands/files.js';
import type { Io } from '../../src/cli/io.js';
import { SAMPLES } from '../support/sample-db.js';
import { useTempDirs } from '../support/tmp.js';

const tempDir = useTempDirs();

/** The names, SSNs, birth dates and street lines in sample files. */
function phiOf(files: string[]): string[] {
  const values = new Set<string>();
  for (const f of files) {
    const text = readFileSync(join(SAMPLES, f), 'latin1');
    for (const m of text.matchAll(/NM1\*IL\*1\*([^*~]+)\*([^*~]*)(?:\*[^*~]*){3}(?:\*34\*(\d{9}))?/g)) for (const v of m.slice(1)) if (v) values.add(v);
    for (const m of text.matchAll(/DMG\*D8\*(\d{8})/g)) values.add(m[1]!);
    for (const m of text.matchAll(/N3\*([^*~]+)/g)) values.add(m[1]!);
  }
  expect(values.size).toBeGreaterThan(10);
  return [...values];
}

function capture(env: NodeJS.ProcessEnv): { io: Io; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { out: (t) => void (out += t), err: (t) => void (err += t), now: () => new Date(), env },
    out: () => out,
    err: () => err,
  };
}

describe('edibridge demo', () => {
  it('runs one full cycle on the service path and reports it; files list and rerun read the result', async () => {
    const root = tempDir('demo');
    const dir = join(root, 'demo');
    const run = capture({ EDIBRIDGE_LOG_LEVEL: 'info' });
    const code = await demoCommand(['--once', '--port', '0', '--dir', dir], run.io, { cwd: root });
    expect(code, run.err()).toBe(0);
    const out = run.out();
    expect(out).toMatch(/#1 enrollment-834-open-enrollment\.x12: processed/);
    expect(out).toMatch(/#2 enrollment-834\.x12: processed/);
    // December is billed, then the 820 pays it short by the vision premium it disputes (RMR05).
    expect(out).toMatch(/#\d+ premium-820\.x12: processed/);
    expect(out).toMatch(/INV-202612-000001: due \$2,697\.89, paid \$2,684\.40/);
    expect(out).toMatch(/Balance of the group: \$13\.49/);
    expect(out).toMatch(/Exceptions opened: 1 paid-billed-mismatch/);
    expect(out).toMatch(/Members: 6 add, 1 change, 1 terminate/);

    // Each acknowledgement was delivered once, under its own name, into the partner's folder.
    const outbound = join(dir, 'sftp', 'acme', 'from-plan');
    const delivered = readdirSync(outbound).sort();
    const reported = [...out.matchAll(/delivered to \/acme\/from-plan\/(\S+)/g)].map((m) => m[1]).sort();
    expect(delivered).toEqual(reported);
    expect(delivered).toHaveLength(5);
    expect(delivered.filter((n) => n.endsWith('.part'))).toEqual([]);
    for (const name of delivered) expect(readFileSync(join(outbound, name), 'latin1')).toMatch(/^ISA\*00\*.{10}\*00\*.{10}\*ZZ\*EDIBRIDGEPLAN  \*ZZ\*ACMEEMPLOYER   \*/);
    // The pulled files left the inbound folder for its archive; their bytes are in the local archive.
    const inbound = join(dir, 'sftp', 'acme', 'to-plan');
    expect(readdirSync(inbound).filter((n) => n.endsWith('.x12'))).toEqual([]);
    expect(readdirSync(join(inbound, 'archive')).sort()).toEqual(['enrollment-834-open-enrollment.x12', 'enrollment-834.x12', 'premium-820.x12']);
    expect(existsSync(join(dir, 'data', 'archive', 'inbound', 'acme'))).toBe(true);
    // The journey is logged, without PHI.
    const log = readFileSync(join(dir, 'edibridge.log'), 'utf8');
    for (const step of ['mailbox listed', 'file archived and recorded', 'remote file moved to the archive folder', 'file registered', 'file validated', 'file done', 'acknowledgement delivered']) {
      expect(log).toContain(step);
    }
    for (const value of phiOf(['enrollment-834-open-enrollment.x12', 'enrollment-834.x12'])) expect(log).not.toContain(value);

    const env = { EDIBRIDGE_DATA_DIR: join(dir, 'data'), EDIBRIDGE_PARTNERS_FILE: join(dir, 'partners.yaml'), EDIBRIDGE_LOG_LEVEL: 'silent' };
    const list = capture(env);
    expect(await filesCommand(['list', '--json'], list.io, { cwd: root }), list.err()).toBe(0);
    const files = JSON.parse(list.out()) as Array<{ id: string; name: string; status: string; pulls: number; acks: Array<{ kind: string; delivery: string; remotePath: string }> }>;
    expect(files.map((f) => [f.name, f.status, f.pulls])).toEqual([
      ['premium-820.x12', 'processed', 1],
      ['enrollment-834.x12', 'processed', 1],
      ['enrollment-834-open-enrollment.x12', 'processed', 1],
    ]);
    expect(files.flatMap((f) => f.acks.map((a) => a.delivery))).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'delivered']);

    const rerun = capture(env);
    expect(await filesCommand(['rerun', files[2]!.id, '--json'], rerun.io, { cwd: root }), rerun.err()).toBe(0);
    expect(JSON.parse(rerun.out())).toMatchObject({ status: 'duplicate', fileId: files[2]!.id });
    const after = capture(env);
    await filesCommand(['list', '--undelivered'], after.io, { cwd: root });
    expect(after.out()).toBe('no files match\n');
  }, 120_000);
});
