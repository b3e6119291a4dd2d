/**
 * Screenshots of the console for the README: the dashboard, an item page with its member
 * data, the held full file's preview and the employer portal, taken in Chromium from the
 * web test world. `npm run screenshots` writes them into docs/ (EDIBRIDGE_SCREENSHOT_DIR);
 * the test run writes them to a temporary folder and checks each is a real picture.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS, createWebWorld, type WebWorld } from '../http/world.js';
import { HAVE_BROWSER, REQUIRE_BROWSER, launchChromium, signInPage } from './chromium.js';

const GIVEN = process.env['EDIBRIDGE_SCREENSHOT_DIR'];

describe.runIf(HAVE_BROWSER || REQUIRE_BROWSER)('console screenshots', () => {
  let w: WebWorld;
  let browser: Browser;
  const dir = GIVEN ? resolve(GIVEN) : mkdtempSync(join(tmpdir(), 'edibridge-shots-'));

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    w = await createWebWorld();
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await w?.close();
    if (!GIVEN) rmSync(dir, { recursive: true, force: true });
  });

  const as = (login: string): Promise<Page> => signInPage(browser, w.base, login, { width: 1280, height: 860 });

  async function shot(page: Page, name: string): Promise<void> {
    const path = join(dir, name);
    await page.screenshot({ path, fullPage: true });
    const png = readFileSync(path);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(10_000);
  }

  it('writes the dashboard, an item page, the held-file preview and the employer portal', async () => {
    const ops = await as(USERS.ops.login);
    await shot(ops, 'console-dashboard.png');
    await ops.goto(`/queue/${w.items.acmeHeld}?reason=${encodeURIComponent('screenshot for the README')}`);
    await shot(ops, 'console-item.png');
    await ops.goto(`/held/${w.items.heldFile}`);
    await shot(ops, 'console-held-file.png');
    const portal = await as(USERS.acmeAdmin.login);
    await shot(portal, 'portal-home.png');
  });
});
