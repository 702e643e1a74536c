import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../support/lab.js';
import { accessibilityProblems, launchBrowser, watchedPage } from './browser.js';

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

describe('a chapter that does not exist', () => {
  it('says so and links the chapters, instead of an error', async () => {
    // The page asks for the chapter before it knows there is none; that one 404 is expected.
    const w = await watchedPage(browser, [/\/lab\/v1\/chapters\/no-such-chapter$/]);
    await w.page.goto(`${t.url}/#/chapters/no-such-chapter`);
    await w.page.locator('article[data-chapter-missing="no-such-chapter"] h1', { hasText: 'No such chapter' }).waitFor();
    expect(await w.page.getByRole('alert').count()).toBe(0);
    await w.page.locator('article[data-chapter-missing]').getByRole('link', { name: 'Sharding' }).click();
    await w.page.locator('article[data-chapter="sharding"] h1').waitFor();
    expect(w.errors).toEqual([]);
  });
});

describe('the cluster dock', () => {
  it('keeps the topology, metrics, a load test and the migrations beside the text of every chapter, and stays open across visits', async () => {
    const w = await watchedPage(browser);
    await w.page.setViewportSize({ width: 1440, height: 900 });
    await w.page.goto(t.url);
    await w.page.locator('article[data-chapter="overview"] h1').waitFor();
    const dock = w.page.getByRole('complementary', { name: 'Cluster' });
    expect(await dock.count()).toBe(0);
    await w.page.getByRole('button', { name: 'Cluster', exact: true }).click();
    await dock.locator('.diagram svg').waitFor();
    const beside = async () => {
      const [text, panel] = await Promise.all([w.page.locator('main').boundingBox(), dock.boundingBox()]);
      return { text: text!, panel: panel! };
    };
    const wide = await beside();
    expect(wide.panel.x).toBeGreaterThanOrEqual(wide.text.x + wide.text.width - 1);
    await w.shot('dock-wide');
    expect(await accessibilityProblems(w.page)).toEqual([]);

    await dock.getByRole('tab', { name: 'Migrations' }).click();
    await expect.poll(() => dock.locator('.migrations tr[data-shard]').count()).toBe(2);
    await dock.getByRole('tab', { name: 'Load test' }).click();
    await dock.getByRole('button', { name: 'Start' }).waitFor();
    // The tabs follow the arrow keys, as a tab list does.
    await dock.getByRole('tab', { name: 'Load test' }).press('ArrowRight');
    expect(await dock.getByRole('tab', { name: 'Migrations' }).getAttribute('aria-selected')).toBe('true');
    await w.page.keyboard.press('ArrowRight');
    expect(await dock.getByRole('tab', { name: 'Topology' }).getAttribute('aria-selected')).toBe('true');
    await w.page.keyboard.press('ArrowRight');
    await dock.locator('[data-widget="metrics"]').waitFor();

    await w.page.locator('a[data-chapter-link="sharding"]').click();
    await w.page.locator('article[data-chapter="sharding"] h1').waitFor();
    expect(await dock.isVisible()).toBe(true);
    await w.page.reload();
    await dock.locator('.diagram svg').waitFor();

    // Narrow: the dock sits above the chapter, in the flow, never over the text.
    await w.page.setViewportSize({ width: 800, height: 900 });
    const narrow = await beside();
    expect(narrow.panel.y + narrow.panel.height).toBeLessThanOrEqual(narrow.text.y + 1);
    await w.shot('dock-narrow');
    await w.page.getByRole('button', { name: 'Hide cluster' }).click();
    expect(await dock.count()).toBe(0);
    expect(w.errors).toEqual([]);
  });
});
