import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServers, type TestServers } from '../../test/support/servers.js';
import { MOVING_SQLSTATE } from '../cluster/errors.js';
import { installGuard, leftovers, removeGuard } from './replication.js';

let t: TestServers;
let db: pg.Client;
beforeAll(async () => {
  t = await startTestServers(1);
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
