import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { User } from '../src/messenger/users/schemas.js';
import { installGuard, removeGuard } from '../src/resharding/replication.js';
import { queryServer, startTestLab, testRing, type ErrorReply, type Reply, type TestLab } from './support/lab.js';

let t: TestLab;
beforeAll(async () => {
  // Short enough that a busy pool answers quickly, long enough that a loaded CI machine still connects in time.
  t = await startTestLab(1, { LAB_POOL_MAX: '1', LAB_CONNECT_TIMEOUT_MS: '2000' });
});
afterAll(async () => t?.stop());

/**
 * The outbox processor polls the shard through the same one-connection pool, so any request may meet its poll
 * and answer 503 shard_busy (which is what this file tests); on a loaded machine a connection may also miss the
 * timeout, and the shard is briefly down until the monitor's next check. Around the test proper, such a request
 * is sent again.
 */
const transient = (r: Reply<unknown>): boolean => r.status === 503 && ['shard_busy', 'shard_unavailable'].includes((r.body as ErrorReply).error.code);

async function pastThePoller<T>(send: () => Promise<Reply<T>>): Promise<Reply<T>> {
  for (;;) {
    const r = await send();
    if (!transient(r)) return r;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function createUser(name: string): Promise<User> {
  const r = await pastThePoller(() => t.call<User>('POST', '/api/v1/users', { first_name: name, last_name: name }));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

it('a shard whose pool is exhausted answers 503 shard_busy and is not marked down', async () => {
  const a = await createUser('A');
  const b = await createUser('B');
  expect(testRing(1).route(b.id).shard_name).toBe('shard-0');
  // Hold a row lock so an update of A keeps the pool's only connection busy.
  const locker = new pg.Client(t.shardUrls[0]);
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [a.id]);
  try {
    // The update holds the pool's only connection once it waits for the lock; one that met the poller is sent again.
    const waiting = async () =>
      (await queryServer<{ n: number }>(t.shardUrls[0]!, "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'"))[0]!.n > 0;
    const holdPool = async (): Promise<{ put: Promise<Reply<User>> }> => {
      for (;;) {
        const put = t.call<User>('PUT', `/api/v1/users/${a.id}`, { last_name: 'Z' });
        let answered: Reply<User> | null = null;
        void put.then((r) => (answered = r));
        while (!answered && !(await waiting())) await new Promise((r) => setTimeout(r, 20));
        if (!answered) return { put };
        expect(transient(answered), JSON.stringify((answered as Reply<User>).body)).toBe(true);
      }
    };
    const blocked = (await holdPool()).put;
    const busy = await t.call<ErrorReply>('GET', `/api/v1/users/${b.id}`);
    expect(busy.status).toBe(503);
    expect(busy.body.error).toMatchObject({ code: 'shard_busy', details: { shards: ['shard-0'] } });
    // A delete runs in Prisma's interactive transaction, which gives up on the busy pool with an error of its own: the same 503.
    const busyDelete = await t.call<ErrorReply>('DELETE', `/api/v1/users/${b.id}`);
    expect(busyDelete.status, JSON.stringify(busyDelete.body)).toBe(503);
    expect(busyDelete.body.error).toMatchObject({ code: 'shard_busy', details: { shards: ['shard-0'] } });
    const topo = await t.call<{ shards: { status: string }[] }>('GET', '/lab/v1/topology');
    expect(topo.body.shards[0]!.status).toBe('up');
    await locker.query('ROLLBACK');
    expect((await blocked).status).toBe(200);
  } finally {
    await locker.end();
  }
  expect((await pastThePoller(() => t.call('GET', `/api/v1/users/${b.id}`))).status).toBe(200);
});

it('a write refused by a reshard guard answers 503 shard_moving on either data layer and leaves the shard up', async () => {
  const u = await createUser('M');
  const db = new pg.Client(t.shardUrls[0]);
  await db.connect();
  await installGuard(db, ['users'], [{ start: 0, end: 2 ** 32 - 1 }]);
  try {
    const create = await pastThePoller(() => t.call<ErrorReply>('POST', '/api/v1/users', { first_name: 'N', last_name: 'N' }));
    expect(create.status).toBe(503);
    expect(create.body.error).toMatchObject({ code: 'shard_moving', details: { shards: ['shard-0'] } });
    const update = await pastThePoller(() => t.call<ErrorReply>('PUT', `/api/v1/users/${u.id}`, { last_name: 'Z' }));
    expect(update.status).toBe(503);
    expect(update.body.error.code).toBe('shard_moving');
    expect((await t.call<{ shards: { status: string }[] }>('GET', '/lab/v1/topology')).body.shards[0]!.status).toBe('up');
  } finally {
    await removeGuard(db);
    await db.end();
  }
  expect((await pastThePoller(() => t.call('PUT', `/api/v1/users/${u.id}`, { last_name: 'Z' }))).status).toBe(200);
});
