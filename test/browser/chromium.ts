/**
 * Debian's Chromium (/usr/bin/chromium, installed by .ci/run with apt-get) driven by
 * playwright-core: never a browser download. Without it the browser tests are skipped with
 * the reason, unless EDIBRIDGE_REQUIRE_BROWSER=1 (CI), where they fail.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env['EDIBRIDGE_CHROMIUM'] ?? '/usr/bin/chromium';
export const REQUIRE_BROWSER = process.env['EDIBRIDGE_REQUIRE_BROWSER'] === '1';
export const HAVE_BROWSER = existsSync(CHROMIUM);

if (!HAVE_BROWSER && !REQUIRE_BROWSER) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The machine's network is closed: no background connections, no component updates.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}
