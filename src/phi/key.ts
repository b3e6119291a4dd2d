/**
 * The PHI key as the configuration gives it (src/core/config.ts): from EDIBRIDGE_PHI_KEY, or,
 * for the embedded database only, a key file beside its data ($EDIBRIDGE_DATA_DIR/phi.key,
 * created with mode 0600 on first use), so that the embedded default runs with nothing
 * configured. A server database always needs the key from the environment, never a file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError, PHI_KEY_BYTES, PHI_KEY_ENV, decodeKey, type PhiKeyConfig } from '../core/config.js';
import { PhiProtector } from './protector.js';

export { PHI_KEY_ENV };

async function readKeyFile(path: string): Promise<PhiProtector> {
  const key = decodeKey(await readFile(path, 'utf8'));
  if (!key) throw new ConfigError('CONFIG_INVALID', `the PHI key file must hold 32 bytes, as 64 hex digits or base64`, { settings: 'EDIBRIDGE_DATA_DIR' });
  return new PhiProtector(key);
}

export async function resolvePhiProtector(config: PhiKeyConfig): Promise<PhiProtector> {
  switch (config.source) {
    case 'env':
      return new PhiProtector(config.key);
    case 'missing':
      throw new ConfigError('CONFIG_INVALID', `${PHI_KEY_ENV} is required with DATABASE_URL (the key that encrypts SSNs at rest)`, { settings: PHI_KEY_ENV });
    case 'file':
      break;
    default: {
      const never: never = config;
      throw new ConfigError('INTERNAL', `unknown PHI key source ${JSON.stringify(never)}`);
    }
  }
  try {
    return await readKeyFile(config.path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(config.path), { recursive: true });
  const key = randomBytes(PHI_KEY_BYTES);
  // 'wx': never overwrite a key another process just wrote (it would orphan its SSNs).
  try {
    await writeFile(config.path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return new PhiProtector(key);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readKeyFile(config.path);
  }
}
