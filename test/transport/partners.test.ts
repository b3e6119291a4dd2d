/**
 * The partners file (src/transport/partners.ts): the sample loads; each kind of bad field is
 * named by its path; secrets come from the environment (a missing variable is named) and
 * never print.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { EdiBridgeError } from '../../src/core/errors.js';
import { compilePattern, parsePartners, PartnersFileError, readPartnersFile, type PartnerConnection } from '../../src/transport/partners.js';

const SAMPLE = join(import.meta.dirname, '../../samples/partners.yaml');
const FP = 'SHA256:jojnv1xNv20X1UHFK58HgvWh/2+iC4lVNHq/rEykMS8';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edibridge-partners-'));
  await writeFile(join(dir, 'acme_key'), '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A valid one-partner file; `edit` changes a deep copy. */
function file(edit: (p: Record<string, any>) => void = () => {}): unknown {
  const partner: Record<string, any> = {
    id: 'acme',
    sftp: {
      host: 'sftp.example.com',
      user: 'plan',
      auth: { passwordEnv: 'ACME_PW' },
      hostKey: FP,
      inbound: '/in',
      outbound: '/out/',
      pattern: '*.x12',
      afterPull: { move: '/in/archive' },
      stable: { looks: 2, seconds: 5 },
    },
    schedule: '*/5 * * * *',
  };
  edit(partner);
  return { partners: [partner] };
}

async function issuesOf(input: unknown, env: NodeJS.ProcessEnv = { ACME_PW: 'pw' }): Promise<readonly string[]> {
  const err = await parsePartners(input, { env, baseDir: dir }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PartnersFileError);
  expect((err as PartnersFileError).code).toBe('CONFIG_INVALID');
  return (err as PartnersFileError).issues;
}

