import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { startEmbeddedTestLab, type TestLab } from './support/lab.js';
import { waitForJob } from './support/workload.js';

// GET /api/v1/shards/health: the route the original's SHARDING_GUIDE calls and its code never had, doing what the
// guide's shell loops do — pg_stat_replication on each primary, COUNT(*) on primary and replica.

interface Health {
  healthy: boolean;
  shards: {
    shard_name: string;
    healthy: boolean;
    latency_ms: number | null;
    users: number | null;
    replicas: { name: string; state: string | null; users: number | null; caught_up: boolean; matches_primary: boolean }[];
  }[];
}

let t: TestLab;
beforeAll(async () => {
  t = await startEmbeddedTestLab(2);
  const start = await t.call<{ job_id: string }>('POST', '/lab/v1/starts', { users: 800 });
  expect((await waitForJob(t, start.body.job_id)).state).toBe('succeeded');
});
afterAll(async () => t?.stop());

const health = () => t.call<Health>('GET', '/api/v1/shards/health');

it('checks every primary now: it answers, how fast, and its users', async () => {
  const r = await health();
  expect(r.status).toBe(200);
  expect(r.body.healthy).toBe(true);
  expect(r.body.shards.map((s) => s.shard_name)).toEqual(['shard-0', 'shard-1']);
  expect(r.body.shards.reduce((n, s) => n + (s.users ?? 0), 0)).toBe(800);
  expect(r.body.shards.every((s) => s.latency_ms !== null && s.replicas.length === 0)).toBe(true);
});

it("compares a replica's users with its primary's once it has replayed, also right after a write", async () => {
  expect((await t.call('POST', '/lab/v1/shards/shard-0/replicas')).status).toBe(201);
  // Writes just before the check: the replica is counted only after it replayed past the primary's position.
  await Promise.all(Array.from({ length: 20 }, (_, i) => t.call('POST', '/api/v1/users', { first_name: 'Rep', last_name: `Lica${i}` })));
  const r = await health();
  expect(r.status).toBe(200);
  const shard0 = r.body.shards[0]!;
  expect(shard0.replicas).toEqual([expect.objectContaining({ name: 'shard-0-replica', state: 'streaming', caught_up: true, matches_primary: true })]);
  expect(shard0.replicas[0]!.users).toBe(shard0.users);

  const cli = await runCli(['health'], { LAB_URL: t.url });
  expect(cli.code, cli.out).toBe(0);
  expect(cli.out).toMatch(/shard-0 +\| up, [\d.]+ ms +\| [\d,]+ +\| shard-0-replica \| streaming/);
});

it('answers 503 naming the shard that does not answer, and the command exits 1', async () => {
  expect((await t.call('POST', '/lab/v1/shards/shard-1/kill')).status).toBe(200);
  try {
    const r = await health();
    expect(r.status).toBe(503);
    expect(r.body.shards.find((s) => s.shard_name === 'shard-1')).toMatchObject({ healthy: false, users: null });
    const cli = await runCli(['health'], { LAB_URL: t.url });
    expect(cli.code).toBe(1);
    expect(cli.out).toContain('degraded');
  } finally {
    expect((await t.call('POST', '/lab/v1/shards/shard-1/start')).status).toBe(200);
  }
});
