/** Resolving the database settings from the environment (no database needed). */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/config.js';
import { resolveDbConfig } from '../../src/db/open.js';

describe('resolveDbConfig', () => {
  it('uses PostgreSQL when DATABASE_URL is set', () => {
    expect(resolveDbConfig({ DATABASE_URL: 'postgres://u@h:5432/d' })).toEqual({ kind: 'pg', connectionString: 'postgres://u@h:5432/d' });
    expect(resolveDbConfig({ DATABASE_URL: 'postgresql://u@h/d', DATABASE_POOL_MAX: '20' })).toEqual({
      kind: 'pg',
      connectionString: 'postgresql://u@h/d',
      max: 20,
    });
  });

  it('defaults to PGlite under ./data/pglite, or under EDIBRIDGE_DATA_DIR', () => {
    expect(resolveDbConfig({}, { cwd: '/srv/app' })).toEqual({ kind: 'pglite', dataDir: '/srv/app/data/pglite' });
    expect(resolveDbConfig({ DATABASE_URL: '  ' }, { cwd: '/srv/app' })).toEqual({ kind: 'pglite', dataDir: '/srv/app/data/pglite' });
    expect(resolveDbConfig({ EDIBRIDGE_DATA_DIR: 'var' }, { cwd: '/srv/app' })).toEqual({ kind: 'pglite', dataDir: '/srv/app/var/pglite' });
    expect(resolveDbConfig({ EDIBRIDGE_DATA_DIR: '/data' })).toEqual({ kind: 'pglite', dataDir: '/data/pglite' });
    expect(resolveDbConfig({})).toEqual({ kind: 'pglite', dataDir: join(resolve('data'), 'pglite') });
    expect(resolveDbConfig({}, { inMemory: true })).toEqual({ kind: 'pglite', dataDir: undefined });
  });

  it('refuses invalid settings with CONFIG_INVALID, never echoing the URL', () => {
    const bad = (env: NodeJS.ProcessEnv): ConfigError => {
      try {
        resolveDbConfig(env);
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error('expected a refusal');
    };
    const e = bad({ DATABASE_URL: 'mysql://app:s3cret@db/app' });
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.code).toBe('CONFIG_INVALID');
    expect(JSON.stringify(e.toJSON())).not.toContain('s3cret');
    expect(bad({ DATABASE_URL: 'postgres://h/d', DATABASE_POOL_MAX: 'lots' }).message).toMatch(/DATABASE_POOL_MAX/);
    expect(bad({ DATABASE_URL: 'postgres://h/d', DATABASE_POOL_MAX: '0' }).code).toBe('CONFIG_INVALID');
  });
});
