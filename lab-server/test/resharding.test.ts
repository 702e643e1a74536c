import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../src/jobs/registry.js';
import type { User } from '../src/messenger/users/schemas.js';
import type { ShardStats } from '../src/messenger/users/service.js';
import { leftovers } from '../src/resharding/replication.js';
import { startEmbeddedTestLab, testRing, type TestLab } from './support/lab.js';

let t: TestLab;
beforeAll(async () => {
  t = await startEmbeddedTestLab(3);
});
afterAll(async () => t?.stop());

const shardUrls = () => t.running.lab.cluster.shards.map((s) => ({ name: s.name, url: s.url }));

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return (await c.query<T>(sql, values)).rows;
  } finally {
    await c.end();
  }
}

/** Where every user row physically is: id → [{shard, last_name}] over every running shard. */
async function placement(): Promise<Map<string, { shard: string; last_name: string }[]>> {
  const where = new Map<string, { shard: string; last_name: string }[]>();
  for (const s of shardUrls()) {
    for (const r of await query<{ id: string; last_name: string }>(s.url, 'SELECT id, last_name FROM users')) {
      where.set(r.id, [...(where.get(r.id) ?? []), { shard: s.name, last_name: r.last_name }]);
    }
  }
  return where;
}

async function waitForJob(id: string, until: (j: JobView) => boolean = (j) => !['queued', 'running'].includes(j.state)): Promise<JobView> {
  for (;;) {
    const { body } = await t.call<JobView>('GET', `/lab/v1/jobs/${id}`);
    if (until(body)) return body;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function expectNothingLeftBehind() {
  for (const s of shardUrls()) {
    const [c] = [new pg.Client(s.url)];
    await c.connect();
    expect(await leftovers(c), s.name).toEqual({ publications: 0, subscriptions: 0, slots: 0 });
    const { rows } = await c.query<{ r: string }>(`SELECT relreplident AS r FROM pg_class WHERE relname = 'users'`);
    expect(rows[0]!.r, `${s.name} replica identity`).toBe('d');
    await c.end();
  }
}

/** Writers creating, updating and deleting users through the API while `during` runs; returns what they expect. */
async function underLoad(during: () => Promise<void>) {
  const live = new Map<string, string>();
  for (const [id, at] of await placement()) live.set(id, at[0]!.last_name);
  const deleted = new Set<string>();
  const busy = new Set<string>();
  const errors: string[] = [];
  let stop = false;
  let ops = 0;
  const pick = () => [...live.keys()].find((id) => !busy.has(id) && Math.random() < 0.01) ?? null;
  const writer = async (w: number) => {
    for (let n = 0; !stop; n++) {
      const r = Math.random();
      ops++;
      if (r < 0.4) {
        const res = await t.call<User>('POST', '/api/v1/users', { first_name: `W${w}`, last_name: `new-${w}-${n}` });
        if (res.status !== 201) errors.push(`create ${res.status} ${JSON.stringify(res.body)}`);
        else live.set(res.body.id, res.body.last_name);
      } else {
        const id = pick();
        if (!id) continue;
        busy.add(id);
        if (r < 0.85) {
          const last = `upd-${w}-${n}`;
          const res = await t.call<User>('PUT', `/api/v1/users/${id}`, { last_name: last });
          if (res.status !== 200) errors.push(`update ${id} ${res.status} ${JSON.stringify(res.body)}`);
          else live.set(id, last);
        } else {
          const res = await t.call('DELETE', `/api/v1/users/${id}`);
          if (res.status !== 204) errors.push(`delete ${id} ${res.status} ${JSON.stringify(res.body)}`);
          else {
            live.delete(id);
            deleted.add(id);
          }
        }
        busy.delete(id);
      }
    }
  };
  const writers = Array.from({ length: 6 }, (_, w) => writer(w));
  try {
    await during();
  } finally {
    stop = true;
    await Promise.all(writers);
  }
  return { live, deleted, errors, ops };
}

describe('adding a shard online', () => {
  it('moves exactly the rows the new ring names, under concurrent writes, with no error, loss, duplicate or reverted update', async () => {
    const seed = await t.call<{ job_id: string }>('POST', '/lab/v1/seed', { users: 20_000 });
    expect((await waitForJob(seed.body.job_id)).state).toBe('succeeded');

    const plan = await t.call<{ total_rows: number; moved_fraction: number; shards_after: string[] }>('POST', '/lab/v1/shards/plan');
    expect(plan.body.shards_after).toEqual(['shard-0', 'shard-1', 'shard-2', 'shard-3']);
    expect(plan.body.moved_fraction).toBeCloseTo(0.2624, 3);

    let job!: JobView;
    const load = await underLoad(async () => {
      await new Promise((r) => setTimeout(r, 300));
      const res = await t.call<{ job_id: string }>('POST', '/lab/v1/shards', { mode: 'rebalance' });
      expect(res.status).toBe(202);
      job = await waitForJob(res.body.job_id);
      await new Promise((r) => setTimeout(r, 300));
    });

    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    const result = job.result as { ring_version: number; pause_ms: number; moved_rows: number; verify: { ok: boolean } };
    expect(result.ring_version).toBe(2);
    expect(result.verify.ok).toBe(true);
    expect(result.pause_ms).toBeGreaterThanOrEqual(0);
    expect(result.moved_rows).toBeGreaterThan(0);
    expect(job.notes!.map((n) => n.phase)).toEqual(expect.arrayContaining(['plan', 'provision', 'copy', 'verify', 'cutover', 'cleanup']));
    expect(load.errors.slice(0, 5)).toEqual([]);
    expect(load.ops).toBeGreaterThan(50);

    const ring = testRing(4);
    const where = await placement();
    for (const [id, last] of load.live) {
      const at = where.get(id);
      expect(at, `user ${id} lost`).toBeDefined();
      expect(at!.length, `user ${id} duplicated on ${at!.map((a) => a.shard).join(', ')}`).toBe(1);
      expect(at![0]!.shard, `user ${id} misplaced`).toBe(ring.route(id).shard_name);
      expect(at![0]!.last_name, `user ${id} update reverted`).toBe(last);
    }
    for (const id of load.deleted) expect(where.has(id), `deleted user ${id} came back`).toBe(false);
    expect(where.size).toBe(load.live.size);

    const stats = await t.call<ShardStats>('GET', '/api/v1/shards/stats');
    expect(stats.body.total_users).toBe(load.live.size);
    expect(stats.body.shards.map((s) => s.shard_name)).toEqual(['shard-0', 'shard-1', 'shard-2', 'shard-3']);
    const sample = [...load.live.keys()].slice(0, 200);
    for (const id of sample) expect((await t.call('GET', `/api/v1/users/${id}`)).status).toBe(200);
    await expectNothingLeftBehind();
  });
});