describe('partners file', () => {
  it('loads samples/partners.yaml, with defaults and secrets resolved from the environment', async () => {
    // The sample names a key file beside it; give it one in a copy of the sample.
    const copy = join(dir, 'partners.yaml');
    await writeFile(copy, await readFile(SAMPLE, 'utf8'));
    await mkdir(join(dir, 'keys'), { recursive: true });
    await writeFile(join(dir, 'keys', 'acme_ed25519'), 'KEY TEXT\n');
    const partners = await readPartnersFile(copy, { SUMMIT_SFTP_PASSWORD: 's3cret' });
    expect(partners.map((p) => p.id)).toEqual(['acme', 'summit-tpa']);
    const [acme, summit] = partners as [PartnerConnection, PartnerConnection];
    expect(acme.sftp).toMatchObject({ port: 22, inbound: '/outgoing/834', afterPull: { kind: 'move', folder: '/outgoing/834/archive' }, stable: { kind: 'looks', looks: 2, seconds: 5 } });
    expect(acme.sftp.auth.kind).toBe('privateKey');
    expect(acme.sftp.auth.kind === 'privateKey' && acme.sftp.auth.privateKey.reveal()).toBe('KEY TEXT\n');
    expect(acme.acks).toEqual({ ta1: 'on-error', '999': true, folder: '/incoming/acks' });
    expect(acme.sftp.pattern.regex.test('ACME_834_20260601.x12')).toBe(true);
    expect(acme.sftp.pattern.regex.test('ACME_834_20260601.x12.part')).toBe(false);
    expect(summit.sftp).toMatchObject({ port: 2022, afterPull: { kind: 'delete' }, stable: { kind: 'doneMarker', suffix: '.done' } });
    expect(summit.sftp.auth.kind === 'password' && summit.sftp.auth.password.reveal()).toBe('s3cret');
    expect(summit.sftp.pattern.regex.test('SUMMIT_820_20260601_7.edi')).toBe(true);
    expect(summit.acks).toEqual({ ta1: 'always', '999': true, folder: '/from_plan/acks' });
    // Secrets never print.
    expect(JSON.stringify(partners)).not.toContain('s3cret');
    expect(inspect(partners, { depth: 10 })).not.toContain('s3cret');
  });

  it('names the partners of samples/reference-data.yaml', async () => {
    const ref = parse(await readFile(join(import.meta.dirname, '../../samples/reference-data.yaml'), 'utf8')) as { partners: { id: string }[] };
    const sample = parse(await readFile(SAMPLE, 'utf8')) as { partners: { id: string }[] };
    expect(sample.partners.map((p) => p.id).sort()).toEqual(ref.partners.map((p) => p.id).sort());
  });

  it('defaults port 22, acks on-error + 999 into the outbound folder, and trims a trailing /', async () => {
    const [p] = await parsePartners(file(), { env: { ACME_PW: 'pw' } });
    expect(p?.sftp.port).toBe(22);
    expect(p?.sftp.outbound).toBe('/out');
    expect(p?.acks).toEqual({ ta1: 'on-error', '999': true, folder: '/out' });
  });

  it('reads privateKeyFile relative to the file, and privateKeyEnv as text or base64', async () => {
    const [a] = await parsePartners(file((p) => (p['sftp'].auth = { privateKeyFile: 'acme_key' })), { env: {}, baseDir: dir });
    expect(a?.sftp.auth.kind === 'privateKey' && a.sftp.auth.privateKey.reveal()).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    const pem = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----';
    for (const value of [pem, Buffer.from(pem).toString('base64')]) {
      const [b] = await parsePartners(file((p) => (p['sftp'].auth = { privateKeyEnv: 'ACME_KEY' })), { env: { ACME_KEY: value } });
      expect(b?.sftp.auth.kind === 'privateKey' && b.sftp.auth.privateKey.reveal()).toBe(`${pem}\n`);
    }
  });

  it('names a missing secret variable (the name, never a value), for every partner at once', async () => {
    const input = file();
    (input as { partners: unknown[] }).partners.push({
      ...((file() as { partners: Record<string, any>[] }).partners[0] as object),
      id: 'summit-tpa',
      sftp: { ...(file() as { partners: Record<string, any>[] }).partners[0]?.['sftp'], auth: { privateKeyEnv: 'SUMMIT_KEY' } },
    });
    const issues = await issuesOf(input, { ACME_PW: '  ' });
    expect(issues).toEqual([
      'partners[0].sftp.auth.passwordEnv: environment variable ACME_PW is not set',
      'partners[1].sftp.auth.privateKeyEnv: environment variable SUMMIT_KEY is not set',
    ]);
  });

  it('names an unreadable key file', async () => {
    const issues = await issuesOf(file((p) => (p['sftp'].auth = { privateKeyFile: 'nope/key' })));
    expect(issues).toEqual(['partners[0].sftp.auth.privateKeyFile: cannot read the key file (ENOENT)']);
  });

  const bad: [string, (p: Record<string, any>) => void, RegExp][] = [
    ['id', (p) => (p['id'] = 'Acme Corp'), /^partners\[0\]\.id: must be 1–63 lower-case/],
    ['host', (p) => (p['sftp'].host = 'sftp example'), /^partners\[0\]\.sftp\.host: must be a host name/],
    ['port', (p) => (p['sftp'].port = 70000), /^partners\[0\]\.sftp\.port: must be 1–65535/],
    ['user', (p) => delete p['sftp'].user, /^partners\[0\]\.sftp\.user: /],
    ['auth with two methods', (p) => (p['sftp'].auth = { passwordEnv: 'A', privateKeyFile: 'k' }), /^partners\[0\]\.sftp\.auth: must be one of/],
    ['auth with a secret instead of a variable name', (p) => (p['sftp'].auth = { passwordEnv: 'hunter2!' }), /^partners\[0\]\.sftp\.auth/],
    ['hostKey missing', (p) => delete p['sftp'].hostKey, /^partners\[0\]\.sftp\.hostKey: is required/],
    ['hostKey as MD5', (p) => (p['sftp'].hostKey = 'MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48'), /^partners\[0\]\.sftp\.hostKey: must be SHA256:/],
    ['hostKey padded', (p) => (p['sftp'].hostKey = `${FP}=`), /^partners\[0\]\.sftp\.hostKey: must be SHA256:/],
    ['inbound relative', (p) => (p['sftp'].inbound = 'in'), /^partners\[0\]\.sftp\.inbound: must be an absolute folder/],
    ['outbound with ..', (p) => (p['sftp'].outbound = '/out/../etc'), /^partners\[0\]\.sftp\.outbound: must not contain/],
    ['pattern', (p) => (p['sftp'].pattern = '/([a-z/'), /^partners\[0\]\.sftp\.pattern: is not a valid glob or \/regex\//],
    ['afterPull', (p) => (p['sftp'].afterPull = 'archive'), /^partners\[0\]\.sftp\.afterPull: must be 'delete' or \{ move/],
    ['afterPull.move', (p) => (p['sftp'].afterPull = { move: 'archive' }), /^partners\[0\]\.sftp\.afterPull/],
    ['stable.looks', (p) => (p['sftp'].stable = { looks: 1, seconds: 5 }), /^partners\[0\]\.sftp\.stable/],
    ['stable as both rules', (p) => (p['sftp'].stable = { looks: 2, seconds: 5, doneMarker: '.done' }), /^partners\[0\]\.sftp\.stable/],
    ['schedule', (p) => (p['schedule'] = 'every 5 minutes'), /^partners\[0\]\.schedule: must be a cron expression/],
    ['schedule out of range', (p) => (p['schedule'] = '61 * * * *'), /^partners\[0\]\.schedule: must be a cron expression/],
    ['acks.ta1', (p) => (p['acks'] = { ta1: 'sometimes' }), /^partners\[0\]\.acks\.ta1: must be 'on-error', 'always' or 'never'/],
    ['acks.999', (p) => (p['acks'] = { '999': 'yes' }), /^partners\[0\]\.acks\.999: must be true or false/],
    ['acks.folder', (p) => (p['acks'] = { folder: 'acks' }), /^partners\[0\]\.acks\.folder: must be an absolute folder/],
    ['an unknown key', (p) => (p['sftp'].hostkey = FP), /^partners\[0\]\.sftp: /],
  ];
  it.each(bad)('names a bad %s by its path', async (_what, edit, expected) => {
    const issues = await issuesOf(file(edit));
    expect(issues.some((i) => expected.test(i)), issues.join('\n')).toBe(true);
  });

  it('reports every problem at once, and a repeated id', async () => {
    const input = file((p) => {
      p['sftp'].port = 0;
      p['schedule'] = 'x';
    }) as { partners: unknown[] };
    input.partners.push((file() as { partners: unknown[] }).partners[0]);
    const issues = await issuesOf(input);
    expect(issues).toEqual(expect.arrayContaining([
      expect.stringMatching(/^partners\[0\]\.sftp\.port: /),
      expect.stringMatching(/^partners\[0\]\.schedule: /),
      'partners[1].id: repeats the id of partners[0]',
    ]));
    expect(issues).toHaveLength(3);
  });

  it('never quotes a value in its messages', async () => {
    const err = await parsePartners(file((p) => (p['sftp'].hostKey = 'SHA256:TOPSECRETVALUE')), { env: { ACME_PW: 'pw' } }).catch((e: unknown) => e);
    expect(String((err as Error).message)).not.toContain('TOPSECRETVALUE');
  });

  it('refuses YAML that does not parse, and an unreadable file', async () => {
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'partners:\n  - id: acme\n    id: again\n');
    await expect(readPartnersFile(broken, {})).rejects.toMatchObject({ code: 'CONFIG_INVALID', issues: [expect.stringMatching(/^\(file\): YAML DUPLICATE_KEY at line 3/)] });
    const missing = readPartnersFile(join(dir, 'none.yaml'), {});
    await expect(missing).rejects.toBeInstanceOf(EdiBridgeError);
    await expect(missing).rejects.toMatchObject({ code: 'FILE_UNREADABLE' });
  });

  it('compiles globs and /regex/ patterns, anchored', () => {
    expect(compilePattern('*.x12').test('a.x12')).toBe(true);
    expect(compilePattern('*.x12').test('a.x12.part')).toBe(false);
    expect(compilePattern('834_??.{x12,edi}').test('834_01.edi')).toBe(true);
    expect(compilePattern('834_??.{x12,edi}').test('834_001.edi')).toBe(false);
    expect(compilePattern('[!.]*.x12').test('.hidden.x12')).toBe(false);
    expect(compilePattern('a+b(1).x12').test('a+b(1).x12')).toBe(true);
    expect(compilePattern('/^acme_\\d+\\.x12$/i').test('ACME_12.X12')).toBe(true);
  });

  it('EDIBRIDGE_PARTNERS_FILE is resolved to an absolute path; unset, there is none', () => {
    expect(loadConfig({ EDIBRIDGE_PARTNERS_FILE: 'samples/partners.yaml' }, { cwd: '/srv/app' }).partnersFile).toBe('/srv/app/samples/partners.yaml');
    expect(loadConfig({}, {}).partnersFile).toBeUndefined();
  });
});
