import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestLab, type TestLab } from './support/lab.js';
import { readEvents } from './support/sse.js';

let t: TestLab;
beforeAll(async () => {
  t = await startTestLab(2);
});
afterAll(async () => t?.stop());

it('streams a snapshot, then job progress and setting changes, on one connection', async () => {
  const controller = new AbortController();
  const res = await fetch(`${t.url}/lab/v1/events`, { signal: controller.signal });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const collecting = readEvents(
    res,
    (evs) => evs.some((e) => e.event === 'settings') && evs.some((e) => e.event === 'job' && (e.data as { state: string }).state === 'succeeded'),
  );
  await new Promise((r) => setTimeout(r, 100));
  await t.call('POST', '/lab/v1/seed', { users: 2000 });
  for (;;) {
    const { body } = await t.call<{ jobs: { state: string }[] }>('GET', '/lab/v1/jobs');
    if (body.jobs[0]?.state === 'succeeded') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await t.call('PUT', '/lab/v1/settings', { read_policy: 'replica' });
  const events = await collecting;
  controller.abort();
  expect(events[0]!.event).toBe('hello');
  expect(events[0]!.data).toMatchObject({ topology: { shards: [{ name: 'shard-0' }, { name: 'shard-1' }] }, settings: { read_policy: 'primary' } });
  const states = events.filter((e) => e.event === 'job').map((e) => (e.data as { state: string }).state);
  expect(states[0]).toBe('queued');
  expect(states).toContain('running');
  expect(states.at(-1)).toBe('succeeded');
  expect(events.find((e) => e.event === 'settings')!.data).toMatchObject({ read_policy: 'replica' });
});

it('publishes topology when a shard goes down', async () => {
  const res = await fetch(`${t.url}/lab/v1/events?channels=topology`);
  const collecting = readEvents(res, (evs) => evs.some((e) => e.event === 'topology'));
  await t.shards[1]!.stop();
  try {
    const events = await collecting;
    const topo = events.find((e) => e.event === 'topology')!.data as { shards: { name: string; status: string }[] };
    expect(topo.shards.find((s) => s.name === 'shard-1')!.status).toBe('down');
  } finally {
    await t.shards[1]!.start();
  }
});
