import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../src/messenger/users/schemas.js';
import type { ShardStats, UserPage } from '../src/messenger/users/service.js';
import { queryServer, startTestLab, testRing, type ErrorReply, type TestLab } from './support/lab.js';

const SHARDS = 3;
const names = Array.from({ length: SHARDS }, (_, i) => `shard-${i}`);
const ring = testRing(SHARDS);
let t: TestLab;

beforeAll(async () => {
  // Hundreds of concurrent requests queue for 20 pooled connections per shard; on a busy 2-core machine the
  // wait can pass the 1 s test default, which the pool reports as a connect timeout (503).
  t = await startTestLab(SHARDS, { LAB_CONNECT_TIMEOUT_MS: '10000' });
});
afterAll(async () => t?.stop());

const create = (body: unknown) => t.call<User>('POST', '/api/v1/users', body);
const total = async () => (await t.call<ShardStats>('GET', '/api/v1/shards/stats')).body.total_users;

const onShard = <T extends pg.QueryResultRow>(shard: number, sql: string, values: unknown[] = []) => queryServer<T>(t.shardUrls[shard]!, sql, values);

// The hot statements (create, get by id) run through either data layer; both must pass the same tests.
describe.each(['pg', 'prisma'] as const)('%s data layer', (layer) => {
  beforeAll(async () => {
    expect((await t.call('PUT', '/lab/v1/settings', { data_layer: layer })).status).toBe(200);
  });
  afterAll(async () => {
    await t.call('PUT', '/lab/v1/settings', { data_layer: 'pg' });
  });

  describe('create and read', () => {
    it('creates a user on the shard the MD5 ring names, readable by id', async () => {
      const res = await create({ first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' });
      expect(res.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(res.headers.get('location')).toBe(`/api/v1/users/${res.body.id}`);
      const shard = ring.route(res.body.id).shard_id;
      expect(res.headers.get('x-lab-shard')).toBe(`shard-${shard}`);
      const rows = await onShard<{ id: string; ring_hash: string }>(shard, 'SELECT id, ring_hash::text FROM users WHERE id = $1', [res.body.id]);
      expect(rows).toHaveLength(1);
      expect(Number(rows[0]!.ring_hash)).toBe(ring.route(res.body.id).hash);
      const got = await t.call<User>('GET', `/api/v1/users/${res.body.id}`);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);
    });

    it('finds the same user by its upper-case id', async () => {
      const { body } = await create({ first_name: 'Grace', last_name: 'Hopper' });
      const upper = await t.call<User>('GET', `/api/v1/users/${body.id.toUpperCase()}`);
      expect(upper.status).toBe(200);
      expect(upper.body.id).toBe(body.id);
    });

    it('stores 300 users each on its ring shard, readable by id, and the stats add up', async () => {
      const before = await t.call<ShardStats>('GET', '/api/v1/shards/stats');
      const created = await Promise.all(Array.from({ length: 300 }, (_, i) => create({ first_name: `First${i}`, last_name: `Last${i}` })));
      expect(created.every((r) => r.status === 201)).toBe(true);
      const perShard = new Array<number>(SHARDS).fill(0);
      for (const { body } of created) perShard[ring.route(body.id).shard_id]!++;
      const reads = await Promise.all(created.map(({ body }) => t.call<User>('GET', `/api/v1/users/${body.id}`)));
      expect(reads.every((r, i) => r.status === 200 && r.body.id === created[i]!.body.id)).toBe(true);
      const after = await t.call<ShardStats>('GET', '/api/v1/shards/stats');
      expect(after.body.total_users - before.body.total_users).toBe(300);
      expect(after.body.shard_count).toBe(SHARDS);
      expect(after.body.shards.map((s) => s.shard_name)).toEqual(names);
      after.body.shards.forEach((s, i) => {
        expect(s.healthy).toBe(true);
        expect(s.user_count! - before.body.shards[i]!.user_count!).toBe(perShard[i]);
      });
      for (let i = 0; i < SHARDS; i++) {
        const [row] = await onShard<{ n: string }>(i, 'SELECT count(*)::text AS n FROM users');
        expect(Number(row!.n)).toBe(after.body.shards[i]!.user_count);
      }
    });
  });

  describe('validation: 400 in the error shape, nothing written', () => {
    const cases: [string, unknown, string][] = [
      ['missing first_name', { last_name: 'X' }, 'first_name'],
      ['missing last_name', { first_name: 'X' }, 'last_name'],
      ['empty first_name', { first_name: '', last_name: 'X' }, 'first_name'],
      ['blank last_name', { first_name: 'X', last_name: '   ' }, 'last_name'],
      ['over-long first_name', { first_name: 'a'.repeat(101), last_name: 'X' }, 'first_name'],
      ['number as name', { first_name: 42, last_name: 'X' }, 'first_name'],
      ['bad email', { first_name: 'X', last_name: 'Y', email: 'nope' }, 'email'],
      ["the original docs' {name, email}", { name: 'Ada', email: 'a@example.com' }, 'first_name'],
    ];
    it.each(cases)('%s', async (_label, body, field) => {
      const before = await total();
      const res = await create(body);
      expect(res.status).toBe(400);
      const err = (res.body as unknown as ErrorReply).error;
      expect(err.code).toBe('validation_failed');
      expect(err.message).toContain(field);
      expect((err.details.fields as { field: string }[]).map((f) => f.field)).toContain(field);
      expect(await total()).toBe(before);
    });

    it('rejects malformed JSON, a non-object body and a non-JSON content type', async () => {
      const bad = await t.call<ErrorReply>('POST', '/api/v1/users', '{"first_name": "A",');
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('invalid_json');
      const arr = await t.call<ErrorReply>('POST', '/api/v1/users', '[1,2]');
      expect(arr.status).toBe(400);
      expect(arr.body.error.code).toBe('validation_failed');
      const text = await t.call<ErrorReply>('POST', '/api/v1/users', 'first_name=A', { 'content-type': 'text/plain' });
      expect(text.status).toBe(415);
      expect(text.body.error).toMatchObject({ code: 'unsupported_media_type', details: {} });
    });

    it('answers 400 for an id that is not a UUID and 404 for one that does not exist', async () => {
      const bad = await t.call<ErrorReply>('GET', '/api/v1/users/not-a-uuid');
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('invalid_id');
      const missing = await t.call<ErrorReply>('GET', '/api/v1/users/00000000-0000-0000-0000-000000000001');
      expect(missing.status).toBe(404);
      expect(missing.body.error).toMatchObject({ code: 'not_found', details: { shard: expect.stringMatching(/^shard-\d$/) } });
    });

    it('answers unknown routes with the JSON error shape', async () => {
      const res = await t.call<ErrorReply>('GET', '/api/v1/nope');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('route_not_found');
    });
  });

  describe('update and delete', () => {
    it('updates only the given fields and returns a fresh updated_at', async () => {
      const { body: u } = await create({ first_name: 'Alan', last_name: 'Turing', email: 'alan@example.com' });
      await new Promise((r) => setTimeout(r, 5));
      const res = await t.call<User>('PUT', `/api/v1/users/${u.id.toUpperCase()}`, { last_name: 'Mathison' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: u.id, first_name: 'Alan', last_name: 'Mathison', email: 'alan@example.com', created_at: u.created_at });
      expect(Date.parse(res.body.updated_at)).toBeGreaterThan(Date.parse(u.updated_at));
      const cleared = await t.call<User>('PUT', `/api/v1/users/${u.id}`, { email: null });
      expect(cleared.body.email).toBeNull();
      expect((await t.call<User>('GET', `/api/v1/users/${u.id}`)).body).toEqual(cleared.body);
    });

    it('rejects an empty or invalid update and unknown ids', async () => {
      const { body: u } = await create({ first_name: 'Edsger', last_name: 'Dijkstra' });
      expect((await t.call('PUT', `/api/v1/users/${u.id}`, {})).status).toBe(400);
      expect((await t.call('PUT', `/api/v1/users/${u.id}`, { first_name: '' })).status).toBe(400);
      expect((await t.call('PUT', '/api/v1/users/zzz', { first_name: 'A' })).status).toBe(400);
      expect((await t.call('PUT', '/api/v1/users/00000000-0000-0000-0000-000000000001', { first_name: 'A' })).status).toBe(404);
      expect((await t.call<User>('GET', `/api/v1/users/${u.id}`)).body.first_name).toBe('Edsger');
    });

    it('deletes: 204, then 404', async () => {
      const { body: u } = await create({ first_name: 'Barbara', last_name: 'Liskov' });
      expect((await t.call('DELETE', `/api/v1/users/${u.id}`)).status).toBe(204);
      expect((await t.call('GET', `/api/v1/users/${u.id}`)).status).toBe(404);
      expect((await t.call('DELETE', `/api/v1/users/${u.id}`)).status).toBe(404);
      expect((await t.call('DELETE', '/api/v1/users/nope')).status).toBe(400);
    });
  });
});

describe('listing across shards', () => {
  async function pageAll(limit: number): Promise<User[]> {
    const seen: User[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10_000; pages++) {
      const q: string = `/api/v1/users?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.call<UserPage>('GET', q);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(limit);
      seen.push(...res.body.data);
      cursor = res.body.next_cursor;
      if (!cursor) return seen;
    }
    throw new Error('pagination did not end');
  }

  const order = (a: User, b: User) => (a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : Date.parse(a.created_at) < Date.parse(b.created_at) ? 1 : -1);

  it('yields every user exactly once, newest first, even when created_at ties across shards', async () => {
    // 40 users sharing one timestamp, spread over every shard: only the id tiebreak orders them.
    const tied = '2020-01-01 00:00:00.123456+00';
    const ids = Array.from({ length: 40 }, () => crypto.randomUUID());
    for (const id of ids) {
      await onShard(ring.route(id).shard_id, 'INSERT INTO users (id, first_name, last_name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)', [
        id,
        'Tie',
        'Breaker',
        tied,
      ]);
    }
    expect(new Set(ids.map((id) => ring.route(id).shard_id)).size).toBe(SHARDS);
    const expected = await total();
    for (const limit of [1, 7, 100]) {
      const all = await pageAll(limit);
      expect(all).toHaveLength(expected);
      expect(new Set(all.map((u) => u.id)).size).toBe(expected);
      expect([...all].sort(order).map((u) => u.id)).toEqual(all.map((u) => u.id));
    }
    const tiedRows = (await pageAll(100)).filter((u) => u.created_at === '2020-01-01T00:00:00.123456Z');
    expect(tiedRows.map((u) => u.id)).toEqual([...ids].sort().reverse());
  });

  it('rejects bad limits and cursors', async () => {
    for (const q of ['limit=0', 'limit=101', 'limit=abc', 'limit=2.5', 'cursor=garbage', 'partial=maybe']) {
      const res = await t.call<ErrorReply>('GET', `/api/v1/users?${q}`);
      expect(res.status, q).toBe(400);
    }
  });
});

describe('lab endpoints', () => {
  it('explains a routing decision', async () => {
    const res = await t.call<Record<string, unknown>>('GET', '/lab/v1/route?key=123E4567-E89B-12D3-A456-426614174000');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(ring.route('123E4567-E89B-12D3-A456-426614174000'));
    expect(res.body.normalized_key).toBe('123e4567-e89b-12d3-a456-426614174000');
    expect(res.body.hash).toBe(0x3b32b2dc);
    expect((await t.call('GET', '/lab/v1/route?key=user123')).status).toBe(400);
    expect((await t.call('GET', '/lab/v1/route')).status).toBe(400);
  });

  it('reads and changes settings, rejecting unknown keys and values', async () => {
    expect((await t.call('GET', '/lab/v1/settings')).body).toMatchObject({ data_layer: 'pg', read_policy: 'primary', prepared_statements: true });
    const put = await t.call('PUT', '/lab/v1/settings', { read_policy: 'read-your-writes' });
    expect(put.body).toMatchObject({ data_layer: 'pg', read_policy: 'read-your-writes' });
    for (const body of [{}, { read_policy: 'sometimes' }, { colour: 'blue' }]) {
      expect((await t.call('PUT', '/lab/v1/settings', body)).status, JSON.stringify(body)).toBe(400);
    }
    await t.call('PUT', '/lab/v1/settings', { read_policy: 'primary' });
  });

  it('shows the topology with pasteable URLs', async () => {
    const res = await t.call<{ shards: { id: number; name: string; url: string; role: string; status: string }[]; ring: Record<string, unknown> }>(
      'GET',
      '/lab/v1/topology',
    );
    expect(res.status).toBe(200);
    expect(res.body.shards.map((s) => [s.id, s.name, s.url, s.role, s.status])).toEqual(t.shardUrls.map((url, i) => [i, `shard-${i}`, url, 'primary', 'up']));
    expect(res.body.ring).toMatchObject({ strategy: 'md5-ring', vnodes: 150, version: 1 });
  });
});

describe('a shard that is down', () => {
  it('gives 503 naming the shard for its keys and listings, while other shards keep serving; recovers', async () => {
    const users = await Promise.all(Array.from({ length: 30 }, (_, i) => create({ first_name: `Down${i}`, last_name: 'Test' })));
    const victim = 1;
    const onVictim = users.find((u) => ring.route(u.body.id).shard_id === victim)!.body;
    const elsewhere = users.find((u) => ring.route(u.body.id).shard_id !== victim)!.body;
    await t.shards[victim]!.stop();
    try {
      const get = await t.call<ErrorReply>('GET', `/api/v1/users/${onVictim.id}`);
      expect(get.status).toBe(503);
      expect(get.body.error).toMatchObject({ code: 'shard_unavailable', details: { shards: ['shard-1'] } });
      expect((await t.call('GET', `/api/v1/users/${elsewhere.id}`)).status).toBe(200);

      const list = await t.call<ErrorReply>('GET', '/api/v1/users?limit=5');
      expect(list.status).toBe(503);
      expect(list.body.error.message).toContain('shard-1');
      const partial = await t.call<UserPage>('GET', '/api/v1/users?limit=5&partial=true');
      expect(partial.status).toBe(200);
      expect(partial.body.missing_shards).toEqual(['shard-1']);
      expect(partial.body.data.every((u) => ring.route(u.id).shard_id !== victim)).toBe(true);

      const stats = await t.call<ShardStats>('GET', '/api/v1/shards/stats');
      expect(stats.body.shards[victim]).toMatchObject({ healthy: false, user_count: null });
      const health = await t.call<{ status: string; shards: { name: string; healthy: boolean }[] }>('GET', '/health');
      expect(health.status).toBe(503);
      expect(health.body.status).toBe('degraded');
      expect(health.body.shards.filter((s) => !s.healthy).map((s) => s.name)).toEqual(['shard-1']);
    } finally {
      await t.shards[victim]!.start();
    }
    expect((await t.call('GET', `/api/v1/users/${onVictim.id}`)).status).toBe(200);
    expect((await t.call('GET', '/health')).status).toBe(200);
  });
});
