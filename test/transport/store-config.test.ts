/**
 * The object-store settings (src/core/config.ts) and the factory that opens what they name.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config.js';
import { LocalFolderStore, S3Store, openObjectStore } from '../../src/transport/store/index.js';

const cwd = '/srv/edibridge';
const load = (env: Record<string, string>) => loadConfig(env, { cwd });

function configError(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('object store settings', () => {
  it('defaults to the local folder store under the data dir', () => {
    expect(load({}).objectStore).toEqual({ kind: 'local', dir: join(cwd, 'data', 'archive') });
    expect(load({ EDIBRIDGE_DATA_DIR: '/var/lib/edibridge' }).objectStore).toEqual({ kind: 'local', dir: '/var/lib/edibridge/archive' });
    expect(load({ EDIBRIDGE_STORE: 'local', EDIBRIDGE_STORE_DIR: 'files/archive' }).objectStore).toEqual({ kind: 'local', dir: join(cwd, 'files', 'archive') });
    expect(load({ EDIBRIDGE_STORE: '  ', EDIBRIDGE_STORE_DIR: '/mnt/archive' }).objectStore).toEqual({ kind: 'local', dir: '/mnt/archive' });
  });

  it('reads the S3 settings, with their defaults', () => {
    expect(load({ EDIBRIDGE_STORE: 's3', EDIBRIDGE_S3_BUCKET: 'acme-edi-archive' }).objectStore).toEqual({
      kind: 's3', bucket: 'acme-edi-archive', prefix: '', region: 'us-east-1', forcePathStyle: false, maxAttempts: 3,
    });
    expect(load({
      EDIBRIDGE_STORE: 's3',
      EDIBRIDGE_S3_BUCKET: 'edibridge-test',
      EDIBRIDGE_S3_PREFIX: 'raw/inbound',
      EDIBRIDGE_S3_ENDPOINT: 'http://127.0.0.1:4569',
      EDIBRIDGE_S3_REGION: 'eu-west-1',
      EDIBRIDGE_S3_MAX_ATTEMPTS: '5',
      EDIBRIDGE_S3_ACCESS_KEY_ID: 'S3RVER',
      EDIBRIDGE_S3_SECRET_ACCESS_KEY: 'S3RVER',
    }).objectStore).toEqual({
      kind: 's3', bucket: 'edibridge-test', prefix: 'raw/inbound/', region: 'eu-west-1', endpoint: 'http://127.0.0.1:4569',
      forcePathStyle: true, maxAttempts: 5, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const s3 = { EDIBRIDGE_STORE: 's3', EDIBRIDGE_S3_BUCKET: 'b12', EDIBRIDGE_S3_ENDPOINT: 'https://s3.example.com' };
    expect(load({ ...s3, EDIBRIDGE_S3_FORCE_PATH_STYLE: 'false' }).objectStore).toMatchObject({ forcePathStyle: false });
    expect(load({ ...s3, EDIBRIDGE_S3_PREFIX: 'archive/' }).objectStore).toMatchObject({ prefix: 'archive/' });
  });

  it('names the bad setting, never its value', () => {
    const cases: [Record<string, string>, string][] = [
      [{ EDIBRIDGE_STORE: 'minio' }, 'EDIBRIDGE_STORE'],
      [{ EDIBRIDGE_STORE: 's3' }, 'EDIBRIDGE_S3_BUCKET'],
      [{ EDIBRIDGE_STORE: 's3', EDIBRIDGE_S3_BUCKET: 'Bad_Bucket' }, 'EDIBRIDGE_S3_BUCKET'],
      [{ EDIBRIDGE_STORE: 's3', EDIBRIDGE_S3_BUCKET: 'b12', EDIBRIDGE_S3_ENDPOINT: 'http://key:hunter2@s3.local' }, 'EDIBRIDGE_S3_ENDPOINT'],
      [{ EDIBRIDGE_STORE: 's3', EDIBRIDGE_S3_BUCKET: 'b12', EDIBRIDGE_S3_ENDPOINT: 'ftp://s3.local' }, 'EDIBRIDGE_S3_ENDPOINT'],
      [{ EDIBRIDGE_STORE: 's3', EDIBRIDGE_S3_BUCKET: 'b12', EDIBRIDGE_S3_PREFIX: '/abs' }, 'EDIBRIDGE_S3_PREFIX'],
      [{ EDIBRIDGE_STORE: 's3', EDIBRIDGE_S3_BUCKET: 'b12', EDIBRIDGE_S3_PREFIX: 'a/../b' }, 'EDIBRIDGE_S3_PREFIX'],
      [{ EDIBRIDGE_STORE: 's3', EDIBRIDGE_S3_BUCKET: 'b12', EDIBRIDGE_S3_REGION: 'US East' }, 'EDIBRIDGE_S3_REGION'],
      [{ EDIBRIDGE_STORE: 's3', EDIBRIDGE_S3_BUCKET: 'b12', EDIBRIDGE_S3_FORCE_PATH_STYLE: 'yes' }, 'EDIBRIDGE_S3_FORCE_PATH_STYLE'],
      [{ EDIBRIDGE_STORE: 's3', EDIBRIDGE_S3_BUCKET: 'b12', EDIBRIDGE_S3_MAX_ATTEMPTS: '0' }, 'EDIBRIDGE_S3_MAX_ATTEMPTS'],
      [{ EDIBRIDGE_STORE: 's3', EDIBRIDGE_S3_BUCKET: 'b12', EDIBRIDGE_S3_SECRET_ACCESS_KEY: 'hunter2' }, 'EDIBRIDGE_S3_ACCESS_KEY_ID'],
      [{ EDIBRIDGE_STORE: 's3', EDIBRIDGE_S3_BUCKET: 'b12', EDIBRIDGE_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE' }, 'EDIBRIDGE_S3_SECRET_ACCESS_KEY'],
    ];
    for (const [env, setting] of cases) {
      const err = configError(env);
      expect(err.code, setting).toBe('CONFIG_INVALID');
      expect(err.message, setting).toContain(setting);
      expect(err.context['settings'], setting).toContain(setting);
      for (const value of Object.values(env).filter((v) => v.length > 3 && v !== 's3')) {
        if (value === 'b12') continue;
        expect(err.message, setting).not.toContain(value);
      }
      expect(err.message).not.toContain('hunter2');
    }
  });

  it('ignores the S3 settings while the store is local', () => {
    expect(load({ EDIBRIDGE_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE' }).objectStore.kind).toBe('local');
  });

  it('opens the store the settings name', async () => {
    const local = openObjectStore(load({}).objectStore);
    expect(local).toBeInstanceOf(LocalFolderStore);
    expect(local.kind).toBe('local');
    const s3 = openObjectStore(load({ EDIBRIDGE_STORE: 's3', EDIBRIDGE_S3_BUCKET: 'b12', EDIBRIDGE_S3_ENDPOINT: 'http://127.0.0.1:4569' }).objectStore);
    expect(s3).toBeInstanceOf(S3Store);
    expect(s3.kind).toBe('s3');
    await s3.close();
    await local.close();
  });
});
