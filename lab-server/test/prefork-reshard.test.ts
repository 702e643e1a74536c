import cluster from 'node:cluster';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isAlive } from '../src/cluster/embedded-server.js';
import type { PromotionReport } from '../src/failover/promote.js';
import type { JobView } from '../src/jobs/registry.js';
import type { User } from '../src/messenger/users/schemas.js';
import { queryServer, startEmbeddedTestLab, testRing, type TestLab } from './support/lab.js';
import { expectNothingLeftBehind, placement, readersOf, underLoad, waitForJob } from './support/workload.js';

/**
 * Resharding and promotion with LAB_WORKERS: the workers serve every write, so the pauses must reach them.
 * With LAB_REPLICAS=1 as well, every shard has a replica, the added one included.
 */
let t: TestLab;
const workerPids = () =>
  Object.values(cluster.workers ?? {})
    .map((w) => w!.process.pid!)
    .sort();
beforeAll(async () => {
  t = await startEmbeddedTestLab(2, { LAB_WORKERS: '2', LAB_STATEMENT_TIMEOUT_MS: '1500', LAB_REPLICAS: '1' });
  const seed = await t.call<{ job_id: string }>('POST', '/lab/v1/seed', { users: 5_000 });
  expect((await waitForJob(t, seed.body.job_id)).state).toBe('succeeded');
});
afterAll(async () => t?.stop());

it('adds a shard while the workers take writes: they pause and switch rings in place, and no write is lost', async () => {
  const pids = workerPids();
  expect(pids).toHaveLength(2);
  let job!: JobView;
  const load = await underLoad(t, async () => {
    await new Promise((r) => setTimeout(r, 300));
    const res = await t.call<{ job_id: string }>('POST', '/lab/v1/shards', { mode: 'rebalance' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    job = await waitForJob(t, res.body.job_id);
    await new Promise((r) => setTimeout(r, 300));
  });
  expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
  expect(load.errors.slice(0, 5)).toEqual([]);
  expect(workerPids()).toEqual(pids);
  expect(job.notes!.at(-1)!.message).toBe('LAB_REPLICAS=1: shard-2-replica streams from shard-2.');
  expect(t.running.lab.cluster.shards.map((s) => s.replica?.name)).toEqual(['shard-0-replica', 'shard-1-replica', 'shard-2-replica']);

  const ring = testRing(3);
  const where = await placement(t);
  for (const [id, last] of load.live) {
    expect(where.get(id)?.length, `user ${id}`).toBe(1);
    expect(where.get(id)![0]!.shard).toBe(ring.route(id).shard_name);
    expect(where.get(id)![0]!.last_name).toBe(last);
  }
  expect(where.size).toBe(load.live.size);
  // Reads go through the workers, which now route by the 3-shard ring.
  for (const id of [...load.live.keys()].slice(0, 100)) expect((await t.call('GET', `/api/v1/users/${id}`)).status).toBe(200);
  await expectNothingLeftBehind(t);
});

it('promotes a replica while the workers take writes: they pause, move to the new primary, and no request fails', async () => {
  const readers = readersOf(
    t,
    [...(await placement(t))].filter(([, at]) => at[0]!.shard === 'shard-1').map(([id]) => id),
  );
  const load = await underLoad(t, async () => {
    await new Promise((r) => setTimeout(r, 300));
    const res = await t.call<PromotionReport>('POST', '/lab/v1/shards/shard-1/promote');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ kind: 'switchover', writes_at_risk: { count: 0 } });
    await new Promise((r) => setTimeout(r, 300));
  }).finally(() => readers.stop());
  const read = await readers.stop();
  expect(load.errors.slice(0, 5)).toEqual([]);
  expect(read.reads).toBeGreaterThan(0);
  expect(read.failures).toEqual([]);
  const where = await placement(t);
  for (const [id, last] of load.live) expect(where.get(id)?.[0]?.last_name, `user ${id}`).toBe(last);
});

