/**
 * Where the PHI key comes from: EDIBRIDGE_PHI_KEY (base64 or hex of 32 bytes) in the
 * environment. Only the embedded database (no DATABASE_URL) may fall back to a key file
 * beside its data ($EDIBRIDGE_DATA_DIR/phi.key, default ./data/phi.key, created with mode
 * 0600 on first use), so that the
 * embedded default runs with nothing configured; a server database always needs the key
 * from the environment, never from a file in the repository.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { EdiBridgeError } from '../core/errors.js';
import { PHI_KEY_BYTES, PhiProtector } from './protector.js';

export const PHI_KEY_ENV = 'EDIBRIDGE_PHI_KEY';
export const EMBEDDED_KEY_FILE = 'phi.key';

/** Decodes a key written as 64 hex digits or as base64 of 32 bytes. */
export function decodePhiKey(text: string): Buffer {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (bytes.length !== PHI_KEY_BYTES) {
    throw new EdiBridgeError('CONFIG_INVALID', `${PHI_KEY_ENV} must be 32 bytes, as 64 hex digits or base64`, {});
  }
  return bytes;
}

export interface PhiKeyOptions {
  /** Base folder of the embedded key file; default the working directory. */
  cwd?: string;
}

export async function resolvePhiProtector(env: NodeJS.ProcessEnv, options: PhiKeyOptions = {}): Promise<PhiProtector> {
  const fromEnv = env[PHI_KEY_ENV];
  if (fromEnv) return new PhiProtector(decodePhiKey(fromEnv));
  if (env['DATABASE_URL']) {
    throw new EdiBridgeError('CONFIG_INVALID', `${PHI_KEY_ENV} is required with DATABASE_URL (the key that encrypts SSNs at rest)`, {});
  }
  const path = resolve(options.cwd ?? process.cwd(), env['EDIBRIDGE_DATA_DIR'] || 'data', EMBEDDED_KEY_FILE);
  try {
    return new PhiProtector(decodePhiKey(await readFile(path, 'utf8')));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(path), { recursive: true });
  const key = randomBytes(PHI_KEY_BYTES);
  // 'wx': never overwrite a key another process just wrote (it would orphan its SSNs).
  try {
    await writeFile(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return new PhiProtector(key);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return new PhiProtector(decodePhiKey(await readFile(path, 'utf8')));
  }
}
