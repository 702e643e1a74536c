import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunView } from '../src/loadtest/run.js';
import { startEmbeddedTestLab, type TestLab } from './support/lab.js';
import { waitForJob } from './support/workload.js';

// The load chart marks the cluster's events where they happened: a reshard's phases with its measured write
// pause, a shard paused and back. Cause beside effect.

let t: TestLab;
beforeAll(async () => {
  t = await startEmbeddedTestLab(2);
  const start = await t.call<{ job_id: string }>('POST', '/lab/v1/starts', { users: 500 });
  expect((await waitForJob(t, start.body.job_id)).state).toBe('succeeded');
});
afterAll(async () => t?.stop());

const run = async (id: string) => (await t.call<RunView>('GET', `/lab/v1/loadtests/${id}`)).body;

async function until<T>(get: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await get();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

it("marks a reshard's phases, its write pause and a paused shard on the running load test", async () => {
  const started = await t.call<{ id: string }>('POST', '/lab/v1/loadtests', { scenario: 'read-heavy', connections: 2, duration_s: 300, rate: 20, warmup_s: 0 });
  expect(started.status).toBe(202);
  const id = started.body.id;
  await until(
    () => run(id),
    (r) => r.state === 'running' && (r.progress?.elapsed_s ?? 0) >= 1,
  );

  expect((await t.call('POST', '/lab/v1/shards/shard-1/pause')).status).toBe(200);
  expect((await t.call('POST', '/lab/v1/shards/shard-1/resume')).status).toBe(200);
  const add = await t.call<{ job_id: string }>('POST', '/lab/v1/shards', { mode: 'rebalance' });
  const job = await waitForJob(t, add.body.job_id);
  expect(job.state).toBe('succeeded');
  // The copy counted every moved row once: committed rows and those still inside a running copy.
  expect(job.progress.done).toBe(job.progress.total);

  const marks = (await run(id)).marks;
  expect((await t.call('POST', `/lab/v1/loadtests/${id}/cancel`)).status).toBe(202);
  const labels = marks.map((m) => m.label);
  expect(labels).toEqual(expect.arrayContaining(['shard-1 paused', 'shard-1 up', 'add-shard: copy', 'add-shard: cutover']));
  expect(labels.find((l) => l.startsWith('add-shard: succeeded'))).toMatch(/^add-shard: succeeded \(writes paused \d+ ms\)$/);
  // In the order they happened, on the run's own clock.
  const times = marks.map((m) => m.t_s);
  expect(times).toEqual([...times].sort((a, b) => a - b));
  await until(
    () => run(id),
    (r) => r.state === 'cancelled',
  );
});
