import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { REPO_ROOT } from '../src/config.js';
import { runCli, type CliRun } from './support/cli.js';
import { startTestLab, type TestLab } from './support/lab.js';

/** The registry's CLI front end against a real lab: what the unit test of the registry cannot reach. */
let t: TestLab;
beforeAll(async () => {
  t = await startTestLab(2);
});
afterAll(async () => t?.stop());

const lab = (...args: string[]) => runCli(args, { LAB_URL: t.url });

it('runs a load test with live progress to its summary, and lists it', async () => {
  const run = await lab('loadtest', 'smoke', '--duration', '2', '--connections', '2');
  expect(run.code, run.out).toBe(0);
  expect(run.out).toMatch(/Load test \S+: smoke, 2 connections, 2 s/);
  expect(run.out).toMatch(/smoke · finished/);
  expect(run.out).toContain('status codes: 2');
  expect((await lab('loadtest', 'list')).out).toMatch(/\| smoke +\| finished/);
  expect((await lab('loadtest')).out).toMatch(/^Scenarios: .*smoke/m);
});

it('cancels the job it follows on Ctrl-C, and says nothing was kept', async () => {
  const users = async () => (await t.call<{ total_users: number }>('GET', '/api/v1/shards/stats')).body.total_users;
  const before = await users();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'lab-server/src/cli/main.ts'), 'seed', '--users', '2000000'], {
    env: { ...process.env, LAB_URL: t.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const done = new Promise<CliRun>((resolve) => child.once('exit', (code) => resolve({ code, out })));
  // A progress bar is drawn only on a terminal: the lab's job list says when the seed runs.
  const running = async () =>
    (await t.call<{ jobs: { kind: string; state: string }[] }>('GET', '/lab/v1/jobs')).body.jobs.some((j) => j.kind === 'seed' && j.state === 'running');
  for (let i = 0; i < 300 && !(await running()); i++) await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGINT');
  const r = await done;
  expect(r.code, r.out).toBe(130);
  expect(r.out).toMatch(/Job \S+ was cancelled; nothing it started was kept\./);
  expect(await users()).toBe(before);
});

it('sends LAB_TOKEN as a bearer token, and every state-changing request as JSON', async () => {
  const seen: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, headers: req.headers, body });
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'not_found', message: 'No job nope.' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const r = await runCli(['jobs', 'continue', 'nope'], { LAB_URL: url, LAB_TOKEN: 's3cret' });
    expect(r.code).toBe(1);
    expect(r.out).toContain('No job nope.');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.headers.authorization).toBe('Bearer s3cret');
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(seen[0]!.body).toBe('{}');
    await runCli(['jobs'], { LAB_URL: url });
    expect(seen[1]!.headers.authorization).toBeUndefined();
  } finally {
    server.close();
  }
});

it('cancels the job a terminal command follows on interrupt, as the CLI does on Ctrl-C', async () => {
  const ws = new WebSocket(`${t.url.replace('http', 'ws')}/lab/v1/console`);
  let out = '';
  const messages: { type: string; text?: string }[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { type: string; text?: string };
    messages.push(m);
    if (m.type === 'output') out += m.text;
  });
  await new Promise((resolve) => ws.once('open', resolve));
  const jobs = async () => (await t.call<{ jobs: { kind: string; state: string }[] }>('GET', '/lab/v1/jobs')).body.jobs.filter((j) => j.kind === 'seed');
  const cancelled = async () => (await jobs()).filter((j) => j.state === 'cancelled').length;
  const cancelledBefore = await cancelled();
  ws.send(JSON.stringify({ type: 'run', line: 'seed 2000000' }));
  for (let i = 0; i < 300 && !(await jobs()).some((j) => j.state === 'running'); i++) await new Promise((r) => setTimeout(r, 100));
  ws.send(JSON.stringify({ type: 'interrupt' }));
  for (let i = 0; i < 600 && !messages.some((m) => m.type === 'done'); i++) await new Promise((r) => setTimeout(r, 100));
  ws.close();
  expect(out).toMatch(/Seeding 2,000,000 users: /);
  expect(out).toMatch(/Job \S+ was cancelled; nothing it started was kept\./);
  expect(await cancelled()).toBe(cancelledBefore + 1);
});

it("lists a chapter's claims and measures one with a verdict, from the CLI; a claim that does not exist fails clearly", async () => {
  const list = await lab('claims', 'overview');
  expect(list.code, list.out).toBe(0);
  expect(list.out).toMatch(/^throughput +\|.*\| runs load$/m);
  expect(list.out).toMatch(/^movement +\|.*\| reads$/m);
  const movement = await lab('claims', 'measure', 'overview', 'movement');
  expect(movement.code, movement.out).toBe(0);
  expect(movement.out).toContain('4 → 5 shards: the ring moves');
  expect(movement.out).toMatch(/does not hold here: Claimed about 20 %; measured 1\d\.\d\d %/);
  const missing = await lab('claims', 'measure', 'overview', 'nope');
  expect(missing.code).not.toBe(0);
  expect(missing.out).toContain("Chapter 'overview' has no claim 'nope'.");
});
