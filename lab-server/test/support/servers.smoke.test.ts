import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServers, type TestServers } from './servers.js';

let t: TestServers;
beforeAll(async () => {
  t = await startTestServers(2);
});
afterAll(async () => t?.stop());

it('starts real servers that answer', async () => {
  for (const url of t.urls) {
    const c = new pg.Client(url);
    await c.connect();
    const { rows } = await c.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    await c.end();
    expect(rows[0]!.v).toMatch(/^18\./);
  }
});
