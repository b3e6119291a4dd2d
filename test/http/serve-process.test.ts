/**
 * `edibridge serve` as a process (bin/edibridge.js runs dist/: `npm run build` first): it
 * starts on a temporary PGlite data folder, becomes ready, and on SIGTERM exits 0.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../support/tmp.js';

const root = resolve(import.meta.dirname, '../..');
const built = existsSync(join(root, 'dist/cli/commands/serve.js'));
if (!built) console.warn('dist/ has no serve command: run `npm run build` for the serve process test');

describe.skipIf(!built)('edibridge serve (process)', () => {
  const tempDir = useTempDirs();

  it('listens, becomes ready, and exits 0 on SIGTERM', async () => {
    const dir = tempDir('serve');
    const env: NodeJS.ProcessEnv = { ...process.env, EDIBRIDGE_DATA_DIR: dir, EDIBRIDGE_LOG_LEVEL: 'info', EDIBRIDGE_SHUTDOWN_SECONDS: '5' };
    delete env['DATABASE_URL'];
    delete env['EDIBRIDGE_LOG_FILE'];
    const child = spawn(process.execPath, [join(root, 'bin/edibridge.js'), 'serve', '--port', '0'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const until = Date.now() + 60_000;
      let port: number | undefined;
      while (port === undefined) {
        const m = /"port":(\d+)[^\n]*listening on port/.exec(stderr);
        if (m) port = Number(m[1]);
        else if (Date.now() > until || child.exitCode !== null) throw new Error(`serve did not start:\n${stderr}`);
        else await new Promise((r) => setTimeout(r, 100));
      }
      let ready = 0;
      while (ready !== 200 && Date.now() < until) {
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);
        if (ready !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      expect(ready).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const t0 = Date.now();
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]);
      expect(code, stderr).toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(stderr).toContain('job engine stopped');
      expect(existsSync(join(dir, 'pglite.lock'))).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
