import fsp from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { freePortRange, tempDir } from '../../test/support/servers.js';
import { EmbeddedServer } from './embedded-server.js';
import { initdbTemplate } from './initdb-template.js';
import { startAll } from './servers.js';

const started: EmbeddedServer[] = [];
let dir = '';
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

it('servers copied from one template start, hold their own data, and the template is made once and reused', async () => {
  dir = await tempDir();
  await fsp.chmod(dir, 0o755);
  const templates = path.join(dir, 'templates');
  const base = await freePortRange(3);
  const servers = [0, 1, 2].map((i) => new EmbeddedServer({ name: `t${i}`, dataDir: path.join(dir, `t${i}`), port: base + i, initTemplate: templates }));
  started.push(...servers);
  await startAll(servers);

  // One template, and nothing left over from making it.
  const made = await fsp.readdir(templates);
  expect(made).toHaveLength(1);
  expect(made[0]).toMatch(/^pg-\d+\.\d+$/);

  // A table made on one server is on no other: the copies share a starting point, not their data.
  const query = async (s: EmbeddedServer, sql: string) => {
    const c = new pg.Client({ connectionString: s.url.replace(/\/messenger$/, '/postgres') });
    await c.connect();
    try {
      return (await c.query<{ n: string }>(sql)).rows;
    } finally {
      await c.end();
    }
  };
  await query(servers[0]!, 'CREATE TABLE only_here (v int)');
  const counts = await Promise.all(servers.map((s) => query(s, "SELECT count(*) AS n FROM pg_class WHERE relname = 'only_here'")));
  expect(counts.map((r) => Number(r[0]!.n))).toEqual([1, 0, 0]);

  // Each copy is a server of its own to logical replication: its system identifier is its own, not the template's.
  const ids = await Promise.all(servers.map(async (s) => (await query(s, 'SELECT system_identifier::text AS n FROM pg_control_system()'))[0]!.n));
  const template = (await fsp.readFile(path.join(templates, made[0]!, 'global', 'pg_control'))).readBigUInt64LE(0).toString();
  expect(new Set([...ids, template]).size).toBe(4);

  // The template is reused: asking again does not run initdb.
  let ran = 0;
  const again = await initdbTemplate(templates, async () => {
    ran++;
  });
  expect(again).toBe(path.join(templates, made[0]!));
  expect(ran).toBe(0);
});