it('a worker that cannot be paused stops the move before cutover: the job fails and rolls back, and the worker is replaced', async () => {
  const ringBefore = t.running.lab.ring.version.version;
  // Talk to the primary directly: the public port might hand a request to the stopped worker.
  const primary = `http://127.0.0.1:${(t.running.server.address() as AddressInfo).port}`;
  const stuck = Object.values(cluster.workers ?? {})[0]!;
  process.kill(stuck.process.pid!, 'SIGSTOP');
  let job: JobView;
  try {
    const { job_id } = (await (
      await fetch(`${primary}/lab/v1/shards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    ).json()) as { job_id: string };
    do {
      await new Promise((r) => setTimeout(r, 200));
      job = (await (await fetch(`${primary}/lab/v1/jobs/${job_id}`)).json()) as JobView;
    } while (['queued', 'running'].includes(job.state));
  } finally {
    if (isAlive(stuck.process.pid!)) process.kill(stuck.process.pid!, 'SIGCONT');
  }
  expect(job.state).toBe('failed');
  expect(job.error?.message).toMatch(/prefork: lab-fence failed \(worker \d+: no answer within 10 s\)/);
  expect(t.running.lab.ring.version.version).toBe(ringBefore);
  expect(t.running.lab.cluster.shards.map((s) => s.name)).toEqual(['shard-0', 'shard-1', 'shard-2']);
  await expectNothingLeftBehind(t);
  // Nor did it answer the end of the pause: it was killed by pid, and a new worker serves in its place.
  expect(isAlive(stuck.process.pid!)).toBe(false);
  for (let i = 0; i < 100 && workerPids().length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  expect(workerPids()).toHaveLength(2);
  for (let i = 0; i < 10; i++) expect((await t.call('POST', '/api/v1/users', { first_name: 'After', last_name: 'Stuck' })).status).toBe(201);
});

/** One request on a connection of its own: node:cluster hands each new connection to the next worker in turn. */
function onNewConnection<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${t.url}${path}`, { method, agent: false, headers: data ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: (text ? JSON.parse(text) : null) as T }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

it("the workers follow the read policy and a replica added at run time, know each other's writes, and report their reads", async () => {
  // shard-1 lost its replica to the promotion above: a new one, which the workers must learn of.
  expect((await t.call('POST', '/lab/v1/shards/shard-1/replicas')).status).toBe(201);
  const replicaUrl = t.running.lab.cluster.byName('shard-1')!.replica!.url;
  await queryServer(replicaUrl, "ALTER SYSTEM SET recovery_min_apply_delay = '3s'");
  await queryServer(replicaUrl, 'SELECT pg_reload_conf()');
  const ring = t.running.lab.ring.router;
  const createOnShard1 = async () => {
    for (;;) {
      const { status, body } = await onNewConnection<User>('POST', '/api/v1/users', { first_name: 'Pre', last_name: 'Fork' });
      expect(status).toBe(201);
      if (ring.route(body.id).shard_name === 'shard-1') return body;
    }
  };
  type Reads = { primary_reads: number; replica_reads: number; stale_reads: number };
  const reads = async () => (await t.call<{ reads: Reads }>('GET', '/lab/v1/topology')).body.reads;
  /** The workers report every second: waits until the primary's counts have moved by `by`. */
  const readsAfter = async (before: Reads, by: Partial<Reads>) => {
    let now = await reads();
    const moved = () => Object.entries(by).every(([k, n]) => now[k as keyof Reads] - before[k as keyof Reads] >= n);
    for (let i = 0; i < 50 && !moved(); i++) {
      await new Promise((r) => setTimeout(r, 100));
      now = await reads();
    }
    return now;
  };

  // Each write and its read on connections of their own, so they reach both workers, in turn.
  expect((await t.call('PUT', '/lab/v1/settings', { read_policy: 'replica' })).status).toBe(200);
  const before = await reads();
  for (let i = 0; i < 4; i++) {
    const user = await createOnShard1();
    expect((await onNewConnection('GET', `/api/v1/users/${user.id}`)).status).toBe(404);
  }
  const after = await readsAfter(before, { replica_reads: 4, stale_reads: 4 });
  expect(after.replica_reads - before.replica_reads).toBe(4);
  expect(after.stale_reads - before.stale_reads).toBe(4);
  const prom = await (await fetch(`${t.url}/metrics`)).text();
  expect(prom).toContain(`lab_stale_reads_total ${after.stale_reads}`);
  // The replica's lag is sampled once a second, and a busy machine can miss a sample: wait for one.
  await expect
    .poll(async () => (await fetch(`${t.url}/metrics`)).text(), { timeout: 15_000 })
    .toMatch(/lab_shard_replication_lag_bytes\{shard="shard-1",replica="shard-1-replica"\} \d+/);

  expect((await t.call('PUT', '/lab/v1/settings', { read_policy: 'read-your-writes' })).status).toBe(200);
  for (let i = 0; i < 4; i++) {
    const user = await createOnShard1();
    expect((await onNewConnection('GET', `/api/v1/users/${user.id}`)).status).toBe(200);
  }
  expect((await readsAfter(after, { primary_reads: 4 })).primary_reads - after.primary_reads).toBeGreaterThanOrEqual(4);

  await t.call('PUT', '/lab/v1/settings', { read_policy: 'primary' });
  await queryServer(replicaUrl, 'ALTER SYSTEM RESET recovery_min_apply_delay');
  await queryServer(replicaUrl, 'SELECT pg_reload_conf()');
});

it('restores a chapter start while the workers serve reads: they hold their queries during the swap too, and none fails', async () => {
  // The first reset brings back two shards and builds the start; the second swaps every shard's database.
  const first = await t.call<{ steps: { step: string; detail: string }[] }>('POST', '/lab/v1/chapters/overview/reset');
  expect(first.status, JSON.stringify(first.body)).toBe(200);
  const ids = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => (await t.call<User>('POST', '/api/v1/users', { first_name: `Held${i}`, last_name: 'Reader' })).body.id),
  );
  const readers = readersOf(t, ids);
  // Reads are under way in the workers before the swap begins.
  await new Promise((r) => setTimeout(r, 300));
  const second = await t.call<{ steps: { step: string; detail: string }[] }>('POST', '/lab/v1/chapters/overview/reset');
  const { reads, failures } = await readers.stop();
  expect(second.status, JSON.stringify(second.body)).toBe(200);
  expect(second.body.steps.at(-1)!.detail).toContain("Cloned every shard from the start's snapshot");
  expect(reads).toBeGreaterThan(0);
  expect(failures.slice(0, 5)).toEqual([]);
  // The swap replaced the databases: what was written after the start is gone, and the workers read the new ones.
  expect((await t.call('GET', `/api/v1/users/${ids[0]}`)).status).toBe(404);
});

it('lists the writes that waited at the write gate in a worker, with the worker that served them', async () => {
  await t.running.lab.ring.fence({ ranges: [{ start: 0, end: 0xffffffff }] });
  let created: Promise<{ status: number; body: User }>[] = [];
  try {
    // Connections of their own reach both workers in turn; each write stops at its worker's gate.
    created = Array.from({ length: 4 }, (_, i) => onNewConnection<User>('POST', '/api/v1/users', { first_name: 'Gate', last_name: `Waiter${i}` }));
    // The workers report what they are handling every second: wait until all four are waiting.
    await expect
      .poll(async () => Number(/^lab_http_requests_in_flight (\d+)$/m.exec(await (await fetch(`${t.url}/metrics`)).text())?.[1] ?? 0), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(4);
  } finally {
    await t.running.lab.ring.lift();
  }
  const ids = (await Promise.all(created)).map((r) => {
    expect(r.status).toBe(201);
    return r.body.id;
  });
  const workers = workerPids().map((pid) => `worker ${pid}`);
  type Pause = { keys: string[]; request: string | null; process: string };
  const mine = async () => (await t.call<{ pauses: Pause[] }>('GET', '/lab/v1/ring/pauses')).body.pauses.filter((p) => ids.includes(p.keys[0]!));
  // A worker hands each pause to the primary as it ends; the replies may come first.
  await expect.poll(async () => (await mine()).length, { timeout: 10_000 }).toBe(4);
  const pauses = await mine();
  expect(pauses.every((p) => p.request === 'POST /api/v1/users' && workers.includes(p.process))).toBe(true);
  expect(new Set(pauses.map((p) => p.process)).size).toBe(2);
  const fate = await t.call<{ paused: Pause[] }>('GET', `/lab/v1/ids/${ids[0]}/fate`);
  expect(fate.body.paused).toEqual([pauses.find((p) => p.keys[0] === ids[0])]);
});
