/** SSN protection at rest and where its key comes from. */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { PHI_KEY_ENV, resolvePhiProtector } from '../../src/phi/key.js';
import { PhiProtector } from '../../src/phi/protector.js';
import { useTempDirs } from '../support/tmp.js';

const SSN = '900123456';
const tempDir = useTempDirs();

describe('PhiProtector', () => {
  const p = new PhiProtector(Buffer.alloc(32, 5));

  it('encrypts an SSN so the stored bytes do not hold it, and decrypts it back', () => {
    const sealed = p.encryptSsn(SSN);
    expect(sealed.toString('latin1')).not.toContain(SSN);
    expect(p.decryptSsn(sealed)).toBe(SSN);
    // A fresh nonce each time: the same SSN never seals to the same bytes.
    expect(p.encryptSsn(SSN).equals(sealed)).toBe(false);
  });

  it('refuses to decrypt under another key or after tampering, without the value in the message', () => {
    const sealed = p.encryptSsn(SSN);
    expect(() => new PhiProtector(Buffer.alloc(32, 6)).decryptSsn(sealed)).toThrow(/could not be decrypted/);
    const bad = Buffer.from(sealed);
    bad[bad.length - 1]! ^= 1;
    expect(() => p.decryptSsn(bad)).toThrow(/could not be decrypted/);
  });

  it('indexes the digits: formatted and plain SSNs match, other SSNs and keys do not', () => {
    expect(p.ssnIndex('900-12-3456').equals(p.ssnIndex(SSN))).toBe(true);
    expect(p.ssnIndex('900123457').equals(p.ssnIndex(SSN))).toBe(false);
    expect(new PhiProtector(Buffer.alloc(32, 6)).ssnIndex(SSN).equals(p.ssnIndex(SSN))).toBe(false);
  });
});

/** The protector as the application builds it: the configuration resolved once, then the key. */
async function protectorFor(env: NodeJS.ProcessEnv, cwd?: string): Promise<PhiProtector> {
  return resolvePhiProtector(loadConfig(env, cwd === undefined ? {} : { cwd }).phiKey);
}

describe('resolvePhiProtector', () => {
  it('takes the key from the environment (hex or base64), refusing a wrong length', async () => {
    const hex = Buffer.alloc(32, 1).toString('hex');
    const a = await protectorFor({ [PHI_KEY_ENV]: hex });
    const b = await protectorFor({ [PHI_KEY_ENV]: Buffer.alloc(32, 1).toString('base64') });
    expect(a.ssnIndex(SSN).equals(b.ssnIndex(SSN))).toBe(true);
    await expect(protectorFor({ [PHI_KEY_ENV]: 'abcd' })).rejects.toThrow(/EDIBRIDGE_PHI_KEY must be 32 bytes/);
  });

  it('requires the key with a server database', async () => {
    await expect(protectorFor({ DATABASE_URL: 'postgres://x@localhost/y' })).rejects.toThrow(/EDIBRIDGE_PHI_KEY is required/);
  });

  it('embedded: creates a private key file under the data folder once, then reuses it', async () => {
    const cwd = tempDir('key');
    const first = await protectorFor({ EDIBRIDGE_DATA_DIR: 'd' }, cwd);
    const file = join(cwd, 'd', 'phi.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const before = readFileSync(file, 'utf8');
    const second = await protectorFor({ EDIBRIDGE_DATA_DIR: 'd' }, cwd);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(second.decryptSsn(first.encryptSsn(SSN))).toBe(SSN);
  });
});
