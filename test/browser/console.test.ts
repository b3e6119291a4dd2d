/**
 * The ops console and the employer portal in real headless Chromium (Debian's, through
 * playwright-core) against PostgreSQL: sign in, read the dashboard, filter the queue, open an
 * item, re-run it and resolve it, view the member's data (audited); release a held full
 * file; and a partner user who cannot reach another organisation's items.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, USERS, createWebWorld, type WebWorld } from '../http/world.js';
import { HAVE_BROWSER, REQUIRE_BROWSER, launchChromium } from './chromium.js';

describe.runIf(HAVE_BROWSER || REQUIRE_BROWSER)('console in Chromium (PostgreSQL)', () => {
  let w: WebWorld;
  let browser: Browser;

  beforeAll(async () => {
    w = await createWebWorld();
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await w?.close();
  });

  async function signedIn(login: string): Promise<Page> {
    const context = await browser.newContext({ baseURL: w.base });
    const page = await context.newPage();
    await page.goto('/');
    expect(page.url()).toContain('/sign-in');
    await page.getByLabel('Sign-in name').fill(login);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState('domcontentloaded');
    return page;
  }

  it('ops sign in, read the dashboard, filter the queue, open an item, re-run it and resolve it', async () => {
    const page = await signedIn(USERS.ops.login);
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    const open = Number(await page.locator('[data-count="open"]').textContent());
    const { rows } = await w.db.query<{ n: number }>("select count(*)::int as n from exception where state in ('open', 'in_progress')");
    expect(open).toBe(rows[0]!.n);
    await expect.poll(() => page.locator('svg[aria-label="Open items by age"]').count()).toBe(1);
    await expect.poll(() => page.locator('svg[aria-label^="Files and sets"]').count()).toBe(1);

    await page.locator('header nav').getByRole('link', { name: 'Queue' }).click();
    await page.getByLabel('category').selectOption('unknown-plan');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/category=unknown-plan/);
    const rowsShown = page.locator('tbody tr');
    expect(await rowsShown.count()).toBeGreaterThanOrEqual(2);
    for (const text of await rowsShown.allTextContents()) expect(text).toContain('Plan not offered by this group');

    await page.getByRole('link', { name: w.items.acmeHeld, exact: true }).click();
    await page.waitForURL(new RegExp(`/queue/${w.items.acmeHeld}`));
    await expect.poll(() => page.locator('h1').textContent()).toContain('Plan not offered');

    // The plan is still not offered: the re-run finds the hold again and says so.
    await page.getByRole('button', { name: 'Re-run' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/still held/i);
    expect(await page.locator('table').last().textContent()).toContain('rerun');

    // The member's data and segments, with a reason: shown, and audited.
    await page.getByPlaceholder("why you need the member's data").fill('checking the plan code sent');
    await page.getByRole('button', { name: /Show member data/ }).click();
    await expect.poll(() => page.locator('#phi').textContent()).toContain('880000001');
    expect(await page.locator('pre.segments .hit').textContent()).toContain('INS*Y*18');
    const audit = await w.db.query<{ reason: string }>("select reason from phi_audit where user_login = $1 and action = 'exception-phi' order by id desc limit 1", [USERS.ops.login]);
    expect(audit.rows[0]?.reason).toBe('checking the plan code sent');

    await page.getByPlaceholder('how it was resolved').fill('employer confirmed the PPO; member re-sent');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Resolved');
    expect(await page.locator('.badge.resolved').count()).toBe(1);
    const state = await w.db.query<{ state: string }>('select state from exception where id = $1', [w.items.acmeHeld]);
    expect(state.rows[0]?.state).toBe('resolved');
    await page.context().close();
  });

  it('ops see what a held full file would change and release it: the members it omits are queued for review, as the group asks', async () => {
    const page = await signedIn(USERS.ops.login);
    await page.locator('header nav').getByRole('link', { name: 'Held files' }).click();
    await page.getByRole('link', { name: w.items.heldFile, exact: true }).click();
    // GRP10045 queues the members a full file omits for review (omitted_members: review).
    const queued = Number(await page.locator('[data-count="queued"]').textContent());
    expect(queued).toBeGreaterThan(0);
    const review = "select count(*)::int as n from exception where category = 'possible-unintended-termination' and group_number = 'GRP10045'";
    const before = await w.db.query<{ n: number }>(review);
    expect(await page.locator('[data-count="added"]').textContent()).toBe('1');
    await page.getByPlaceholder('note (optional)').fill('employer confirmed the layoffs');
    await page.getByRole('button', { name: /Release/ }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Released: the file was applied/);
    const row = await w.db.query<{ state: string; decided_by: string }>('select state, decided_by from held_full_file where id = $1', [w.items.heldFile]);
    expect(row.rows[0]).toEqual({ state: 'released', decided_by: USERS.ops.login });
    const after = await w.db.query<{ n: number }>(review);
    expect(after.rows[0]!.n - before.rows[0]!.n).toBe(queued);
    const added = await w.db.query<{ n: number }>("select count(*)::int as n from member where subscriber_number = '880000009'");
    expect(added.rows[0]!.n).toBe(1);
    expect(await page.locator('form[action$="/release"]').count()).toBe(0);
    await page.context().close();
  });

  it('a partner user sees its own items only: another organisation’s item is not found, in the list or by its address', async () => {
    const page = await signedIn(USERS.acmeUser.login);
    expect(new URL(page.url()).pathname).toBe('/portal');
    await page.goto('/queue');
    const links = await page.locator('tbody a').allTextContents();
    expect(links).not.toContain(w.items.summitHeld);
    const r = await page.goto(`/queue/${w.items.summitHeld}`);
    expect(r?.status()).toBe(404);
    expect(await page.locator('[role="alert"]').textContent()).toContain(`no exception ${w.items.summitHeld}`);
    // The API answers the same through the browser's session.
    const api = await page.request.get(`/api/exceptions/${w.items.summitHeld}`);
    expect(api.status()).toBe(404);
    // Ops pages are refused.
    expect((await page.goto('/dashboard'))?.status()).toBe(403);
    await page.context().close();
  });
});
