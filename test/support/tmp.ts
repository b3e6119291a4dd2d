/**
 * Temporary folders for tests, removed when the tests that asked for them are done.
 *
 *   const tempDir = useTempDirs();   // at the top of a test file or in a describe
 *   const dir = tempDir('cli');      // /tmp/edibridge-cli-XXXXXX, removed in afterAll
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export function useTempDirs(): (name: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (name) => {
    const dir = mkdtempSync(join(tmpdir(), `edibridge-${name}-`));
    made.push(dir);
    return dir;
  };
}
