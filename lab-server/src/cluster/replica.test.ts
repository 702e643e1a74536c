import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, startTestServers, type TestServers } from '../../test/support/servers.js';
import { createPool } from '../postgres/pool.js';
import { buildReplica, replicaLag } from './replica.js';
import type { EmbeddedServer } from './embedded-server.js';

let t: TestServers;
let replica: EmbeddedServer | null = null;
beforeAll(async () => {
  t = await startTestServers(1);
});
afterAll(async () => {
  await replica?.stop();
  await t?.stop();
});

const q = async <T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> => {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
};

it('builds a streaming replica with the low-level backup API, and it follows the primary', async () => {
  const primary = t.servers[0]!;
  await q(primary.url, 'CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes SELECT g, $$before$$ FROM generate_series(1, 1000) g');
  replica = await buildReplica(primary, path.join(t.dir, 'shard-0-replica'), await freePort(), 'shard-0-replica');
  expect((await q<{ r: boolean }>(replica.url, 'SELECT pg_is_in_recovery() AS r'))[0]!.r).toBe(true);
  expect((await q<{ n: string }>(replica.url, 'SELECT count(*)::text AS n FROM notes'))[0]!.n).toBe('1000');

  await q(primary.url, 'INSERT INTO notes SELECT g, $$after$$ FROM generate_series(1001, 1500) g');
  let n = '0';
  for (let i = 0; i < 100 && n !== '1500'; i++) {
    n = (await q<{ n: string }>(replica.url, 'SELECT count(*)::text AS n FROM notes'))[0]!.n;
    if (n !== '1500') await new Promise((r) => setTimeout(r, 100));
  }
  expect(n).toBe('1500');
  const pool = createPool(primary.url, { max: 1, idleTimeoutMs: 1000, connectTimeoutMs: 2000, statementTimeoutMs: 5000 });
  try {
    const lag = await replicaLag(pool, 'shard-0-replica');
    expect(lag.state).toBe('streaming');
    expect(lag.bytes).toBeGreaterThanOrEqual(0);
  } finally {
    await pool.end();
  }
  await expect(q(replica.url, 'INSERT INTO notes VALUES (0, $$x$$)')).rejects.toThrow(/read-only/);
});
