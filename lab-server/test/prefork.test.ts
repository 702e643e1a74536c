import cluster from 'node:cluster';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isAlive } from '../src/cluster/embedded-server.js';
import type { MetricsTick } from '../src/metrics/types.js';
import { startTestLab, type TestLab } from './support/lab.js';
import { readEvents } from './support/sse.js';

let t: TestLab;
let workerPids: number[] = [];
beforeAll(async () => {
  t = await startTestLab(2, { LAB_WORKERS: '2' });
  workerPids = Object.values(cluster.workers ?? {}).map((w) => w!.process.pid!);
});
afterAll(async () => t?.stop());

it('serves the API from the workers and the control plane from the primary, on one port', async () => {
  expect(workerPids).toHaveLength(2);
  const created = await t.call<{ id: string }>('POST', '/api/v1/users', { first_name: 'Ada', last_name: 'Lovelace' });
  expect(created.status).toBe(201);
  const read = await t.call<{ id: string }>('GET', `/api/v1/users/${created.body.id.toUpperCase()}`);
  expect(read.status).toBe(200);
  expect(read.headers.get('x-lab-shard')).toMatch(/^shard-[01]$/);
  expect((await t.call<{ error: { code: string } }>('GET', '/api/v1/users/not-a-uuid')).body.error.code).toBe('invalid_id');
  // Forwarded to the primary: the control plane, health, and the event stream.
  expect((await t.call<{ shards: unknown[] }>('GET', '/lab/v1/topology')).body.shards).toHaveLength(2);
  expect((await t.call('GET', '/health')).status).toBe(200);
  const hello = await readEvents(await fetch(`${t.url}/lab/v1/events`), (evs) => evs.length > 0);
  expect(hello[0]!.event).toBe('hello');
  expect((await t.call('POST', '/lab/v1/seed', 'x', { 'content-type': 'text/plain' })).status).toBe(415);
});

it("adds up the workers' requests in the metrics", async () => {
  const ids = await Promise.all(
    Array.from({ length: 10 }, async (_, i) => (await t.call<{ id: string }>('POST', '/api/v1/users', { first_name: `U${i}`, last_name: 'Test' })).body.id),
  );
  for (const id of ids) for (let k = 0; k < 3; k++) expect((await t.call('GET', `/api/v1/users/${id}`)).status).toBe(200);
  // Workers report once a second; wait for a tick that has them all.
  const stream = await fetch(`${t.url}/lab/v1/events?channels=metrics`);
  await readEvents(stream, (evs) => evs.filter((e) => e.event === 'metrics').length >= 3);
  const text = await (await fetch(`${t.url}/metrics`)).text();
  // 30 reads here plus the one in the test above, whichever worker served them.
  expect(text).toContain('lab_http_requests_total{method="GET",route="/api/v1/users/:id",status="200"} 31');
  expect(text).toContain('lab_api_workers 2');
  const { latest } = (await t.call<{ latest: MetricsTick }>('GET', '/lab/v1/metrics')).body;
  expect(latest.api.workers).toBe(2);
  expect(latest.shards.every((s) => s.pool.size >= 0)).toBe(true);
});

it("keeps the traces of requests the workers served, as the primary's own", async () => {
  const id = 'fe'.repeat(16);
  expect((await t.call('GET', '/api/v1/users?limit=1', undefined, { traceparent: `00-${id}-${'02'.repeat(8)}-01` })).status).toBe(200);
  let kept = await t.call<{ trace_id: string; spans: { name: string }[] }>('GET', `/lab/v1/traces/${id}`);
  for (let i = 0; i < 50 && kept.status === 404; i++) {
    await new Promise((r) => setTimeout(r, 50));
    kept = await t.call('GET', `/lab/v1/traces/${id}`);
  }
  expect(kept.status).toBe(200);
  expect(kept.body.spans.filter((s) => s.name === 'query')).toHaveLength(2);
  // Sampling live traffic reaches the workers with the other settings: a request without a traceparent is traced.
  await t.call('PUT', '/lab/v1/traces/sampling', { percent: 100 });
  expect((await t.call('GET', '/api/v1/users?limit=1')).status).toBe(200);
  let sampled = await t.call<{ traces: unknown[] }>('GET', '/lab/v1/traces?source=sampled');
  for (let i = 0; i < 50 && sampled.body.traces.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    sampled = await t.call('GET', '/lab/v1/traces?source=sampled');
  }
  expect(sampled.body.traces.length).toBeGreaterThan(0);
  await t.call('PUT', '/lab/v1/traces/sampling', { percent: 0 });
});

it('stops every worker with the lab', async () => {
  await t.running.stop();
  expect(workerPids.every((pid) => !isAlive(pid))).toBe(true);
});
