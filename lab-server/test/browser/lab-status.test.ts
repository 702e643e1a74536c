import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../support/lab.js';
import { launchBrowser, watchedPage } from './browser.js';

/** The page knows when the lab is gone and when it is back, as a learner who stops `make dev` would see it. */
let t: TestLab;
let browser: Browser;
beforeAll(async () => {
  [t, browser] = await Promise.all([startTestLab(2), launchBrowser()]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('the lab’s status on the page', () => {
  it('says connecting, then live with the shards’ states, then that the lab is gone, then back without a reload', async () => {
    // The lab stopping under the page makes Chromium log each refused request and terminal reconnect: expected here.
    const w = await watchedPage(browser, [/\/lab\/v1\//, /\/api\//, /\/assets\/Terminal-/]);
    const status = w.page.locator('header [role="status"]');
    await w.page.goto(t.url);
    await expect.poll(() => status.textContent()).toBe('live · 2 shards');
    // Fully loaded (the diagram's chunks too), as a learner reading the page would be.
    await w.page.locator('section[data-exercise] button:has-text("Check"):enabled').first().waitFor();
    await w.page.locator('.diagram svg').waitFor();
    const navigations: string[] = [];
    w.page.on('framenavigated', (f) => f === w.page.mainFrame() && navigations.push(f.url()));

    await t.pause();
    await w.page.getByRole('alert').filter({ hasText: 'The lab is not running' }).waitFor({ timeout: 15_000 });
    expect(await status.textContent()).toBe('lab not running');
    expect(await w.page.locator('.app').getAttribute('data-lab')).toBe('lost');
    await w.shot('lab-lost');

    await t.restart({ samePort: true });
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/^(back|live) · 2 shards$/);
    await w.page.getByRole('alert').filter({ hasText: 'The lab is not running' }).waitFor({ state: 'detached' });
    // The chapter was fetched again, from the lab that came back, and the page never reloaded.
    await w.page.locator('section[data-exercise] button:has-text("Check"):enabled').first().waitFor();
    expect(navigations).toEqual([]);
    expect(w.errors).toEqual([]);
  });
});

describe('a chapter that is not written yet', () => {
  it('says so by its title and links the written ones, instead of an error', async () => {
    const upcoming = (await t.call<{ upcoming: Record<string, string> }>('GET', '/lab/v1/chapters')).body.upcoming;
    const [id, title] = Object.entries(upcoming)[0]!;
    // The page asks for the chapter before it knows it is upcoming; that one 404 is expected.
    const w = await watchedPage(browser, [new RegExp(`/lab/v1/chapters/${id}$`)]);
    await w.page.goto(`${t.url}/#/chapters/${id}`);
    await w.page.locator(`article[data-chapter-upcoming="${id}"] h1`, { hasText: title }).waitFor();
    expect(await w.page.getByRole('alert').count()).toBe(0);
    await w.page.getByRole('link', { name: 'Overview' }).last().click();
    await w.page.locator('article[data-chapter="overview"] h1').waitFor();
    expect(w.errors).toEqual([]);
  });
});
