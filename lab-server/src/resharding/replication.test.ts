import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServers, type TestServers } from '../../test/support/servers.js';
import { MOVING_SQLSTATE } from '../cluster/errors.js';
import {
  copyState,
  createSyncTable,
  dropPublication,
  dropSubscription,
  dropSyncTable,
  installGuard,
  leftovers,
  publish,
  removeGuard,
  subscribe,
} from './replication.js';

let t: TestServers;
let db: pg.Client;
beforeAll(async () => {
  t = await startTestServers(2);
  db = new pg.Client(t.urls[0]);
  await db.connect();
  await db.query('CREATE TABLE items (id int PRIMARY KEY, ring_hash bigint NOT NULL, v text)');
  await db.query("INSERT INTO items VALUES (1, 100, 'a'), (2, 5000, 'b')");
});
afterAll(async () => {
  await db?.end();
  await t?.stop();
});

it('the guard refuses writes to moving ranges with its own SQLSTATE, lets others through, and leaves nothing after removal', async () => {
  await installGuard(db, ['items'], [{ start: 0, end: 999 }]);
  for (const sql of [
    "INSERT INTO items VALUES (3, 500, 'c')",
    "UPDATE items SET v = 'x' WHERE id = 1",
    'DELETE FROM items WHERE id = 1',
    'UPDATE items SET ring_hash = 10 WHERE id = 2',
  ]) {
    await expect(db.query(sql), sql).rejects.toMatchObject({ code: MOVING_SQLSTATE });
  }
  await db.query("INSERT INTO items VALUES (4, 7000, 'd')");
  await db.query("UPDATE items SET v = 'y' WHERE id = 2");
  expect((await leftovers(db)).guards).toBe(1);
  await removeGuard(db);
  expect((await leftovers(db)).guards).toBe(0);
  await db.query("UPDATE items SET v = 'z' WHERE id = 1");
  expect((await db.query('SELECT id, v FROM items ORDER BY id')).rows).toEqual([
    { id: 1, v: 'z' },
    { id: 2, v: 'y' },
    { id: 4, v: 'd' },
  ]);
});

it("reports a subscription's tables still copying, and counts the copies PostgreSQL failed and retries", async () => {
  const target = new pg.Client(t.urls[1]);
  await target.connect();
  try {
    await target.query('CREATE TABLE items (id int PRIMARY KEY, ring_hash bigint NOT NULL, v text)');
    // A row the copy will collide with: every attempt of the initial copy fails on the primary key.
    await target.query("INSERT INTO items VALUES (2, 5000, 'in the way')");
    for (const c of [db, target]) await createSyncTable(c);
    await publish(db, 'copy_state_test', ['items'], [{ start: 0, end: 2 ** 32 - 1 }]);
    await subscribe(target, 'copy_state_test', t.urls[0]!);
    let state = await copyState(target, 'copy_state_test');
    for (let i = 0; i < 200 && state.failures === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = await copyState(target, 'copy_state_test');
    }
    expect(state.failures).toBeGreaterThan(0);
    expect(state.waiting).toContainEqual(expect.stringMatching(/^items \(state [a-z]\)$/));
    // Out of the way, the retry completes the copy.
    await target.query('DELETE FROM items WHERE id = 2');
    for (let i = 0; i < 300 && state.waiting.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = await copyState(target, 'copy_state_test');
    }
    expect(state.waiting).toEqual([]);
    expect(await copyState(target, 'no_such_subscription')).toEqual({ waiting: [], failures: 0 });
  } finally {
    await dropSubscription(target, 'copy_state_test');
    await dropPublication(db, 'copy_state_test');
    for (const c of [db, target]) await dropSyncTable(c);
    await target.end();
  }
});
