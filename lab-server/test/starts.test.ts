import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryServer, startEmbeddedTestLab, startTestLab, type ErrorReply, type TestLab } from './support/lab.js';
import { runCli } from './support/cli.js';
import { terminalLine } from './support/terminal.js';
import { waitForJob } from './support/workload.js';

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

describe('chapter starts on the lab’s own servers', () => {
  let t: TestLab;
  beforeAll(async () => {
    t = await startEmbeddedTestLab(3);
  });
  afterAll(async () => t?.stop());

  let firstIds: string[] = [];

  it('builds a start the first time, from the migrations alone (seeded, then snapshotted on every shard)', async () => {
    await queryServer(t.shardUrls[0]!, 'CREATE TABLE made_before_the_start (id int)');
    const built = await restore(t, { users: 3000 });
    // Built on a new database: nothing made before it (a drill's schema, a learner's table) is in the snapshot.
    const before = await queryServer<{ n: string }>(t.shardUrls[0]!, "SELECT count(*)::text AS n FROM pg_tables WHERE tablename = 'made_before_the_start'");
    expect(before[0]?.n).toBe('0');
    expect(built.how).toBe('built');
    expect(built.shards.map((s) => s.shard)).toEqual(['shard-0', 'shard-1', 'shard-2']);
    firstIds = await userIds(t);
    expect(firstIds).toHaveLength(3000);
    const starts = (await t.call<Starts>('GET', '/lab/v1/starts')).body;
    expect(starts.external).toBe(false);
    expect(starts.snapshots).toHaveLength(1);
    expect(starts.snapshots[0]).toMatchObject({ name: built.snapshot, key: { spec: { users: 3000 }, shards: ['shard-0', 'shard-1', 'shard-2'] } });
    expect(starts.snapshots[0]!.bytes).toBeGreaterThan(0);
    // Nobody may connect to a snapshot: cloning it needs it to be free.
    const [db] = await queryServer<{ datallowconn: boolean }>(t.shardUrls[0]!, 'SELECT datallowconn FROM pg_database WHERE datname = $1', [built.snapshot]);
    expect(db?.datallowconn).toBe(false);
  });

  it('restores the very same rows by cloning, whatever was written or deleted since', async () => {
    const created = await t.call<{ id: string }>('POST', '/api/v1/users', { first_name: 'Extra', last_name: 'Row' });
    expect(created.status).toBe(201);
    await queryServer(t.shardUrls[1]!, 'DELETE FROM users WHERE id IN (SELECT id FROM users LIMIT 100)');
    await queryServer(t.shardUrls[2]!, 'CREATE TABLE learner_scratch (id int)');

    const restored = await restore(t, { users: 3000 });
    expect(restored.how).toBe('restored');
    // The clone was made ahead, after the build answered: the restore was only the swap.
    expect(restored.shards.map((s) => s.clone_ms)).toEqual([0, 0, 0]);
    expect(await userIds(t)).toEqual(firstIds);
    const scratch = await queryServer<{ n: string }>(t.shardUrls[2]!, "SELECT count(*)::text AS n FROM pg_tables WHERE tablename = 'learner_scratch'");
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

describe('chapter starts on shards the lab did not start', () => {
  let t: TestLab;
  beforeAll(async () => {
    t = await startTestLab(1);
  });
  afterAll(async () => t?.stop());

  it('rebuilds the start row by row and never creates or drops a database there', async () => {
    const first = await restore(t, { users: 200 });
    const second = await restore(t, { users: 200 });
    expect([first.how, second.how]).toEqual(['built', 'built']);
    expect((await t.call<Starts>('GET', '/lab/v1/starts')).body).toEqual({ external: true, snapshots: [] });
    const stats = await t.call<{ total_users: number }>('GET', '/api/v1/shards/stats');
    expect(stats.body.total_users).toBe(200);
  });
});
