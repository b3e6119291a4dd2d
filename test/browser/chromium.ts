/**
 * Debian's Chromium (/usr/bin/chromium, installed by .ci/run with apt-get) driven by
 * playwright-core: never a browser download. Without it the browser tests are skipped with
 * the reason, unless EDIBRIDGE_REQUIRE_BROWSER=1 (CI), where they fail.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PASSWORD } from '../http/world.js';

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

/** A new browser context signed in through the sign-in form as `login`. */
export async function signInPage(browser: Browser, base: string, login: string, viewport?: { width: number; height: number }): Promise<Page> {
  const page = await (await browser.newContext({ baseURL: base, ...(viewport ? { viewport } : {}) })).newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Sign-in name').fill(login);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('domcontentloaded');
  return page;
}
