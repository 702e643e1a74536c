import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../src/config.js';
import { UI_DIST } from '../../src/ui/static-routes.js';

/** Debian's Chromium (FACTS.md); CHROMIUM_PATH points elsewhere on other machines. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Screenshots go here (git-ignored): test artifacts, not committed. */
export const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'browser');

/** `extraArgs`, e.g. `--host-resolver-rules=…` to point a made-up name at loopback. */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}. Install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  if (!fs.existsSync(path.join(UI_DIST, 'index.html'))) {
    throw new Error('The browser lab is not built: run the tests with `make test` (it builds lab-ui first) or run `make ui-build`.');
  }
  await fsp.mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, ...extraArgs] });
}

export interface WatchedPage {
  page: Page;
  /** Console errors and uncaught exceptions, except responses the test asked for on purpose. */
  errors: string[];
  /** How many times the page opened the event stream. */
  eventStreams(): number;
  shot(name: string): Promise<void>;
}

/** A 1280×720 page that records console errors and event-stream connections. */
export async function watchedPage(browser: Browser, expectedFailures: RegExp[] = []): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const errors: string[] = [];
  let streams = 0;
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() !== 'error') return;
    const where = m.location().url;
    if (expectedFailures.some((re) => re.test(where))) return;
    errors.push(`${m.text()} (${where})`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/lab/v1/events') streams++;
  });
  return {
    page,
    errors,
    eventStreams: () => streams,
    shot: async (name) => void (await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) })),
  };
}
