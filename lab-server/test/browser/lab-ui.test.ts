import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/cluster/embedded-server.js';
import { startEmbeddedTestLab, testRing, type TestLab } from '../support/lab.js';
import { expectNothingLeftBehind } from '../support/workload.js';
import { accessibilityProblems, launchBrowser, watchedPage, type WatchedPage } from './browser.js';

/** The browser lab as a learner meets it: real Chromium, the built UI, a real embedded cluster. */
let t: TestLab;
let browser: Browser;

beforeAll(async () => {
  [t, browser] = await Promise.all([startEmbeddedTestLab(5), launchBrowser()]);
  await t.call('POST', '/lab/v1/chapters/sharding/reset');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const exercise = (page: Page, id: string): Locator => page.locator(`section[data-exercise="${id}"]`);

async function openChapter(w: WatchedPage, id: string): Promise<void> {
  await w.page.locator(`a[data-chapter-link="${id}"]`).click();
  await w.page.locator(`article[data-chapter="${id}"] h1`).waitFor();
}

async function resetChapter(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Reset chapter' }).first().click();
  await page.locator('[data-reset-preview]').waitFor();
  await page.getByRole('button', { name: 'Yes, reset' }).click();
  await page.getByText('Chapter reset.').waitFor({ timeout: 60_000 });
}

async function seed(page: Page, users: number): Promise<void> {
  const panel = page.locator('.shard-stats');
  await panel.getByLabel('Users to load').fill(String(users));
  await panel.getByRole('button', { name: 'Seed' }).click();
  await panel.locator('[data-job-state="succeeded"]').waitFor({ timeout: 60_000 });
}

async function check(page: Page, id: string): Promise<string> {
  const ex = exercise(page, id);
  await ex.getByRole('button', { name: 'Check' }).click();
  const result = ex.locator('[data-result]');
  await result.waitFor();
  // An earlier result is already on the page; the check is done when its button comes back (slow under load).
  await expect.poll(() => ex.getByRole('button', { name: 'Check' }).isEnabled(), { timeout: 60_000 }).toBe(true);
  return (await result.getAttribute('data-result'))!;
}

describe('the browser lab', () => {
  it('opens every chapter, with one event stream, no console errors and named controls', async () => {
    const w = await watchedPage(browser);
    const started = performance.now();
    await w.page.goto(t.url);
    await w.page.locator('section[data-exercise] button:has-text("Check"):enabled').first().waitFor();
    const interactiveMs = Math.round(performance.now() - started);
    await w.page.locator('.diagram svg').waitFor();
    const diagramMs = Math.round(performance.now() - started);
    console.log(`[browser] first chapter interactive after ${interactiveMs} ms; live diagram drawn after ${diagramMs} ms (1280×720, this machine)`);
    await w.shot('overview');
    await w.page.keyboard.press('Tab');
    expect(await w.page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the chapter');
    // A hint names a command in backticks: the page shows it as code, not as raw Markdown.
    const firstUser = exercise(w.page, 'first-user');
    await firstUser.getByRole('button', { name: 'Hint' }).click();
    expect(await firstUser.locator('.hint code').first().textContent()).toBe('user create Ada Lovelace');
    expect(await firstUser.locator('.hint').textContent()).not.toContain('`');
    // A claim of the original, measured here: the ring's movement from 4 to 5 shards is computed, not quoted.
    const movement = w.page.locator('tr[data-claim="movement"]');
    await movement.getByRole('button', { name: 'Measure it here' }).click();
    await expect.poll(() => movement.locator('[data-measured]').textContent()).toContain('the ring moves 16.12 %');
    // Claimed about 20 %: the verdict says it does not hold, and why.
    expect(await movement.locator('[data-verdict]').getAttribute('data-verdict')).toBe('fails');
    // A measurement that loads the cluster says what it will run, and runs nothing until asked.
    const throughput = w.page.locator('tr[data-claim="throughput"]');
    await throughput.getByRole('button', { name: 'Measure it here' }).click();
    await throughput.getByRole('group', { name: 'Run the measurement?' }).getByText('100 connections for 60 s').waitFor();
    await throughput.getByRole('button', { name: 'Cancel' }).click();
    expect((await t.call<{ runs: unknown[] }>('GET', '/lab/v1/loadtests')).body.runs).toEqual([]);
    await w.page.locator('.migrations tr[data-shard][data-pending="0"]').first().waitFor();
    expect(await w.page.locator('.migrations tr[data-shard]').count()).toBe(5);

    const chapters = (await t.call<{ chapters: { id: string }[] }>('GET', '/lab/v1/chapters')).body.chapters;
    for (const { id } of chapters) {
      await openChapter(w, id);
      await w.page.waitForLoadState('networkidle');
      await w.shot(`chapter-${id}`);
      expect(await accessibilityProblems(w.page), `axe-core on chapter ${id}`).toEqual([]);
      // The dock and an inline panel may draw the same widget: its ids (an SVG marker, a label's target) stay unique.
      const twice = await w.page.evaluate(() => {
        const seen = new Set<string>();
        return [...document.querySelectorAll('[id]')].map((el) => el.id).filter((x) => seen.has(x) || !seen.add(x));
      });
      expect(twice, `ids used twice on chapter ${id}`).toEqual([]);
    }
    expect(chapters.length).toBeGreaterThanOrEqual(2);

    // Every button says what it does (text or aria-label); every form control has a label.
    const unnamed = await w.page.evaluate(() =>
      [...document.querySelectorAll('button, input, select, textarea')]
        .filter((el) => {
          if (el.closest('.xterm')) return false;
          if (el instanceof HTMLButtonElement) return !(el.textContent?.trim() || el.getAttribute('aria-label'));
          const id = el.getAttribute('id');
          return !(el.getAttribute('aria-label') || (id && document.querySelector(`label[for="${CSS.escape(id)}"]`)));
        })
        .map((el) => el.outerHTML.slice(0, 120)),
    );
    expect(unnamed).toEqual([]);

    expect(w.eventStreams()).toBe(1);
    expect(w.errors).toEqual([]);
    await w.page.close();
  });

  it('says a bad key is bad once, beside the key, and the ring keeps answering its controls', async () => {
    // The one refused lookup is logged by Chromium as a failed request: expected here.
    const w = await watchedPage(browser, [/\/lab\/v1\/ring\?/]);
    let badLookups = 0;
    w.page.on('request', (r) => r.url().includes('/lab/v1/ring?') && r.url().includes('key=hello') && badLookups++);
    await w.page.goto(`${t.url}/#/chapters/sharding`);
    const ring = w.page.locator('.ring');
    await ring.getByLabel('Look up a key (a user id)').fill('hello world');
    await ring.getByRole('button', { name: 'Look up' }).click();
    await ring.getByRole('alert').filter({ hasText: /key/i }).waitFor();
    await ring.getByLabel(/Virtual nodes per shard/).fill('10');
    await expect.poll(() => ring.locator('label', { hasText: 'Virtual nodes per shard' }).textContent()).toContain('10');
    await ring.getByText('A hypothetical ring').waitFor();
    await ring.getByLabel('Shards', { exact: true }).fill('7');
    await expect.poll(() => ring.locator('table.shares tbody tr').count()).toBe(7);
    expect(badLookups).toBe(1);
    await w.page.close();
  });

  it('answers an exercise from the ring widget: look the key up, pick the shard, Check passes', async () => {
    const w = await watchedPage(browser);
    await w.page.goto(`${t.url}/#/chapters/sharding`);
    const key = '019478a1-3c5f-7d9e-8b3c-4a5f6e7d8c9b';
    const ring = w.page.locator('.ring');
    await ring.getByLabel('Look up a key (a user id)').fill(key);
    await ring.getByRole('button', { name: 'Look up' }).click();
    const owner = await ring.locator('[data-lookup-shard]').getAttribute('data-lookup-shard');
    expect(owner).toBe(testRing(5).route(key).shard_name);

    const ex = exercise(w.page, 'route-key');
    await ex.locator('select').selectOption(owner === 'shard-0' ? 'shard-1' : 'shard-0');
    expect(await check(w.page, 'route-key')).toBe('fail');
    await ex.locator('select').selectOption(owner!);
    expect(await check(w.page, 'route-key')).toBe('pass');
    await ex.getByText('✓ passed').waitFor();
    await w.shot('ring-lookup');

    // The SQL viewer on the same page: one shard, real rows.
    const sql = w.page.locator('.sql').first();
    await sql.getByLabel('Statement').fill('SELECT 6 * 7 AS answer;');
    await sql.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => sql.locator('.sql-out td').first().textContent()).toBe('42');
    await sql.getByRole('button', { name: 'Explain', exact: true }).click();
    await sql.locator('pre.plan').waitFor();
    // While a statement runs the viewer says so; a refused one replaces the last result instead of sitting above it.
    await sql.getByLabel('Statement').fill('SELECT pg_sleep(1.5)');
    await sql.getByRole('button', { name: 'Run', exact: true }).click();
    await sql
      .getByRole('status')
      .filter({ hasText: /Running on shard-\d/ })
      .waitFor();
    await sql.locator('.sql-out td').first().waitFor();
    await sql.getByLabel('Statement').fill('SELEC 1');
    await sql.getByRole('button', { name: 'Run', exact: true }).click();
    await sql.getByRole('alert').filter({ hasText: 'syntax error' }).waitFor();
    expect(await sql.locator('.sql-out').count()).toBe(0);
    expect(w.errors.filter((e) => !e.includes('/lab/v1/sql'))).toEqual([]);
    await w.page.close();
  });

  it('traces a user creation from the Architecture chapter: a measured waterfall, and the exercise answered from it', async () => {
    await t.call('POST', '/lab/v1/chapters/architecture/reset');
    const w = await watchedPage(browser);
    // Every chapter links the glossary, which lives in this chapter.
    await w.page.goto(`${t.url}/#/chapters/sharding`);
    await w.page.locator('.chapter-bar').getByRole('link', { name: 'Glossary' }).click();
    await w.page.locator('h2#glossary').waitFor();
    await expect.poll(() => w.page.locator('h2#glossary').isVisible()).toBe(true);
    expect(new URL(w.page.url()).hash).toBe('#/chapters/architecture/glossary');
    await w.page.goto(`${t.url}/#/chapters/architecture`);
    const tracer = w.page.locator('.tracer');
    await tracer.getByRole('button', { name: 'Create a user', exact: true }).click();
    await tracer.getByRole('button', { name: 'Trace', exact: true }).click();
    const waterfall = tracer.locator('.waterfall');
    await waterfall.waitFor();
    for (const span of ['POST /api/v1/users', 'validate (zod)', 'mint id (UUIDv7)', 'ring lookup', 'pool wait', 'query', 'response']) {
      expect(await waterfall.locator(`li[data-span="${span}"]`).count(), span).toBeGreaterThan(0);
    }
    const shard = await tracer.locator('p[aria-live] strong').nth(1).textContent();
    expect(shard).toMatch(/^shard-\d$/);
    await waterfall.locator(`li[data-span="${shard} primary"]`).waitFor();
    expect(await waterfall.locator('li[data-span="query"] .span-detail').first().textContent()).toMatch(/^INSERT INTO users .* → 1 rows$/);
    // A span opens to its attributes: the ring walk's hash and virtual node.
    await waterfall.locator('li[data-span="ring lookup"] button').click();
    await expect.poll(() => waterfall.locator('li[data-span="ring lookup"] .span-attrs').textContent()).toMatch(/lab\.ring\.vnode\s*shard-\d-vn\d+/);
    await w.shot('request-tracer');
    // The original's diagram 4, driven by the same spans: each box shows its span's measured time, lit in turn.
    const path = tracer.locator('.request-path');
    await expect.poll(() => path.getAttribute('data-step'), { timeout: 20_000 }).toBe('done');
    await path.scrollIntoViewIfNeeded();
    await w.shot('request-path');
    const ringMs = await waterfall.locator('li[data-span="ring lookup"] .span-ms').first().textContent();
    expect(await path.locator('li[data-stage="ring"] .num').textContent()).toBe(ringMs);
    expect(await path.locator('li[data-stage="primary"] strong').textContent()).toBe(`${shard} primary`);
    expect(await path.locator('li[data-stage="replica"]').getAttribute('class')).toContain('absent');
    await path.getByRole('button', { name: 'Replay' }).click();
    await expect.poll(() => path.getAttribute('data-step')).not.toBe('done');
    // Scenario 4's panel sets the original's claimed table beside what this machine measured.
    expect(await w.page.locator('.scenario-four table').first().textContent()).toContain('600,000');

    const ex = exercise(w.page, 'trace-create');
    await ex.locator('select').selectOption(shard!);
    expect(await check(w.page, 'trace-create')).toBe('pass');
    await ex.getByText('✓ passed').waitFor();

    // Scenarios 1–3: three real requests, the read answered by the shard the user was written to.
    await tracer.getByRole('button', { name: 'Run scenarios 1–3' }).click();
    await tracer.locator('tr[data-scenario="list-all"]').waitFor();
    const shardOf = (s: string) => tracer.locator(`tr[data-scenario="${s}"] td`).nth(3).textContent();
    expect(await shardOf('get-by-id')).toBe(await shardOf('register'));
    expect(await shardOf('list-all')).toBe('every shard');
    await tracer.getByRole('button', { name: '3. List all users' }).click();
    await expect.poll(() => waterfall.locator('li[data-span="query"]').count()).toBe(5);

    // Live traffic: sampling on, requests nobody asked to trace appear in the live list and open as waterfalls.
    await tracer.getByLabel('Sample live traffic').selectOption('100');
    await expect.poll(async () => (await t.call<{ percent: number }>('GET', '/lab/v1/traces/sampling')).body.percent).toBe(100);
    for (let i = 0; i < 3; i++) await t.call('GET', '/api/v1/users?limit=3');
    const live = tracer.getByRole('list', { name: 'Sampled from live traffic' });
    await expect.poll(() => live.getByRole('button').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    await live.getByRole('button').first().click();
    await expect.poll(() => waterfall.locator('p').first().textContent()).toMatch(/^GET \/api\/v1\/users → 200/);
    await tracer.getByLabel('Sample live traffic').selectOption('0');

    // Key fate: the newest user followed through the ring's versions, its row found where the ring sends reads.
    const fate = w.page.locator('.key-fate');
    await fate.getByRole('button', { name: "Newest user's id" }).click();
    await fate.locator('[data-verdict="routed"] tr[data-version]').first().waitFor();
    expect(await fate.locator('[data-verdict]').textContent()).toMatch(/Row found on shard-\d\. Its row is on that shard/);
    expect(w.errors).toEqual([]);
    await w.page.close();
  });

  it('works the Sharding chapter through the page: seed, add a shard faithfully, see the diagram change and the orphans 404, then rebalance', async () => {
    const w = await watchedPage(browser, [/\/api\/v1\/users\//]);
    const { page } = w;
    // Another chapter left a user behind: entering this one says how the cluster differs from its start.
    await t.call('POST', '/api/v1/users', { first_name: 'Left', last_name: 'Behind' });
    await page.goto(`${t.url}/#/chapters/sharding`);
    await page.locator('[data-start-differs]', { hasText: 'the start has 20,000' }).waitFor();
    await resetChapter(page);
    await page.locator('.diagram[data-shards="5"] svg').waitFor();
    expect(await page.locator('[data-start-differs]').count()).toBe(0);
    // The chapter's start holds 20,000 users; the Seed button adds to them.
    await page.locator('.shard-stats tfoot', { hasText: '20,000 users' }).waitFor();
    await seed(page, 1_000);
    await page.locator('.shard-stats tfoot', { hasText: '21,000 users' }).waitFor();
    expect(await check(page, 'faithful-add')).toBe('fail');
    await page.getByRole('button', { name: 'Add shard — faithful' }).click();
    await page.locator('.diagram[data-shards="6"] svg').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator('.diagram svg').textContent()).toContain('shard-5');
    await expect.poll(() => page.locator('.shard-stats tfoot td.num').textContent(), { timeout: 15_000 }).not.toBe('0');
    expect(await check(page, 'faithful-add')).toBe('pass');

    // An orphan: its row exists, but the API looks on the shard the new ring names and answers 404.
    const orphanRow = page.locator('.shard-stats tr[data-orphans]:not([data-orphans="0"])').first();
    await orphanRow.locator('summary').click();
    await orphanRow
      .getByRole('button', { name: /^GET user/ })
      .first()
      .click();
    await expect.poll(() => orphanRow.locator('.probe').first().textContent()).toContain('404');
    await w.shot('faithful-orphans');

    // Before it runs, the reset says what it will change.
    await page.getByRole('button', { name: 'Reset chapter' }).first().click();
    await page.locator('[data-reset-preview]', { hasText: 'the ring has 6 shards; the start has 5' }).waitFor();
    await page.locator('.chapter-actions').getByRole('button', { name: 'Cancel' }).click();
    await resetChapter(page);
    await page.locator('.diagram[data-shards="5"] svg').waitFor({ timeout: 60_000 });
    await page.locator('.shard-stats tfoot', { hasText: '20,000 users' }).waitFor();
    await page.getByRole('button', { name: 'Add shard — rebalance' }).click();
    await page.locator('.diagram[data-shards="6"] svg').waitFor({ timeout: 90_000 });
    await page.locator('.topology .job-line', { hasText: 'succeeded' }).waitFor({ timeout: 90_000 });
    // An ended job says how it ended, not the step and percentage it last reported.
    expect(await page.locator('.topology .job-line').textContent()).not.toMatch(/cleanup|%|rows\)/);
    expect(await check(page, 'rebalance')).toBe('pass');
    await w.shot('rebalanced');
    expect(w.errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('works the Partitioning chapter through the page: build 8 partitions, read them per shard, explain a lookup, answer the pruning exercise, cancel a rebuild, retire a month', async () => {
    await t.call('POST', '/lab/v1/chapters/partitioning/reset');
    const seeded = await t.call<{ job_id: string }>('POST', '/lab/v1/seed', { users: 20000 });
    await t.running.lab.jobs.wait(seeded.body.job_id);
    const w = await watchedPage(browser);
    const { page } = w;
    await page.goto(`${t.url}/#/chapters/partitioning`);
    const panel = page.locator('.partitions');
    await panel.getByRole('button', { name: 'Build 8 partitions' }).click();
    await panel.locator('[data-built="8"]').waitFor({ timeout: 60_000 });
    const rows = panel.locator('tr[data-shard]');
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.partitions))).toEqual(['8', '8', '8', '8', '8']);
    const counts = await rows.evaluateAll((trs) => trs.map((tr) => [(tr as HTMLElement).dataset.rows, (tr as HTMLElement).dataset.users]));
    expect(counts.every(([copy, users]) => copy === users && Number(users) > 0)).toBe(true);
    expect(await check(page, 'build-8')).toBe('pass');
    await panel.locator('summary.spark').first().click();
    await panel.scrollIntoViewIfNeeded();
    await w.shot('partition-inspector');

    const pruning = page.locator('.pruning');
    await pruning.getByRole('button', { name: 'Explain' }).click();
    const byId = pruning.locator('[data-lookup="by_id"]');
    await byId.waitFor();
    expect(await byId.getAttribute('data-scanned')).toBe('1');
    expect(await pruning.locator('[data-lookup="by_id_runtime"]').getAttribute('data-planned')).toBe('8');
    expect(await pruning.locator('[data-lookup="by_name"]').getAttribute('data-scanned')).toBe('8');
    await w.shot('partition-pruning');

    const ex = exercise(page, 'prune-by-id');
    await ex.locator('input').fill('8');
    expect(await check(page, 'prune-by-id')).toBe('fail');
    await ex.locator('input').fill('1');
    expect(await check(page, 'prune-by-id')).toBe('pass');

    // The build is a job: the panel shows its progress and ends it on Cancel, leaving the 8 partitions.
    await panel.getByRole('button', { name: 'Build 16 partitions' }).click();
    const job = panel.locator('.partition-job');
    await job.waitFor();
    await job
      .getByRole('button', { name: 'Cancel' })
      .click({ timeout: 5_000 })
      .catch(() => undefined);
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 60_000 }).toMatch(/^(cancelled|succeeded)$/);
    const ended = await job.getAttribute('data-state');
    await expect
      .poll(() => rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.partitions)))
      .toEqual(Array(5).fill(ended === 'cancelled' ? '8' : '16'));

    // Messages by month: build, retire the oldest by DELETE then the next by DROP, and read both rows of numbers.
    const seededMessages = await t.call<{ job_id: string }>('POST', '/lab/v1/seed', { users: 500, conversations: 200, messages: 4000 });
    await t.running.lab.jobs.wait(seededMessages.body.job_id);
    const months = page.locator('.monthly-partitions');
    await months.getByRole('button', { name: 'Build monthly partitions' }).click();
    await months.locator('tr[data-month="DEFAULT"]').waitFor({ timeout: 60_000 });
    expect(await check(page, 'retire-month')).toBe('fail');
    await months.getByRole('button', { name: 'Retire oldest month — DELETE' }).click();
    await months.locator('tr[data-how="delete"]').waitFor();
    expect(await check(page, 'retire-month')).toBe('fail');
    await months.getByRole('button', { name: 'Retire oldest month — DROP' }).click();
    await months.locator('tr[data-how="drop"]').waitFor();
    expect(await months.locator('tr[data-how="delete"] td').last().textContent()).toBe('still there, with dead rows');
    expect(await months.locator('tr[data-how="drop"] td').last().textContent()).toBe('gone');
    expect(await check(page, 'retire-month')).toBe('pass');
    await months.scrollIntoViewIfNeeded();
    await w.shot('partition-months');
    expect(w.errors).toEqual([]);
    await page.close();
    await t.call('POST', '/lab/v1/chapters/partitioning/reset');
  });
  it("works the Migrations chapter through the page: fail one shard, predict and see the split, resume, crash the original's runner and find its lock stuck", async () => {
    const w = await watchedPage(browser);
    const { page } = w;
    await page.goto(`${t.url}/#/chapters/migrations`);
    await resetChapter(page);
    const drill = page.locator('.migration-drill');
    const row = (shard: string) => drill.locator(`.drill-matrix tr[data-shard="${shard}"]`);
    await row('shard-0').locator('td[data-state="pending"]').first().waitFor();

    await drill.getByRole('button', { name: 'Latest', exact: true }).click();
    await drill.locator('.drill-matrix tr[data-shard="shard-4"][data-applied="4"]').waitFor();
    expect(await check(page, 'apply-everywhere')).toBe('pass');

    await drill.getByRole('button', { name: 'Reset drill' }).click();
    await drill.locator('.drill-matrix tr[data-shard="shard-2"][data-applied="0"]').waitFor();
    await drill.getByLabel('Shard').selectOption('shard-2');
    await drill.getByLabel('Migration').selectOption('0003_index_priority');
    await drill.getByRole('button', { name: 'Inject fault' }).click();
    await row('shard-2').getByText('⚑ fault').waitFor();
    await drill.getByRole('button', { name: 'Latest', exact: true }).click();
    await row('shard-2').locator('td[data-state="failed"]').waitFor();
    expect(await row('shard-2').getAttribute('data-applied')).toBe('2');
    expect(await row('shard-1').getAttribute('data-applied')).toBe('4');
    await exercise(page, 'predict-split').locator('input').fill('2');
    expect(await check(page, 'predict-split')).toBe('pass');
    await drill.getByRole('button', { name: "Try the new version's write" }).click();
    await drill.locator('li[data-probe-shard="shard-2"][data-ok="false"]').waitFor();
    expect(await drill.locator('li[data-ok="true"]').count()).toBe(4);
    // The runner's flow and the schema history show the split too.
    const timeline = page.locator('.drill-timeline-panel');
    await timeline.locator('.drill-flow tr[data-shard="shard-2"][data-phase="failed"]').waitFor();
    expect(await timeline.locator('.drill-timeline li[data-shard="shard-2"] .timeline-failed').textContent()).toContain('0003 failed');
    // The app's own requests, through the messenger API: shard-2's users only get errors.
    await drill.getByRole('button', { name: "Send the app's requests" }).click();
    await drill.locator('tr[data-request-shard="shard-2"][data-ok="false"]').first().waitFor();
    expect(await drill.locator('tr[data-request-shard][data-ok="true"]').count()).toBe(8);
    expect(await drill.locator('tr[data-request-shard="shard-2"] .error').first().textContent()).toMatch(/shard-2: column "tags".*does not exist/);
    expect(await check(page, 'lagging-requests')).toBe('pass');
    await w.shot('migrations-split');
    await timeline.scrollIntoViewIfNeeded();
    await w.shot('migrations-flow-timeline');

    await drill.getByRole('button', { name: 'Clear faults' }).click();
    await drill.getByRole('button', { name: 'Latest', exact: true }).click();
    await drill.locator('.drill-matrix tr[data-shard="shard-2"][data-applied="4"]').waitFor();
    expect(await check(page, 'resume')).toBe('pass');

    const rename = page.locator('.rename-drill');
    await rename.getByRole('button', { name: 'Rename — expand/contract' }).click();
    await rename.locator('[data-rename="expand-contract"]').waitFor({ timeout: 60_000 });
    expect(await rename.locator('[data-rename="expand-contract"]').getAttribute('data-failed')).toBe('0');
    expect(await rename.locator('[data-rename="expand-contract"] tr[data-step]').count()).toBe(7);
    await rename.scrollIntoViewIfNeeded();
    await w.shot('migrations-rename');

    await drill.getByRole('button', { name: 'Down', exact: true }).click();
    await drill.locator('.drill-matrix tr[data-shard="shard-0"][data-applied="3"]').waitFor();
    await drill.getByRole('button', { name: "Crash — original's lock" }).click();
    await drill.locator('[data-crash-mode="faithful"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => drill.locator('.drill-matrix tr[data-row-lock="locked"]').count()).toBe(5);
    expect(await check(page, 'stuck-lock')).toBe('pass');
    await w.shot('migrations-stuck-lock');
    expect(w.errors).toEqual([]);
    await page.close();
  }, 180_000);
  it('works the tuning chapter through the page: turns a knob in the panel, puts it back, answers the pool formula, measures memory per connection', async () => {
    const w = await watchedPage(browser);
    await w.page.goto(`${t.url}/#/chapters/performance-tuning`);
    const knobValue = async (name: string) =>
      (await t.call<{ knobs: { name: string; value: string }[] }>('GET', '/lab/v1/tuning/knobs')).body.knobs.find((k) => k.name === name)!.value;
    const row = w.page.locator('.knobs tr[data-knob="pool_max"]');
    await row.getByLabel('pool_max', { exact: true }).fill('7');
    await row.getByRole('button', { name: 'Set pool_max', exact: true }).click();
    await expect.poll(() => row.getAttribute('class')).toContain('changed');
    expect(await knobValue('pool_max')).toBe('7');
    await row.scrollIntoViewIfNeeded();
    await w.shot('tuning-knobs');
    await row.getByRole('button', { name: 'Reset pool_max to its default' }).click();
    await expect.poll(() => knobValue('pool_max')).toBe('20');

    // The formula from what the panel shows: max_connections and the prefork workers.
    const max = Number(await w.page.locator('.knobs tr[data-knob="max_connections"]').getByLabel('max_connections', { exact: true }).inputValue());
    const workers = Number(await w.page.locator('.knobs tr[data-knob="workers"]').getByLabel('workers', { exact: true }).inputValue());
    const ex = exercise(w.page, 'pool-formula');
    await ex.getByLabel('Pool size per process and shard').fill(String(Math.floor(((max - Math.ceil(max * 0.2)) / (1 + workers)) * 0.5)));
    expect(await check(w.page, 'pool-formula')).toBe('pass');

    // Memory per open connection: a small trial from the widget, its table, and its server gone afterwards.
    const memory = w.page.locator('.connection-memory');
    await memory.getByLabel('Connections').fill('200');
    await memory.getByRole('button', { name: 'Measure' }).click();
    await expect.poll(() => memory.locator('tr', { hasText: 'per connection' }).count(), { timeout: 60_000 }).toBe(1);
    await expect.poll(() => memory.locator('tr', { hasText: '200 open' }).count()).toBe(1);
    const pid = Number(/pid (\d+) \(stopped\)/.exec((await memory.textContent()) ?? '')?.[1]);
    expect(isAlive(pid)).toBe(false);
    expect(await memory.locator('[data-bites-first]').getAttribute('data-bites-first')).toMatch(/^(file descriptors|memory)$/);
    // The query-shape trial from its panel: four pairs measured on shard-0, each with both medians.
    const shapes = w.page.locator('.query-shapes');
    await shapes.getByLabel('Rounds per side').fill('5');
    await shapes.getByRole('button', { name: 'Measure the four pairs' }).click();
    await expect
      .poll(() => shapes.locator('tr[data-pair]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-pair'))), { timeout: 60_000 })
      .toEqual(['transaction', 'columns', 'take', 'updates']);
    expect(await shapes.locator('tr[data-pair="take"]').textContent()).toMatch(/First\(&user, id\)[\d,]+ µsTake\(&user, id\)[\d,]+ µs[+−]?[\d.]+ %10–20 %/);
    expect(await shapes.textContent()).toContain('shard-0, 5 rounds per side');
    await shapes.scrollIntoViewIfNeeded();
    await w.shot('tuning-query-shapes');
    // The connection budget: the primary alone with pools of 2, filled under load, is 2 connections per shard.
    const budget = w.page.locator('.connection-budget');
    await budget.getByLabel('Workers').fill('0');
    await budget.getByLabel('pool_max').fill('2');
    await budget.getByLabel('Seconds').fill('1');
    await budget.getByRole('button', { name: 'Measure the budget' }).click();
    await budget.locator('tr[data-shard="shard-4"]').waitFor({ timeout: 60_000 });
    expect(await budget.locator('tr[data-shard]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-peak')))).toEqual(['2', '2', '2', '2', '2']);
    await budget.scrollIntoViewIfNeeded();
    await w.shot('tuning-connection-budget');
    expect(w.errors).toEqual([]);
    await w.page.close();
  });
  it('measures from the tuning panels: a prediction met by the next run, where the time went, and the pool starved then fixed', async () => {
    const w = await watchedPage(browser);
    const { page } = w;
    await page.goto(`${t.url}/#/chapters/performance-tuning`);
    const load = page.locator('.loadtest').first();
    const runs = async () => (await t.call<{ runs: { id: string; state: string }[]; running: string | null }>('GET', '/lab/v1/loadtests')).body;
    const runSmoke = async () => {
      const newest = (await runs()).runs[0]?.id;
      await load.getByLabel('Scenario').selectOption('smoke');
      await load.getByLabel('Seconds (optional)').fill('2');
      await load.getByRole('button', { name: 'Start' }).click();
      await expect.poll(async () => (await runs()).runs[0]?.id, { timeout: 30_000 }).not.toBe(newest);
      await expect.poll(async () => (await runs()).running, { timeout: 90_000 }).toBeNull();
      expect((await runs()).runs[0]!.state).toBe('finished');
      await load.locator('[data-run-state="finished"]').waitFor({ timeout: 30_000 });
    };

    // Where the time goes: traced at 100 %, one run fills the table per endpoint; Reset empties it.
    const breakdown = page.locator('.breakdown');
    await breakdown.getByRole('button', { name: 'Reset' }).click();
    await breakdown.getByRole('button', { name: '100 %' }).click();
    await expect.poll(() => breakdown.getByRole('button', { name: '100 %' }).getAttribute('aria-pressed')).toBe('true');
    await runSmoke();

    // Predict against that run, run the same scenario again: the row gets its measurement.
    const predictions = page.locator('.predictions');
    await predictions.getByLabel('Predicted change (%)').fill('5');
    await predictions.getByLabel('after changing').fill('nothing at all');
    await predictions.getByRole('button', { name: 'Record prediction' }).click();
    const row = predictions.locator('tr[data-prediction]', { hasText: 'nothing at all' });
    await row.waitFor();
    expect(await row.getAttribute('data-measured')).toBe('');
    await runSmoke();
    await expect.poll(() => row.getAttribute('data-measured'), { timeout: 30_000 }).not.toBe('');
    const measured = (
      await t.call<{ predictions: { note: string; measured_pct: number | null }[] }>('GET', '/lab/v1/tuning/predictions')
    ).body.predictions.find((p) => p.note === 'nothing at all')!.measured_pct;
    expect(Number(await row.getAttribute('data-measured'))).toBe(measured);

    const endpoints = breakdown.locator('tr[data-endpoint]');
    await expect.poll(() => endpoints.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const served = (await t.call<{ endpoints: { endpoint: string; requests: number }[] }>('GET', '/lab/v1/tuning/breakdown')).body.endpoints;
    expect(served.length).toBeGreaterThan(0);
    await breakdown.locator(`tr[data-endpoint="${served[0]!.endpoint}"]`).waitFor();
    await breakdown.scrollIntoViewIfNeeded();
    await w.shot('tuning-breakdown');
    await breakdown.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => endpoints.count(), { timeout: 10_000 }).toBe(0);
    await breakdown.getByRole('button', { name: 'off' }).click();
    await expect.poll(async () => (await t.call<{ sample_percent: number }>('GET', '/lab/v1/tuning/breakdown')).body.sample_percent).toBe(0);

    // The original's starvation at this scale: before and after, as two runs, read back from the API.
    const starvation = page.locator('.starvation');
    await starvation.getByLabel('Seconds per run').fill('2');
    await starvation.getByRole('button', { name: 'Starve, then fix' }).click();
    await starvation.locator('tr[data-side="after"]').waitFor({ timeout: 120_000 });
    const result = (await t.call<{ result: { before: { success_pct: number }; after: { success_pct: number } } }>('GET', '/lab/v1/tuning/starvation')).body
      .result!;
    expect(Number(await starvation.locator('tr[data-side="before"]').getAttribute('data-success'))).toBe(result.before.success_pct);
    expect(Number(await starvation.locator('tr[data-side="after"]').getAttribute('data-success'))).toBe(result.after.success_pct);
    await starvation.scrollIntoViewIfNeeded();
    await w.shot('tuning-starvation');
    expect(w.errors).toEqual([]);
    await page.close();
  }, 300_000);
  it('works the Foreign-keys chapter through the page: a conversation across shards drawn from the database, an orphan refused, a member deleted and cleaned up', async () => {
    const w = await watchedPage(browser);
    const { page } = w;
    await page.goto(`${t.url}/#/chapters/foreign-keys`);
    await resetChapter(page);
    // The chapter's static diagrams (```mermaid in the file) are drawn as each comes near the screen, none left as source.
    await expect
      .poll(
        async () => {
          // Bring the next one still waiting near the screen; once seen, a diagram is drawn even if scrolled away.
          const waiting = page.locator('.mermaid-source').first();
          if ((await waiting.count()) > 0) await waiting.scrollIntoViewIfNeeded().catch(() => undefined);
          return page.locator('.static-diagram svg').count();
        },
        { timeout: 30_000 },
      )
      .toBe(4);
    await page.evaluate(() => window.scrollTo({ top: 0 }));
    expect(await page.locator('.mermaid-source').count()).toBe(0);
    const messenger = page.locator('.messenger');
    await messenger.getByRole('button', { name: 'Sample conversation' }).click();
    // The diagram is drawn from the shards: one box per shard holding a row, three of them members' shards at least.
    await messenger.locator('.diagram svg').waitFor({ timeout: 30_000 });
    await expect
      .poll(async () => new Set(await messenger.locator('li[data-member]').evaluateAll((els) => els.map((e) => e.getAttribute('data-shard')))).size)
      .toBeGreaterThanOrEqual(3);
    expect(await messenger.locator('.diagram svg').textContent()).toContain('Analytical Engine');
    expect(await check(page, 'three-shards')).toBe('pass');
    // An account from the page: the claim's lookup row and the account, each read back from its shard.
    await messenger.getByLabel('Account for').selectOption({ label: 'Ada Lovelace' });
    await messenger.getByLabel('Username', { exact: true }).fill('Countess');
    await messenger.getByRole('button', { name: 'Claim username' }).click();
    await expect
      .poll(() => messenger.locator('[data-name="countess"]').textContent())
      .toMatch(/username_lookup row on shard-\d.*confirmed.*accounts row of Ada Lovelace on shard-\d/);

    const fk = page.locator('.foreign-keys');
    await fk.getByRole('button', { name: 'Insert an orphan message' }).click();
    await expect.poll(() => fk.locator('.db-error').textContent()).toContain('SQLSTATE: 23503');
    expect(await check(page, 'refuse-orphan')).toBe('pass');

    expect(await check(page, 'cleanup')).toBe('fail');
    await messenger.getByRole('button', { name: 'Delete Ada Lovelace' }).click();
    await messenger.locator('[data-outbox-pending="0"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => messenger.locator('.messenger-rows').textContent()).toContain('whose sender was deleted');
    expect(await check(page, 'cleanup')).toBe('pass');
    await messenger.getByRole('button', { name: 'Audit every cross-shard reference' }).click();
    await messenger.locator('table[data-dangling="0"]').waitFor();
    await w.shot('foreign-keys');
    expect(w.errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('kills a shard during a cleanup from the outbox panel, breaks a reference from the constraint explorer and predicts a username race', async () => {
    const w = await watchedPage(browser);
    const { page } = w;
    await page.goto(`${t.url}/#/chapters/foreign-keys`);
    await resetChapter(page);
    const outbox = page.locator('.outbox-panel');
    await outbox.locator('table[data-outbox-shards]').waitFor();
    await outbox.getByRole('button', { name: 'Kill a shard during a cleanup' }).click();
    await outbox.locator('[data-drill-orphans="0"]').waitFor({ timeout: 120_000 });
    expect(await outbox.locator('.outbox-steps').textContent()).toMatch(/The event tried \d+ time\(s\) and stays pending/);
    expect(await outbox.locator('tr[data-state="delivered"]').count()).toBeGreaterThan(0);
    expect(await check(page, 'shard-down')).toBe('pass');

    const explorer = page.locator('.constraint-explorer');
    await expect.poll(() => explorer.locator('table[data-constraints] tr').filter({ hasText: 'messages_sender_fkey' }).textContent()).toContain('set null');
    const colocated = explorer.locator('tr[data-kept-by="database"]').first();
    await colocated.getByRole('button', { name: 'Break it' }).click();
    await expect.poll(() => colocated.textContent()).toContain('SQLSTATE 23503');

    await exercise(page, 'predict-claims').getByLabel('How many of 50 concurrent claims for one new username will win?').fill('1');
    expect(await check(page, 'predict-claims')).toBe('pass');

    // The username protocol step by step: a sign-up dies after its claim, then after its create; each settles on one account.
    const claims = page.locator('.claim-walkthrough');
    expect(await check(page, 'claim-crash')).toBe('fail');
    await claims.getByLabel('The first sign-up').selectOption('after-claim');
    await claims.getByRole('button', { name: 'Run the walkthrough' }).click();
    const first = claims.locator('table[data-crash="after-claim"][data-settled="true"]');
    await first.waitFor({ timeout: 60_000 });
    expect(await first.locator('tr[data-step="late-create"]').getAttribute('data-outcome')).toBe('refused');
    expect(await first.locator('tr[data-step="second-claim-again"]').textContent()).toMatch(/second user, confirmed/);
    await claims.getByLabel('The first sign-up').selectOption('after-create');
    await claims.getByRole('button', { name: 'Run the walkthrough' }).click();
    await claims.locator('table[data-crash="after-create"][data-settled="true"]').waitFor({ timeout: 60_000 });
    expect(await claims.locator('tr[data-step="second-claim-again"]').textContent()).toMatch(/first sign-up, confirmed/);
    expect(await check(page, 'claim-crash')).toBe('pass');
    await w.shot('foreign-keys-outbox');
    expect(w.errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('starts a short load test from the page and the chart moves', async () => {
    const w = await watchedPage(browser);
    const { page } = w;
    await page.goto(t.url);
    const panel = page.locator('.loadtest');
    await panel.waitFor();
    await panel.getByLabel('Scenario').selectOption('smoke');
    await panel.getByLabel('Seconds (optional)').fill('4');
    await panel.getByLabel('Connections (optional)').fill('3');
    await panel.getByRole('button', { name: 'Start' }).click();
    // The line says what runs (the learner's numbers, not the scenario's), and nothing is counted during the warm-up.
    await panel.locator('.job-line', { hasText: 'smoke · 3 connections · 4 s' }).waitFor();
    await panel.locator('.job-line', { hasText: / of 4 s, [\d,]+ requests/ }).waitFor({ timeout: 30_000 });
    const chart = panel.locator('.chart');
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await panel.locator('[data-run-state="finished"]').waitFor({ timeout: 60_000 });
    await panel.locator('table.summary').waitFor();
    await w.shot('loadtest');
    expect(w.errors).toEqual([]);
    await page.close();
  });

  it('adds a replica to a shard and promotes it from the topology panel: the shard keeps its keys at a new address', async () => {
    const w = await watchedPage(browser);
    const { page } = w;
    await page.goto(t.url);
    const row = page.locator('.topology tr[data-shard="shard-1"]');
    const address = row.locator('td.mono');
    const before = await address.textContent();
    await row.getByRole('button', { name: 'Add replica to shard-1' }).click();
    await row.getByRole('button', { name: 'Promote replica of shard-1' }).waitFor({ timeout: 60_000 });
    await row.getByRole('button', { name: 'Promote replica of shard-1' }).click();
    await row.getByRole('button', { name: 'Add replica to shard-1' }).waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.locator('.topology [data-promotion="switchover"]').textContent())
      .toMatch(/shard-1: switchover in \d+ ms — no acknowledged write was lost/);
    const after = await address.textContent();
    expect(after).not.toBe(before);
    expect(after).toContain(new URL(t.running.lab.cluster.byName('shard-1')!.url).port);
    expect(await row.getAttribute('data-status')).toBe('up');
    expect(w.errors).toEqual([]);
    await page.close();
  });

  it('works the Database scaling chapter through the page: a replica made to lag, a trial that misses under replica and not under read-your-writes, the policy switched, the same under load', async () => {
    const w = await watchedPage(browser);
    const { page } = w;
    await page.goto(`${t.url}/#/chapters/database-scaling`);
    await page.locator('article[data-chapter="database-scaling"] h1').waitFor();
    await resetChapter(page);
    await page.locator('.topology tr[data-shard="shard-0"]').getByRole('button', { name: 'Add replica to shard-0' }).click();
    const reads = page.locator('.reads');
    const replica = reads.locator('tr[data-replica="shard-0-replica"]');
    await replica.waitFor({ timeout: 60_000 });
    expect(await check(page, 'add-replica')).toBe('pass');
    await replica.getByLabel('Apply delay of shard-0-replica in ms').fill('5000');
    await replica.getByRole('button', { name: 'Set the apply delay of shard-0-replica' }).click();
    await reads.locator('tr[data-replica="shard-0-replica"][data-delay="5000"]').waitFor();
    expect(await check(page, 'make-it-lag')).toBe('pass');
    await reads.getByLabel('Write-then-read pairs').fill('60');
    await reads.getByRole('button', { name: 'Run trial' }).click();
    const missed = reads.locator('tr[data-policy="replica"]');
    await missed.waitFor({ timeout: 120_000 });
    // A user created on shard-0 is read back from a replica 5 s behind: a miss; read-your-writes sends it to the primary.
    expect(Number(await missed.getAttribute('data-not-found'))).toBeGreaterThan(0);
    expect(await reads.locator('tr[data-policy="read-your-writes"]').getAttribute('data-not-found')).toBe('0');
    expect(await check(page, 'read-your-writes')).toBe('fail');
    await reads.getByLabel('Read policy read-your-writes').check();
    await reads.locator('[data-reads-policy="read-your-writes"]').waitFor();
    expect(await check(page, 'read-your-writes')).toBe('pass');
    await w.shot('database-scaling-trial');
    // The same miss under the lab's own load: the smoke load test under each policy, side by side.
    expect(await check(page, 'stale-under-load')).toBe('fail');
    await reads.getByLabel('Seconds of load per policy').fill('2');
    await reads.getByRole('button', { name: 'Compare under load' }).click();
    const underLoad = reads.locator('table[data-load-trial] tr[data-policy="replica"]');
    await underLoad.waitFor({ timeout: 120_000 });
    expect(Number(await underLoad.getAttribute('data-stale'))).toBeGreaterThan(0);
    expect(await reads.locator('table[data-load-trial] tr[data-policy="read-your-writes"]').getAttribute('data-stale')).toBe('0');
    expect(await check(page, 'stale-under-load')).toBe('pass');
    await resetChapter(page);
    await reads.getByText('No shard has a replica').waitFor();
    expect(w.errors).toEqual([]);
    await page.close();
  });

  it('works the cache exercise through the page: the trial without and with invalidation, then the cache left invalidating', async () => {
    const w = await watchedPage(browser);
    const { page } = w;
    await page.goto(`${t.url}/#/chapters/database-scaling`);
    await page.locator('article[data-chapter="database-scaling"] h1').waitFor();
    await resetChapter(page);
    const panel = page.locator('.cache');
    await panel.locator('[data-cache-mode="off"]').waitFor();
    await panel.getByRole('button', { name: /Run the trial/ }).click();
    const ttl = panel.locator('tr[data-cache-trial="ttl-only"]');
    await ttl.waitFor({ timeout: 120_000 });
    // Every read right after an update is stale without invalidation, none with it.
    expect(await ttl.getAttribute('data-stale')).toBe('10');
    expect(await panel.locator('tr[data-cache-trial="invalidate"]').getAttribute('data-stale')).toBe('0');
    expect(await check(page, 'cache-invalidate')).toBe('fail');
    await panel.getByLabel('Cache invalidate').check();
    await panel.locator('[data-cache-mode="invalidate"]').waitFor();
    expect(await check(page, 'cache-invalidate')).toBe('pass');
    await w.shot('database-scaling-cache');
    await resetChapter(page);
    await panel.locator('[data-cache-mode="off"]').waitFor();
    expect(w.errors).toEqual([]);
    await page.close();
  });

  it('steps through a rebalance from the topology panel and cancels it, and pauses and resumes a shard', async () => {
    const w = await watchedPage(browser);
    const { page } = w;
    await page.goto(t.url);
    const panel = page.locator('.topology');
    const shards = await panel
      .locator('.diagram[data-shards] svg')
      .waitFor()
      .then(() => panel.locator('.diagram').getAttribute('data-shards'));
    const version = await panel.locator('.diagram').getAttribute('data-ring-version');

    await panel.getByLabel('Step by step').check();
    await panel.getByRole('button', { name: 'Add shard — rebalance' }).click();
    const line = panel.locator('.job-line');
    await line.getByText('held before provision').waitFor({ timeout: 30_000 });
    await line.getByRole('button', { name: 'Continue' }).click();
    await line.getByText('held before copy').waitFor({ timeout: 60_000 });
    await w.shot('held-before-copy');
    await line.getByRole('button', { name: 'Cancel' }).click();
    await line.getByText('cancelled').waitFor({ timeout: 60_000 });
    await panel.locator(`.diagram[data-shards="${shards}"][data-ring-version="${version}"]`).waitFor();
    expect(t.running.lab.cluster.shards.map((s) => s.name)).toHaveLength(Number(shards));
    await expectNothingLeftBehind(t);

    const row = panel.locator('tr[data-shard="shard-0"]');
    await row.getByRole('button', { name: 'Pause shard-0' }).click();
    await panel.locator('tr[data-shard="shard-0"][data-status="paused"]').waitFor();
    await row.getByRole('button', { name: 'Resume shard-0' }).click();
    await panel.locator('tr[data-shard="shard-0"][data-status="up"]').waitFor();
    expect(w.errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('runs typed commands in the terminal, with completion and history', async () => {
    const w = await watchedPage(browser);
    const { page } = w;
    await page.goto(t.url);
    await page.getByRole('button', { name: 'Terminal' }).click();
    const drawer = page.locator('#terminal-drawer');
    await drawer.locator('.terminal-wrap[data-state="open"]').waitFor();
    // Scrolled to the end, the chapter's last lines stand above the open terminal, not under it.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    const lastLine = await page.locator('article[data-chapter] > :last-child').boundingBox();
    const dock = await drawer.boundingBox();
    expect(lastLine!.y + lastLine!.height).toBeLessThanOrEqual(dock!.y);
    await drawer.locator('.xterm').click();
    const screen = () => drawer.locator('.xterm-rows').innerText();

    const key = '00000000-0000-0000-0000-000000000001';
    await page.keyboard.type('ro');
    await page.keyboard.press('Tab');
    await expect.poll(screen).toContain('lab> route ');
    await page.keyboard.type(`${key}\n`);
    await expect.poll(screen).toContain(testRing(5).route(key).vnode!);

    await page.keyboard.type('sql shard-0\n');
    await expect.poll(screen).toContain('shard-0=>');
    await page.keyboard.type('select 40 + 2 as answer;\n');
    await expect.poll(screen).toMatch(/answer\s*-+\s*42/);
    await page.keyboard.type('\\q\n');
    await expect.poll(screen).toMatch(/\\q\s*lab>\s*$/);
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowUp');
    await expect.poll(screen).toMatch(/lab> route 0{8}-0{4}-0{4}-0{4}-0{11}1\s*$/);
    await w.shot('terminal');

    // At 800 px, help wraps between words: every summary word stands whole on one row.
    await page.setViewportSize({ width: 800, height: 900 });
    await page.keyboard.press('Escape');
    await drawer.locator('.xterm').click();
    await page.keyboard.press('Control+u');
    // One family, so the rows stay on the visible screen (the whole list scrolls past it).
    await page.keyboard.type('help claims\n');
    await expect.poll(screen).toContain('claims measure <chapter> <claim>');
    const rows = (await screen()).split('\n');
    const summary = "measure one of the original's claims on this cluster now, with a verdict (a seed or load test runs to the end)";
    const start = rows.findIndex((r) => r.includes('claims measure <chapter> <claim>'));
    const words = rows
      .slice(start, start + 4)
      .join(' ')
      .split(/\s+/);
    for (const word of summary.split(' ')) expect(words, word).toContain(word);
    await w.shot('terminal-help-800');
    expect(w.errors).toEqual([]);
    await page.close();
  });
});
