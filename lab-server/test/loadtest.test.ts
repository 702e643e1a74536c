import { afterAll, beforeAll, expect, it } from 'vitest';
import { isAlive } from '../src/cluster/embedded-server.js';
import type { Comparison } from '../src/loadtest/compare.js';
import type { RunView } from '../src/loadtest/run.js';
import type { MetricsTick } from '../src/metrics/types.js';
import { startTestLab, type ErrorReply, type TestLab } from './support/lab.js';
import { readEvents } from './support/sse.js';

let t: TestLab;
beforeAll(async () => {
  t = await startTestLab(2);
});
afterAll(async () => t?.stop());

async function waitFor<T>(get: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await get();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const finished = (id: string) =>
  waitFor(
    async () => (await t.call<RunView>('GET', `/lab/v1/loadtests/${id}`)).body,
    (r) => !['preparing', 'running'].includes(r.state),
  );

/** Prometheus text format, line by line: HELP/TYPE comments, or `name{label="value",…} number`. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* /.test(line)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})?) (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    samples.set(m[1]!, Number(m[2]));
  }
  return samples;
}

it('rejects bad requests with a clear 400 and starts nothing', async () => {
  const cases: [unknown, string][] = [
    [{ scenario: 'nope' }, 'scenario must be one of'],
    [{ scenario: 'smoke', connections: 20_000 }, 'connections must be at most 10,000'],
    [{ scenario: 'smoke', duration_s: 3_600 }, 'duration_s must be at most 600'],
    [{ scenario: 'smoke', rate: 0 }, 'rate must be at least 1'],
    [{ scenario: 'smoke', warmup_s: 60 }, 'warmup_s must be at most 30'],
    [{ scenario: 'smoke', users: 5 }, 'unknown field(s): users'],
  ];
  for (const [body, message] of cases) {
    const r = await t.call<ErrorReply>('POST', '/lab/v1/loadtests', body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.message).toContain(message);
  }
  expect((await t.call('POST', '/lab/v1/loadtests', 'scenario=smoke', { 'content-type': 'text/plain' })).status).toBe(415);
  expect((await t.call<{ runs: RunView[] }>('GET', '/lab/v1/loadtests')).body.runs).toEqual([]);
  expect((await t.call<ErrorReply>('GET', '/lab/v1/loadtests/5f0c8f43-6f55-4b43-9a55-2a9a0b3e1c11')).status).toBe(404);
});

// Runs are paced (rate) so that they leave CPU to the test files running beside them.
it('runs a scenario, streams its progress, and measures what the server saw', async () => {
  const stream = await fetch(`${t.url}/lab/v1/events?channels=loadtest`);
  const collecting = readEvents(stream, (evs) => evs.some((e) => e.event === 'loadtest' && (e.data as RunView).state === 'finished'));
  const started = await t.call<{ id: string; run: RunView }>('POST', '/lab/v1/loadtests', {
    scenario: 'smoke',
    connections: 4,
    duration_s: 3,
    rate: 400,
    warmup_s: 0,
  });
  expect(started.status).toBe(202);
  expect(started.headers.get('location')).toBe(`/lab/v1/loadtests/${started.body.id}`);
  const run = await finished(started.body.id);

  const events = (await collecting).filter((e) => e.event === 'loadtest').map((e) => e.data as RunView);
  expect(events.map((e) => e.state)).toContain('running');
  expect(events.some((e) => e.state === 'running' && (e.progress?.requests ?? 0) > 0)).toBe(true);
  expect(events.at(-1)!.state).toBe('finished');

  // The cluster was empty: the engine seeded users first and said so; reads found them (a 404 would be an error).
  expect(run.notes[0]).toContain('seeding 10,000 first');
  expect(run.state).toBe('finished');
  const s = run.summary!;
  expect(s.requests).toBeGreaterThan(0);
  expect(s.errors).toBe(0);
  expect(s.non2xx).toBe(0);
  expect(s.latency_ms!.p99).toBeGreaterThanOrEqual(s.latency_ms!.p50);
  expect(Object.keys(s.ops).sort()).toEqual(['user.create', 'user.delete', 'user.get', 'user.list', 'user.update']);
  expect(run.timeline!.length).toBeGreaterThanOrEqual(2);

  // The server's own per-route counts agree with the generator's. Requests in flight when the run stopped
  // (at most one per connection) may have been answered by the server but never read by the generator.
  const prom = parsePrometheus(await (await fetch(`${t.url}/metrics`)).text());
  const served = (method: string, route: string, status: number) =>
    prom.get(`lab_http_requests_total{method="${method}",route="${route}",status="${status}"}`) ?? 0;
  const checks: [string, string, number, string][] = [
    ['GET', '/api/v1/users/:id', 200, 'user.get'],
    ['POST', '/api/v1/users', 201, 'user.create'],
    ['PUT', '/api/v1/users/:id', 200, 'user.update'],
    ['DELETE', '/api/v1/users/:id', 204, 'user.delete'],
    ['GET', '/api/v1/users', 200, 'user.list'],
  ];
  let unread = 0;
  for (const [method, route, status, op] of checks) {
    const extra = served(method, route, status) - s.ops[op]!.requests;
    expect(extra, op).toBeGreaterThanOrEqual(0);
    unread += extra;
  }
  expect(unread).toBeLessThanOrEqual(run.params.connections);
});

it('runs one test at a time, and cancel kills the generator by its pid', async () => {
  const first = await t.call<{ id: string }>('POST', '/lab/v1/loadtests', { scenario: 'standard', connections: 2, duration_s: 120, rate: 50 });
  const running = await waitFor(
    async () => (await t.call<RunView>('GET', `/lab/v1/loadtests/${first.body.id}`)).body,
    (r) => r.state === 'running' && (r.progress?.requests ?? 0) > 0,
  );
  const pid = running.pid!;
  // By default a run starts with uncounted reads that open the lab's pools, and says so.
  expect(running.notes.some((n) => n.startsWith('Warm-up: 2 s of reads'))).toBe(true);
  expect(isAlive(pid)).toBe(true);
  const second = await t.call<ErrorReply>('POST', '/lab/v1/loadtests', { scenario: 'smoke' });
  expect(second.status).toBe(409);
  expect(second.body.error).toMatchObject({ code: 'loadtest_running', details: { id: first.body.id } });

  expect((await t.call('POST', `/lab/v1/loadtests/${first.body.id}/cancel`)).status).toBe(202);
  const run = await finished(first.body.id);
  expect(run.state).toBe('cancelled');
  expect(run.summary!.stopped_early).toBe(true);
  expect(run.summary!.requests).toBeGreaterThan(0);
  expect(isAlive(pid)).toBe(false);
  expect((await t.call<ErrorReply>('POST', `/lab/v1/loadtests/${first.body.id}/cancel`)).body.error.code).toBe('loadtest_not_running');
});

it('compares two runs and keeps the history across a restart', async () => {
  const { body } = await t.call<{ runs: RunView[] }>('GET', '/lab/v1/loadtests');
  const [cancelled, smoke] = body.runs;
  const cmp = await t.call<Comparison>('GET', `/lab/v1/loadtests/compare?a=${smoke!.id}&b=${cancelled!.id}`);
  const rps = cmp.body.metrics.find((m) => m.name === 'requests_per_s')!;
  expect(rps.a).toBe(smoke!.summary!.requests_per_s);
  expect(rps.ratio).toBeCloseTo(rps.b! / rps.a!, 2);
  expect((await t.call<ErrorReply>('GET', '/lab/v1/loadtests/compare?a=x')).status).toBe(400);

  await t.restart();
  const after = await t.call<{ runs: RunView[] }>('GET', '/lab/v1/loadtests');
  expect(after.body.runs.map((r) => [r.id, r.state])).toEqual(body.runs.map((r) => [r.id, r.state]));
  const again = await t.call<RunView>('GET', `/lab/v1/loadtests/${smoke!.id}`);
  expect(again.body.summary).toEqual(smoke!.summary);
  expect(again.body.timeline!.length).toBeGreaterThanOrEqual(2);
});

it('samples metrics every second: the metrics channel, GET /lab/v1/metrics and /metrics agree on the shards', async () => {
  const stream = await fetch(`${t.url}/lab/v1/events?channels=metrics`);
  const events = await readEvents(stream, (evs) => evs.filter((e) => e.event === 'metrics').length >= 2);
  const tick = events.filter((e) => e.event === 'metrics').at(-1)!.data as MetricsTick;
  expect(tick.api).toMatchObject({ workers: 1, in_flight: expect.any(Number), requests_per_s: expect.any(Number) });
  expect(tick.shards.map((s) => s.name)).toEqual(['shard-0', 'shard-1']);
  for (const s of tick.shards) {
    expect(s.status).toBe('up');
    expect(s.queries_per_s).toEqual(expect.any(Number));
    expect(s.connections!.total).toBeGreaterThan(0);
    expect(s.rows).toHaveProperty('users');
    expect(s.pool.size).toBeGreaterThanOrEqual(0);
    expect(s.replicas).toEqual([]);
  }
  const json = await t.call<{ latest: MetricsTick; history: MetricsTick[] }>('GET', '/lab/v1/metrics');
  expect(json.body.history.length).toBeGreaterThanOrEqual(2);
  expect(json.body.latest.ts_ms).toBeGreaterThanOrEqual(tick.ts_ms);

  const res = await fetch(`${t.url}/metrics`);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const prom = parsePrometheus(await res.text());
  for (const shard of ['shard-0', 'shard-1']) {
    expect(prom.get(`lab_shard_up{shard="${shard}"}`)).toBe(1);
    expect(prom.get(`lab_shard_queries_per_second{shard="${shard}"}`)).toEqual(expect.any(Number));
    expect(prom.get(`lab_shard_transactions_total{shard="${shard}"}`)).toBeGreaterThan(0);
    expect(prom.has(`lab_shard_rows{shard="${shard}",table="users"}`)).toBe(true);
  }
  expect(prom.has('lab_process_cpu_seconds_total')).toBe(true);
});
