import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../src/config.js';
import { UI_DIST } from '../../src/ui/static-routes.js';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
/** Not the package's own flag list: it turns web security off, which the attack tests rely on. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * CHROMIUM_PATH when set; else Debian's Chromium when installed (FACTS.md); else the headless Chromium that the
 * `@sparticuz/chromium` package ships, unpacked to /tmp on first use, so `make test` needs nothing outside npm.
 */
async function chromiumPath(): Promise<string> {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (fs.existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  const { default: packaged } = await import('@sparticuz/chromium');
  return packaged.executablePath();
}

/** Screenshots go here (git-ignored): test artifacts, not committed. */
export const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'browser');

/** `extraArgs`, e.g. `--host-resolver-rules=…` to point a made-up name at loopback. */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  const executablePath = await chromiumPath();
  if (!fs.existsSync(executablePath)) throw new Error(`No Chromium at ${executablePath} (CHROMIUM_PATH): point it at a Chromium, or unset it.`);
  if (!fs.existsSync(path.join(UI_DIST, 'index.html'))) {
    throw new Error('The browser lab is not built: run the tests with `make test` (it builds lab-ui first) or run `make ui-build`.');
  }
  await fsp.mkdir(ARTIFACTS, { recursive: true });
  // A C locale in the environment (CI's) becomes navigator.language 'en-US@posix', which Intl rejects.
  return chromium.launch({ executablePath, args: [...ARGS, ...extraArgs], env: { ...process.env, LANG: 'en_US.UTF-8' } });
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

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
}

/**
 * The serious and critical accessibility problems axe-core finds on the page as it stands (WCAG 2.1 A and AA
 * rules), one line each: rule, what it asks, and the first elements that break it.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  }
  const result = await page.evaluate(() =>
    (window as unknown as { axe: { run(o: unknown): Promise<AxeResult> } }).axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} — ${v.nodes.length} element(s), e.g. ${v.nodes
          .slice(0, 3)
          .map((n) => JSON.stringify(n.target))
          .join(', ')}`,
    );
}
