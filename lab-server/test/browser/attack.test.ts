import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../support/lab.js';
import { launchBrowser } from './browser.js';

/**
 * A web page the learner visits while the lab runs, in real Chromium: from another origin it sends every kind of
 * request a page can send without the learner's help; under a rebinding host name it is the lab's "own" page.
 * Nothing may act and nothing may be read. All of it stays on loopback: `evil.example` resolves to 127.0.0.1
 * inside this browser only.
 */
let t: TestLab;
let browser: Browser;
let attacker: http.Server;
let attackerUrl: string;

const PAGE = (lab: string) => `<!doctype html><meta charset="utf-8"><title>a page you happened to visit</title>
<iframe name="sink"></iframe>
<form id="reset" target="sink" method="post" enctype="text/plain" action="${lab}/lab/v1/chapters/overview/reset"><input name='{"a":"' value='"}'></form>
<form id="user" target="sink" method="post" action="${lab}/api/v1/users"><input name="first_name" value="Eve"><input name="last_name" value="Form"></form>
<script>
window.report = {};
const note = (k, v) => (window.report[k] = v);
(async () => {
  await fetch('${lab}/api/v1/users', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"first_name":"Eve","last_name":"Fetch"}' }).then(() => note('no-cors', 'sent'), (e) => note('no-cors', String(e)));
  await fetch('${lab}/lab/v1/shards/plan', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => note('json', r.status), (e) => note('json', 'blocked'));
  await fetch('${lab}/lab/v1/topology').then((r) => r.text()).then((t) => note('read', t.slice(0, 40)), () => note('read', 'blocked'));
  document.getElementById('reset').submit();
  await new Promise((r) => setTimeout(r, 300));
  document.getElementById('user').submit();
  await new Promise((r) => setTimeout(r, 300));
  await new Promise((resolve) => {
    const ws = new WebSocket('${lab.replace('http', 'ws')}/lab/v1/console');
    ws.onmessage = (m) => (note('ws', 'message: ' + m.data), resolve());
    ws.onerror = () => (note('ws', 'refused'), resolve());
  });
  note('done', true);
})();
</script>`;

beforeAll(async () => {
  [t, browser] = await Promise.all([startTestLab(1), launchBrowser()]);
  attacker = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE(t.url)));
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}`;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => attacker?.close(resolve));
  await t?.stop();
});

const users = async () => (await t.call<{ total_users: number }>('GET', '/api/v1/shards/stats')).body.total_users;

describe('a page from another origin, in Chromium', () => {
  it('can neither act on the lab nor read it, nor open its terminal', async () => {
    expect((await t.call('POST', '/api/v1/users', { first_name: 'Kept', last_name: 'Row' })).status).toBe(201);
    const before = await users();
    const page = await browser.newPage();
    await page.goto(attackerUrl);
    await page.waitForFunction(() => (window as unknown as { report: { done?: boolean } }).report.done === true, undefined, { timeout: 30_000 });
    const report = await page.evaluate(() => (window as unknown as { report: Record<string, unknown> }).report);
    // The no-cors fetch is sent (the page cannot see the answer) but does nothing; a JSON request needs CORS.
    expect(report.json).toBe('blocked');
    expect(report.read).toBe('blocked');
    expect(report.ws).toBe('refused');
    expect(await users()).toBe(before);
    await page.close();
  });
});

describe('a rebinding host name', () => {
  it('gets no page, no API and no terminal from the lab', async () => {
    const port = new URL(t.url).port;
    const rebinding = await launchBrowser(['--host-resolver-rules=MAP evil.example 127.0.0.1']);
    try {
      const page = await rebinding.newPage();
      const answer = await page.goto(`http://evil.example:${port}/`);
      expect(answer?.status()).toBe(421);
      const inside = await page.evaluate(async () => {
        const api = await fetch('/lab/v1/topology').then((r) => r.status);
        const act = await fetch('/api/v1/users', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"first_name":"Re","last_name":"Bind"}',
        }).then((r) => r.status);
        const ws = await new Promise<string>((resolve) => {
          const s = new WebSocket(`ws://${location.host}/lab/v1/console`);
          s.onopen = () => resolve('open');
          s.onerror = () => resolve('refused');
        });
        return { api, act, ws };
      });
      expect(inside).toEqual({ api: 421, act: 421, ws: 'refused' });
    } finally {
      await rebinding.close();
    }
  });
});
