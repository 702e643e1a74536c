import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryServer, startEmbeddedTestLab, startTestLab, type ErrorReply, type TestLab } from './support/lab.js';
import { runCli } from './support/cli.js';
import { terminalLine } from './support/terminal.js';
import { waitForJob } from './support/workload.js';
import type { RunView } from '../src/loadtest/run.js';

// Chapter starts: the data a chapter begins from, seeded once, snapshotted on every shard with CREATE DATABASE …
// TEMPLATE, and cloned back on every later reset.

interface Report {
  how: 'restored' | 'built';
  snapshot: string;
  ms: number;
  shards: { shard: string; ms: number; clone_ms?: number; swap_ms?: number }[];
}
interface Starts {
  external: boolean;
  snapshots: { name: string; bytes: number; key: { spec: { users: number }; shards: string[]; head: string } | null }[];
}

async function restore(t: TestLab, body: unknown): Promise<Report> {
  const r = await t.call<{ job_id: string }>('POST', '/lab/v1/starts', body);
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  const job = await waitForJob(t, r.body.job_id);
  expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
  return job.result as unknown as Report;
}

const userIds = async (t: TestLab) =>
  (await Promise.all(t.shardUrls.map((url) => queryServer<{ id: string }>(url, 'SELECT id::text FROM users'))))
    .flat()
    .map((r) => r.id)
    .sort();

// One lab on two shards of its own for the starts, then the health route, then the load chart's marks: each part
// brings the cluster to its own start first, so they share the servers (a lab's start-up costs seconds).
let t: TestLab;
beforeAll(async () => {
  t = await startEmbeddedTestLab(2);
});
afterAll(async () => t?.stop());

describe('chapter starts on the lab’s own servers', () => {
  let firstIds: string[] = [];

  it('builds a start the first time, from the migrations alone (seeded, then snapshotted on every shard)', async () => {
    await queryServer(t.shardUrls[0]!, 'CREATE TABLE made_before_the_start (id int)');
    const built = await restore(t, { users: 3000 });
    // Built on a new database: nothing made before it (a drill's schema, a learner's table) is in the snapshot.
    const before = await queryServer<{ n: string }>(t.shardUrls[0]!, "SELECT count(*)::text AS n FROM pg_tables WHERE tablename = 'made_before_the_start'");
    expect(before[0]?.n).toBe('0');
    expect(built.how).toBe('built');
    expect(built.shards.map((s) => s.shard)).toEqual(['shard-0', 'shard-1']);
    firstIds = await userIds(t);
    expect(firstIds).toHaveLength(3000);
    const starts = (await t.call<Starts>('GET', '/lab/v1/starts')).body;
    expect(starts.external).toBe(false);
    expect(starts.snapshots).toHaveLength(1);
    expect(starts.snapshots[0]).toMatchObject({ name: built.snapshot, key: { spec: { users: 3000 }, shards: ['shard-0', 'shard-1'] } });
    expect(starts.snapshots[0]!.bytes).toBeGreaterThan(0);
    // Nobody may connect to a snapshot: cloning it needs it to be free.
    const [db] = await queryServer<{ datallowconn: boolean }>(t.shardUrls[0]!, 'SELECT datallowconn FROM pg_database WHERE datname = $1', [built.snapshot]);
    expect(db?.datallowconn).toBe(false);
  });

  it('restores the very same rows by cloning, whatever was written or deleted since', async () => {
    const created = await t.call<{ id: string }>('POST', '/api/v1/users', { first_name: 'Extra', last_name: 'Row' });
    expect(created.status).toBe(201);
    await queryServer(t.shardUrls[1]!, 'DELETE FROM users WHERE id IN (SELECT id FROM users LIMIT 100)');
    await queryServer(t.shardUrls[1]!, 'CREATE TABLE learner_scratch (id int)');

    const restored = await restore(t, { users: 3000 });
    expect(restored.how).toBe('restored');
    // The clone was made ahead, after the build answered: the restore was only the swap.
    expect(restored.shards.map((s) => s.clone_ms)).toEqual([0, 0]);
    expect(await userIds(t)).toEqual(firstIds);
    const scratch = await queryServer<{ n: string }>(t.shardUrls[1]!, "SELECT count(*)::text AS n FROM pg_tables WHERE tablename = 'learner_scratch'");
    expect(scratch[0]?.n).toBe('0');
  });

  it('serves the API at once on the restored databases (the pools reconnect by name)', async () => {
    const created = await t.call<{ id: string }>('POST', '/api/v1/users', { first_name: 'After', last_name: 'Restore' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const read = await t.call<{ first_name: string }>('GET', `/api/v1/users/${created.body.id}`);
    expect(read.body.first_name).toBe('After');
    const stats = await t.call<{ total_users: number }>('GET', '/api/v1/shards/stats');
    expect(stats.body.total_users).toBe(3001);
  });

  it("says how the cluster differs from a chapter's start, and a reset brings it there keeping the progress", async () => {
    const before = await t.call<{ at_start: boolean; differences: string[]; start: { users: number } }>('GET', '/lab/v1/chapters/sharding/start');
    expect(before.status).toBe(200);
    expect(before.body.at_start).toBe(false);
    expect(before.body.differences).toContain('3,001 users; the start has 20,000');

    const solved = await t.call('POST', '/lab/v1/chapters/sharding/exercises/route-key/solve');
    expect(solved.status).toBe(200);
    const reset = await t.call<{ steps: { step: string; detail: string }[] }>('POST', '/lab/v1/chapters/sharding/reset');
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(reset.body.steps.at(-1)?.detail).toMatch(/Built the start/);
    const after = await t.call<{ at_start: boolean; differences: string[] }>('GET', '/lab/v1/chapters/sharding/start');
    expect(after.body).toMatchObject({ at_start: true, differences: [] });

    const again = await t.call<{ steps: { detail: string }[] }>('POST', '/lab/v1/chapters/sharding/reset');
    expect(again.body.steps.at(-1)?.detail).toMatch(/Cloned every shard/);
    const view = await t.call<{ exercises: { id: string; progress: unknown }[] }>('GET', '/lab/v1/chapters/sharding');
    expect(view.body.exercises.find((e) => e.id === 'route-key')?.progress).not.toBeNull();
  });

  it('refuses a start while a shard is down, changing nothing, and a chapter reset starts the shard first', async () => {
    expect((await t.call('POST', '/lab/v1/shards/shard-1/kill')).status).toBe(200);
    const refused = await t.call<ErrorReply>('POST', '/lab/v1/starts', { users: 100 });
    expect(refused.status).toBe(409);
    expect(refused.body.error, JSON.stringify(refused.body)).toMatchObject({ code: 'shard_not_up', details: { shards: ['shard-1'] } });
    expect(refused.body.error.message).toMatch(/^shard-1 is down: .*start or resume it first/);
    const reset = await t.call<{ steps: { step: string; detail: string }[] }>('POST', '/lab/v1/chapters/sharding/reset');
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(reset.body.steps.at(-1)?.detail).toMatch(/^Started shard-1, which was down\. (Cloned every shard|Built the start)/);
    const after = await t.call<{ at_start: boolean }>('GET', '/lab/v1/chapters/sharding/start');
    expect(after.body.at_start).toBe(true);
  });

  it('refuses a bad start with a 400 and starts nothing', async () => {
    const jobs = async () => (await t.call<{ jobs: unknown[] }>('GET', '/lab/v1/jobs')).body.jobs.length;
    const count = await jobs();
    for (const [body, message] of [
      [{ users: -1 }, 'users must be at least 0'],
      [{ users: 2.5 }, 'users must be a whole number'],
      [{ users: 2_000_000 }, 'users must be at most 1,000,000'],
      [{ users: 10, shards: 3 }, 'unknown field(s): shards'],
    ] as const) {
      const r = await t.call<ErrorReply>('POST', '/lab/v1/starts', body);
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body)).toContain(message);
    }
    expect(await jobs()).toBe(count);
  });

  it('is on the CLI and in the terminal: the snapshots, a restore, a chapter against its start', async () => {
    const cli = await runCli(['starts', 'restore', '--users', '3000'], { LAB_URL: t.url });
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toMatch(/Cloned from the snapshot in [\d.,]+ ms/);
    expect(await terminalLine(t.url, 'starts')).toMatch(/lab_start_\w+ +\| 3,000 users/);
    const said = await terminalLine(t.url, 'chapter start sharding');
    expect(said).toContain('The chapter starts from the configured shards with 20,000 users.');
    expect(said).toContain('3,000 users; the start has 20,000');
    const bad = await runCli(['starts', 'restore', '--users', 'many'], { LAB_URL: t.url });
    expect(bad.code).not.toBe(0);
  });

  it('drops every snapshot on request', async () => {
    const dropped = await t.call<{ dropped: string[] }>('DELETE', '/lab/v1/starts');
    expect(dropped.body.dropped.length).toBe(2);
    expect((await t.call<Starts>('GET', '/lab/v1/starts')).body.snapshots).toEqual([]);
    const left = await queryServer<{ name: string }>(t.shardUrls[0]!, "SELECT datname AS name FROM pg_database WHERE datname LIKE 'lab\\_%'");
    expect(left).toEqual([]);
  });
});

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

