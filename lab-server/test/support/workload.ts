import pg from 'pg';
import { expect } from 'vitest';
import type { JobView } from '../../src/jobs/registry.js';
import type { User } from '../../src/messenger/users/schemas.js';
import { leftovers } from '../../src/resharding/replication.js';
import { queryServer, type TestLab } from './lab.js';

/** The running shards' addresses, as the lab knows them now (a promotion changes one). */
export const shardUrls = (t: TestLab) => t.running.lab.cluster.shards.map((s) => ({ name: s.name, url: s.url }));

/** Where every user row physically is: id → [{shard, last_name}] over every running shard. */
export async function placement(t: TestLab): Promise<Map<string, { shard: string; last_name: string }[]>> {
  const where = new Map<string, { shard: string; last_name: string }[]>();
  for (const s of shardUrls(t)) {
    for (const r of await queryServer<{ id: string; last_name: string }>(s.url, 'SELECT id, last_name FROM users')) {
      where.set(r.id, [...(where.get(r.id) ?? []), { shard: s.name, last_name: r.last_name }]);
    }
  }
  return where;
}

export async function waitForJob(t: TestLab, id: string, until: (j: JobView) => boolean = (j) => !['queued', 'running'].includes(j.state)): Promise<JobView> {
  for (;;) {
    const { body } = await t.call<JobView>('GET', `/lab/v1/jobs/${id}`);
    if (until(body)) return body;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** No publication, subscription, slot or guard trigger on any shard, and replica identity back to default. */
export async function expectNothingLeftBehind(t: TestLab): Promise<void> {
  for (const s of shardUrls(t)) {
    const c = new pg.Client(s.url);
    await c.connect();
    try {
      expect(await leftovers(c), s.name).toEqual({ publications: 0, subscriptions: 0, slots: 0, guards: 0, tables: 0 });
      const { rows } = await c.query<{ r: string }>(`SELECT relreplident AS r FROM pg_class WHERE relname = 'users'`);
      expect(rows[0]!.r, `${s.name} replica identity`).toBe('d');
    } finally {
      await c.end();
    }
  }
}

export interface Workload {
  /** Users that should exist, with the last name they were last given. */
  live: Map<string, string>;
  deleted: Set<string>;
  /** Conversations the writers started. */
  conversations: Set<string>;
  /** Every request that did not get the status it should have. */
  errors: string[];
  ops: number;
}

/**
 * Six clients through the API while `during` runs: they create, read, update and delete users, and sign up
 * accounts and start conversations for users no other client touches at that moment. Every answer must be
 * the right one (a read sees the last write). Returns what they expect.
 */
export async function underLoad(t: TestLab, during: () => Promise<void>): Promise<Workload> {
  const live = new Map<string, string>();
  for (const [id, at] of await placement(t)) live.set(id, at[0]!.last_name);
  const deleted = new Set<string>();
  const conversations = new Set<string>();
  const busy = new Set<string>();
  const errors: string[] = [];
  let stop = false;
  let ops = 0;
  const pick = () => [...live.keys()].find((id) => !busy.has(id) && Math.random() < 0.01) ?? null;
  const writer = async (w: number) => {
    for (let n = 0; !stop; n++) {
      const r = Math.random();
      ops++;
      if (r < 0.35) {
        const res = await t.call<User>('POST', '/api/v1/users', { first_name: `W${w}`, last_name: `new-${w}-${n}` });
        if (res.status !== 201) errors.push(`create ${res.status} ${JSON.stringify(res.body)}`);
        else live.set(res.body.id, res.body.last_name);
      } else if (r < 0.5) {
        const members = [pick(), pick()].filter((id): id is string => id !== null && !busy.has(id));
        if (members.length === 0) continue;
        for (const id of members) busy.add(id);
        const name = `w${w}-${n}-${Math.random().toString(36).slice(2, 8)}`;
        const res =
          r < 0.42
            ? await t.call<{ id: string }>('POST', '/api/v1/accounts', {
                user_id: members[0],
                username: name,
                email: `${name}@example.com`,
                password: 'correct horse',
              })
            : await t.call<{ id: string }>('POST', '/api/v1/conversations', { title: name, member_ids: members });
        if (res.status !== 201) errors.push(`${r < 0.42 ? 'account' : 'conversation'} ${res.status} ${JSON.stringify(res.body)}`);
        else if (r >= 0.42) conversations.add(res.body.id);
        for (const id of members) busy.delete(id);
      } else {
        const id = pick();
        if (!id) continue;
        busy.add(id);
        if (r < 0.6) {
          const res = await t.call<User>('GET', `/api/v1/users/${id}`);
          if (res.status !== 200 || res.body.last_name !== live.get(id))
            errors.push(`read ${id} ${res.status} ${JSON.stringify(res.body)} (expected ${live.get(id)})`);
        } else if (r < 0.88) {
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
  // The load is under way before `during` starts and still after it ends, however slow the machine.
  const atLeast = async (n: number) => {
    while (ops < n) await new Promise((r) => setTimeout(r, 20));
  };
  try {
    await atLeast(12);
    await during();
    await atLeast(ops + 6);
  } finally {
    stop = true;
    await Promise.all(writers);
  }
  return { live, deleted, conversations, errors, ops };
}

/** Three clients reading the given users over and over until stopped; a failure is any answer but 200 or 404. */
export function readersOf(t: TestLab, ids: string[]): { stop(): Promise<{ reads: number; failures: string[] }> } {
  const failures: string[] = [];
  let reads = 0;
  let reading = true;
  const reader = async (r: number) => {
    for (let i = r; reading; i += 3) {
      const res = await t.call('GET', `/api/v1/users/${ids[(i * 7919) % ids.length]}`);
      reads++;
      if (res.status !== 200 && res.status !== 404) failures.push(`${res.status} ${JSON.stringify(res.body)}`);
    }
  };
  const readers = Array.from({ length: 3 }, (_, r) => reader(r));
  return {
    async stop() {
      reading = false;
      await Promise.all(readers);
      return { reads, failures };
    },
  };
}
