import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { REPO_ROOT } from '../src/config.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../src/jobs/registry.js';
import type { ShardStats } from '../src/messenger/users/service.js';
import { queryServer, startTestLab, testRing, type ErrorReply, type TestLab } from './support/lab.js';

const SHARDS = 3;
const names = Array.from({ length: SHARDS }, (_, i) => `shard-${i}`);
const ring = testRing(SHARDS);
let t: TestLab;

beforeAll(async () => {
  t = await startTestLab(SHARDS);
});
afterAll(async () => t?.stop());

async function waitForJob(id: string): Promise<JobView> {
  for (;;) {
    const { body } = await t.call<JobView>('GET', `/lab/v1/jobs/${id}`);
    if (!['queued', 'running'].includes(body.state)) return body;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitForProgress(id: string, done: number): Promise<void> {
  while ((await t.call<JobView>('GET', `/lab/v1/jobs/${id}`)).body.progress.done < done) await new Promise((r) => setTimeout(r, 20));
}

const counts = async () => (await t.call<ShardStats>('GET', '/api/v1/shards/stats')).body.shards.map((s) => s.user_count);

describe('seeding as a job', () => {
  it('loads users with COPY, each on the shard the ring names, and reports progress', async () => {
    const before = await counts();
    const res = await t.call<{ job_id: string }>('POST', '/lab/v1/seed', { users: 12_000 });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/lab/v1/jobs/${res.body.job_id}`);
    const job = await waitForJob(res.body.job_id);
    expect(job).toMatchObject({ kind: 'seed', state: 'succeeded', progress: { done: 12_000, total: 12_000 } });
    const after = await counts();
    const added = after.map((n, i) => n! - before[i]!);
    expect(added.reduce((a, b) => a + b, 0)).toBe(12_000);
    expect((job.result as { per_shard: { users: number }[] }).per_shard.map((s) => s.users)).toEqual(added);
    for (let i = 0; i < SHARDS; i++) {
      const c = new pg.Client(t.shardUrls[i]);
      await c.connect();
      const { rows } = await c.query<{ id: string; created_at: Date }>('SELECT id, created_at FROM users');
      await c.end();
      expect(rows.every((r) => ring.shardFor(r.id) === i)).toBe(true);
      // ids are UUIDv7 of the signup moment, like API-created users
      for (const r of rows.slice(0, 50)) expect(parseInt(r.id.replace(/-/g, '').slice(0, 12), 16)).toBe(r.created_at.getTime());
    }
  });

  it('cancels a running seed and keeps none of its rows', async () => {
    const before = await counts();
    const res = await t.call<{ job_id: string }>('POST', '/lab/v1/seed', { users: 3_000_000 });
    await waitForProgress(res.body.job_id, 1);
    const cancel = await t.call<JobView>('POST', `/lab/v1/jobs/${res.body.job_id}/cancel`);
    expect(cancel.status).toBe(202);
    const job = await waitForJob(res.body.job_id);
    expect(job.state, JSON.stringify(job.error)).toBe('cancelled');
    expect(job.progress.done).toBeLessThan(3_000_000);
    expect(await counts()).toEqual(before);
    const idle = await Promise.all(
      t.shardUrls.map(async (url) => {
        const c = new pg.Client(url);
        await c.connect();
        const { rows } = await c.query<{ n: string }>(
          "SELECT count(*)::text AS n FROM pg_stat_activity WHERE state LIKE 'idle in transaction%' OR query LIKE 'COPY%' AND state = 'active'",
        );
        await c.end();
        return Number(rows[0]!.n);
      }),
    );
    expect(idle).toEqual([0, 0, 0]);
  });

  it('fails cleanly when a shard dies mid-seed: names it, keeps nothing anywhere', async () => {
    const before = await counts();
    const res = await t.call<{ job_id: string }>('POST', '/lab/v1/seed', { users: 3_000_000 });
    await waitForProgress(res.body.job_id, 50_000);
    await t.shards[1]!.stop();
    try {
      const job = await waitForJob(res.body.job_id);
      expect(job.state).toBe('failed');
      expect(job.error?.message).toMatch(/^shard-1: .*rolled back on every shard and kept nothing/);
    } finally {
      await t.shards[1]!.start();
    }
    for (let i = 0; i < 100 && (await t.call('GET', '/health')).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await counts()).toEqual(before);
  });

  it('rejects bad seed requests and unknown jobs', async () => {
    for (const body of [
      {},
      { users: 0 },
      { users: -5 },
      { users: 1.5 },
      { users: '10' },
      { users: 20_000_000 },
      { users: 10, extra: 1 },
      { users: 10, messages: 5 },
    ]) {
      const res = await t.call<ErrorReply>('POST', '/lab/v1/seed', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await t.call('GET', '/lab/v1/jobs/nope')).status).toBe(404);
    expect((await t.call('POST', '/lab/v1/jobs/nope/cancel')).status).toBe(404);
  });

  it('lists jobs, newest first', async () => {
    const { body } = await t.call<{ jobs: JobView[] }>('GET', '/lab/v1/jobs');
    expect(body.jobs.map((j) => j.state)).toEqual(['failed', 'cancelled', 'succeeded']);
  });
});

describe('migrations over HTTP', () => {
  it('shows every shard at the latest migration and applies nothing more', async () => {
    const status = await t.call<{ shards: { shard: string; applied: unknown[]; pending: string[] }[] }>('GET', '/lab/v1/migrations');
    expect(status.body.shards.map((s) => s.shard)).toEqual(names);
    const files = fs.readdirSync(path.join(REPO_ROOT, 'migrations')).filter((f) => f.endsWith('.sql')).length;
    expect(status.body.shards.every((s) => s.applied.length === files && s.pending.length === 0)).toBe(true);
    const latest = await t.call<{ ok: boolean; shards: { ran: string[] }[] }>('POST', '/lab/v1/migrations/latest');
    expect(latest.status).toBe(200);
    expect(latest.body.ok).toBe(true);
    expect(latest.body.shards.every((s) => s.ran.length === 0)).toBe(true);
    expect((await t.call('POST', '/lab/v1/migrations/sideways')).status).toBe(404);
  });
});

describe('seeding the messenger', () => {
  const all = <T extends pg.QueryResultRow>(text: string) => Promise.all(t.shardUrls.map((url) => queryServer<T>(url, text)));

  it('loads conversations, members, inboxes and skewed messages, each row on the shard of its key', async () => {
    const res = await t.call<{ job_id: string }>('POST', '/lab/v1/seed', { users: 2_000, conversations: 200, messages: 20_000 });
    expect(res.status).toBe(202);
    const job = await waitForJob(res.body.job_id);
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    expect(job.result).toMatchObject({ users: 2_000, conversations: 200, messages: 20_000 });

    const convs = await all<{ id: string }>('SELECT id::text FROM conversations');
    for (const [i, rows] of convs.entries()) expect(rows.every((r) => ring.shardFor(r.id) === i)).toBe(true);
    expect(convs.flat()).toHaveLength(200);
    const members = await all<{ conversation_id: string; user_id: string }>('SELECT conversation_id::text, user_id::text FROM conversation_members');
    for (const [i, rows] of members.entries()) expect(rows.every((r) => ring.shardFor(r.conversation_id) === i)).toBe(true);
    const inbox = await all<{ conversation_id: string; user_id: string }>('SELECT conversation_id::text, user_id::text FROM user_conversations');
    for (const [i, rows] of inbox.entries()) expect(rows.every((r) => ring.shardFor(r.user_id) === i)).toBe(true);
    const key = (r: { conversation_id: string; user_id: string }) => `${r.conversation_id}/${r.user_id}`;
    expect(new Set(inbox.flat().map(key))).toEqual(new Set(members.flat().map(key)));

    const perConversation = (
      await all<{ conversation_id: string; n: string }>('SELECT conversation_id::text, count(*)::text AS n FROM messages GROUP BY 1')
    ).flat();
    for (const r of perConversation) expect(convs[ring.shardFor(r.conversation_id)]!.some((c) => c.id === r.conversation_id)).toBe(true);
    const counts = perConversation.map((r) => Number(r.n)).sort((a, b) => b - a);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(20_000);
    // A few hot conversations, most quiet: the busiest 5% hold far more than 5% of the messages.
    const top = counts.slice(0, 10).reduce((a, b) => a + b, 0);
    expect(top / 20_000).toBeGreaterThan(0.3);
    expect(counts[counts.length - 1]!).toBeLessThan(counts[0]! / 10);
  });

  it('draws members from the users already there when the seed brings none', async () => {
    const res = await t.call<{ job_id: string }>('POST', '/lab/v1/seed', { conversations: 20, messages: 100 });
    const job = await waitForJob(res.body.job_id);
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    expect(job.result).toMatchObject({ users: 0, conversations: 20, messages: 100 });
  });
});
