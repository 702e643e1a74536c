/**
 * `npm run bench:ui` (`make bench-ui`): what a first visit to the Overview costs — script bytes on the wire and
 * the time until the first exercise's Check button can be pressed — in Chromium with a cold cache, the median of
 * ROUNDS visits. The baseline, in the same run, is the same page fetched without compression (what the lab sent
 * before it served precompressed assets). Goal: ≤ 250 KB of script and the first Check within 1 s.
 * Env: ROUNDS (5).
 */
import type { Browser, Request } from 'playwright-core';
import { launchBrowser } from '../test/browser/browser.js';
import { startTestLab } from '../test/support/lab.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const GOAL = { scriptKb: 250, firstCheckMs: 1000 };

interface Visit {
  scriptBytes: number;
  totalBytes: number;
  firstCheckMs: number;
}

async function visit(browser: Browser, url: string, compressed: boolean): Promise<Visit> {
  // A new context is a new, empty cache.
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  if (!compressed) await context.setExtraHTTPHeaders({ 'accept-encoding': 'identity' });
  const page = await context.newPage();
  // Finished requests only: the event stream stays open for as long as the page does.
  const sizes: Promise<{ script: boolean; bytes: number }>[] = [];
  page.on('requestfinished', (r: Request) => {
    sizes.push(r.sizes().then((s) => ({ script: r.resourceType() === 'script', bytes: s.responseBodySize })));
  });
  const started = performance.now();
  await page.goto(`${url}/#/chapters/overview`);
  await page.locator('section[data-exercise] button:has-text("Check"):enabled').first().waitFor({ timeout: 60_000 });
  const firstCheckMs = performance.now() - started;
  await page.waitForLoadState('networkidle');
  const all = await Promise.all(sizes);
  await context.close();
  return {
    scriptBytes: all.filter((s) => s.script).reduce((a, s) => a + s.bytes, 0),
    totalBytes: all.reduce((a, s) => a + s.bytes, 0),
    firstCheckMs,
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kb = (b: number): string => `${(b / 1024).toFixed(0)} KB`;

const lab = await startTestLab(3);
const browser = await launchBrowser();
try {
  const runs: Record<'baseline' | 'lab', Visit[]> = { baseline: [], lab: [] };
  await visit(browser, lab.url, true); // warms the server (the lab's own first requests), not the browser's cache
  for (let i = 0; i < ROUNDS; i++) {
    runs.baseline.push(await visit(browser, lab.url, false));
    runs.lab.push(await visit(browser, lab.url, true));
  }
  const summary = (v: Visit[]) => ({
    script: median(v.map((x) => x.scriptBytes)),
    total: median(v.map((x) => x.totalBytes)),
    check: median(v.map((x) => x.firstCheckMs)),
  });
  const b = summary(runs.baseline);
  const l = summary(runs.lab);
  console.log(`Overview, cold cache, median of ${ROUNDS} (Chromium, this machine):`);
  console.log(`  uncompressed (baseline): script ${kb(b.script)}, all ${kb(b.total)}, first Check after ${b.check.toFixed(0)} ms`);
  console.log(`  the lab (precompressed): script ${kb(l.script)}, all ${kb(l.total)}, first Check after ${l.check.toFixed(0)} ms`);
  console.log(`  ratio lab/baseline: script ${(l.script / b.script).toFixed(2)}x, first Check ${(l.check / b.check).toFixed(2)}x`);
  console.log(
    `  goal: script ≤ ${GOAL.scriptKb} KB ${l.script <= GOAL.scriptKb * 1024 ? 'met' : 'NOT met'}; first Check ≤ ${GOAL.firstCheckMs} ms ${l.check <= GOAL.firstCheckMs ? 'met' : 'NOT met'}`,
  );
} finally {
  await browser.close();
  await lab.stop();
}