// GET /api/v1/shards/health: the route the original's SHARDING_GUIDE calls and its code never had, doing what the
// guide's shell loops do — pg_stat_replication on each primary, COUNT(*) on primary and replica.

describe('GET /api/v1/shards/health', () => {
  beforeAll(async () => {
    const start = await t.call<{ job_id: string }>('POST', '/lab/v1/starts', { users: 800 });
    expect((await waitForJob(t, start.body.job_id)).state).toBe('succeeded');
  });

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
});

// The load chart marks the cluster's events where they happened: a reshard's phases with its measured write
// pause, a shard paused and back. Cause beside effect.

describe('the load chart’s marks', () => {
  beforeAll(async () => {
    const start = await t.call<{ job_id: string }>('POST', '/lab/v1/starts', { users: 500 });
    expect((await waitForJob(t, start.body.job_id)).state).toBe('succeeded');
  });

  const run = async (id: string) => (await t.call<RunView>('GET', `/lab/v1/loadtests/${id}`)).body;

  async function until<T>(get: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
    for (;;) {
      const v = await get();
      if (done(v)) return v;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it("marks a reshard's phases, its write pause and a paused shard on the running load test", async () => {
    const started = await t.call<{ id: string }>('POST', '/lab/v1/loadtests', {
      scenario: 'read-heavy',
      connections: 2,
      duration_s: 300,
      rate: 20,
      warmup_s: 0,
    });
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
});

describe('chapter starts on shards the lab did not start', () => {
  let ext: TestLab;
  beforeAll(async () => {
    ext = await startTestLab(1);
  });
  afterAll(async () => ext?.stop());

  it('rebuilds the start row by row and never creates or drops a database there', async () => {
    const first = await restore(ext, { users: 200 });
    const second = await restore(ext, { users: 200 });
    expect([first.how, second.how]).toEqual(['built', 'built']);
    expect((await ext.call<Starts>('GET', '/lab/v1/starts')).body).toEqual({ external: true, snapshots: [] });
    const stats = await ext.call<{ total_users: number }>('GET', '/api/v1/shards/stats');
    expect(stats.body.total_users).toBe(200);
  });
});
