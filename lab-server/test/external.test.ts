import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive as alive, type EmbeddedServer } from '../src/cluster/embedded-server.js';
import { buildReplica } from '../src/cluster/replica.js';
import { loadConfig } from '../src/config.js';
import { findPgBouncer, PgBouncer } from '../src/pooling/pgbouncer.js';
import { startLab, type RunningLab } from '../src/server/start.js';
import type { ErrorReply } from './support/lab.js';
import { freePort, startTestServers, type TestServers } from './support/servers.js';

// External mode made complete: the lab on servers it does not run, named by LAB_SHARDS with, beside a primary, its
// streaming replica and a PgBouncer in front of it. This test starts them itself, as "someone else's" servers — two
// primaries and a catalog, a real streaming replica of the first, a real PgBouncer before the second — and stops
// each by its pid. The lab reads from the given replica under the read policy, sends the API's queries through the
// given PgBouncer and reads its pools, and every action that needs its own processes answers 409 saying why not
// and what to do instead.

const binary = findPgBouncer();
if (!binary) console.warn('external.test.ts: the given-PgBouncer part skipped: no pgbouncer binary (apt-get install -y pgbouncer; .ci/run does).');

let servers: TestServers;
let replica: EmbeddedServer;
let bouncer: PgBouncer | null = null;
let lab: RunningLab;

async function call<T = unknown>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${lab.url}${url}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

beforeAll(async () => {
  servers = await startTestServers(3);
  const [primary0, primary1] = servers.servers;
  replica = await buildReplica(primary0!, path.join(servers.dir, 'shard-0-replica'), await freePort(), 'shard-0-replica');
  let shard1 = servers.urls[1]!;
  if (binary) {
    const u = new URL(servers.urls[1]!);
    bouncer = new PgBouncer(binary, {
      name: 'given-pgbouncer',
      dir: path.join(servers.dir, 'pgbouncer'),
      server: { host: u.hostname, port: primary1!.spec.port, database: u.pathname.slice(1), user: u.username, password: u.password },
      mode: 'session',
      poolSize: 10,
      maxClientConn: 200,
      statementTimeoutMs: 0,
    });
    await bouncer.start();
    shard1 = `${shard1}|pgbouncer=${bouncer.url()}`;
  }
  lab = await startLab(
    loadConfig({
      PORT: '0',
      LAB_HEALTH_INTERVAL_MS: '200',
      LAB_CONNECT_TIMEOUT_MS: '5000',
      LAB_SHARDS: `${servers.urls[0]}|replica=${replica.url},${shard1}`,
      LAB_CATALOG_URL: servers.urls[2]!,
    }),
    () => undefined,
  );
});

afterAll(async () => {
  await lab?.stop();
  await bouncer?.stop();
  await replica?.stop();
  await servers?.stop();
});

describe('external mode: replicas and PgBouncers given by URL', () => {
  it('reads from the given replica under the read policy, with its lag on the topology', async () => {
    const topo = await call<{
      mode: string;
      shards: { name: string; pid: number | null; replicas: { name: string; status: string; lag_bytes: number | null }[] }[];
    }>('GET', '/lab/v1/topology');
    expect(topo.body.shards.map((s) => [s.name, s.pid, s.replicas.map((r) => [r.name, r.status])])).toEqual([
      ['shard-0', null, [['shard-0-replica', 'up']]],
      ['shard-1', null, []],
    ]);
    expect((await call('PUT', '/lab/v1/settings', { read_policy: 'replica' })).status).toBe(200);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await call<{ id: string }>('POST', '/api/v1/users', { first_name: 'Given', last_name: `Replica ${i}` })).body.id);
    // Read each until the replica has replayed it (it follows closely): then it answers from the replica.
    for (const id of ids) await expect.poll(async () => (await call('GET', `/api/v1/users/${id}`)).status, { timeout: 20_000 }).toBe(200);
    const reads = (await call<{ replica_reads: number; replicas: { replica: string; status: string; lag_bytes: number | null }[] }>('GET', '/lab/v1/reads'))
      .body;
    expect(reads.replica_reads).toBeGreaterThan(0);
    expect(reads.replicas).toEqual([expect.objectContaining({ replica: 'shard-0-replica', status: 'up', lag_bytes: expect.any(Number) })]);
    expect((await call('PUT', '/lab/v1/settings', { read_policy: 'primary' })).status).toBe(200);
  });

  it.skipIf(!binary)('sends the API through the given PgBouncer and shows its pools; starts, stops and reconfigures none', async () => {
    const status = async () =>
      (await call<{ given: boolean; mode: string; bouncers: { shard: string; port: number; pid: number | null; queries: number }[] }>('GET', '/lab/v1/pooling'))
        .body;
    const before = await status();
    expect(before).toMatchObject({ given: true, mode: 'session', bouncers: [{ shard: 'shard-1', port: bouncer!.port, pid: null }] });
    for (let i = 0; i < 10; i++) expect((await call('POST', '/api/v1/users', { first_name: 'Through', last_name: `Bouncer ${i}` })).status).toBe(201);
    const after = await status();
    expect(after.bouncers[0]!.queries).toBeGreaterThan(before.bouncers[0]!.queries);
    const refused = await call<ErrorReply>('PUT', '/lab/v1/pooling', { mode: 'transaction', pool_size: 5 });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/are yours \(LAB_SHARDS …\|pgbouncer=URL\).*pgbouncer\.ini and RELOAD them/);
    // "Off" (what a chapter's reset asks) has nothing of the lab's to stop: the given PgBouncer stays in place.
    expect((await call('PUT', '/lab/v1/pooling', { mode: 'off' })).status).toBe(200);
    expect((await status()).bouncers).toHaveLength(1);
    const demo = await call<ErrorReply>('POST', '/lab/v1/pooling/demo');
    expect(demo.status).toBe(409);
    expect(demo.body.error.message).toMatch(/PgBouncers the lab runs; yours .* have none/);
    expect(alive(bouncer!.pid!)).toBe(true);
  });

  it('answers 409 to every action that needs the lab’s own servers, saying why not and what to do instead', async () => {
    const cases: [string, string, unknown, RegExp][] = [
      [
        'POST',
        '/lab/v1/shards/shard-1/replicas',
        undefined,
        /^A replica needs the lab to run the shard servers itself; in external mode it does not\. .*pg_basebackup, then `\|replica=URL`/,
      ],
      ['DELETE', '/lab/v1/shards/shard-0/replicas', undefined, /^Removing a replica needs the lab to run the shard servers itself/],
      ['PUT', '/lab/v1/shards/shard-0/replicas/delay', { ms: 1000 }, /^Delaying a replica needs the lab to run/],
      ['POST', '/lab/v1/shards/shard-0/promote', undefined, /^Promotion needs the lab to run .*pg_promote\(\)/],
      ['POST', '/lab/v1/shards/shard-0/kill', undefined, /^Fault injection needs the lab to run .*or unset LAB_SHARDS and run `make dev`/],
      ['POST', '/lab/v1/tuning/restart', {}, /^Restarting shards needs the lab to run/],
    ];
    for (const [method, url, body, message] of cases) {
      const r = await call<ErrorReply>(method, url, body);
      expect(r.status, `${method} ${url}: ${JSON.stringify(r.body)}`).toBe(409);
      expect(r.body.error.message).toMatch(message);
    }
    const add = await call<ErrorReply>('POST', '/lab/v1/shards', {});
    expect(add.status).toBe(400);
    expect(add.body.error.message).toMatch(/Or give the url of a new PostgreSQL server/);
    // Nothing changed: the replica still serves, no server was started or stopped.
    expect(alive(replica.pid!)).toBe(true);
    expect(lab.lab.cluster.shards.map((s) => [s.name, s.replica?.status ?? null])).toEqual([
      ['shard-0', 'up'],
      ['shard-1', null],
    ]);
  });

  it("resets the scaling chapter without removing the given replica: the step that removes the lab's own is skipped", async () => {
    const r = await call<{ steps: { step: string; status: string; detail: string }[] }>('POST', '/lab/v1/chapters/database-scaling/reset');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const removal = r.body.steps.find((s) => s.step.startsWith('DELETE /lab/v1/shards/shard-0/replicas'));
    expect(removal).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/servers given to it .* yours to keep/) });
    expect(alive(replica.pid!)).toBe(true);
    expect(lab.lab.cluster.shard(0).replica?.status).toBe('up');
  });

  it.skipIf(!binary)(
    'sends a prefork worker’s API queries through the given PgBouncer too: with it stopped, shard-1’s requests fail and shard-0’s pass',
    async () => {
      const env = {
        PORT: '0',
        LAB_HEALTH_INTERVAL_MS: '200',
        LAB_CONNECT_TIMEOUT_MS: '5000',
        LAB_SHARDS: `${servers.urls[0]}|replica=${replica.url},${servers.urls[1]}|pgbouncer=${bouncer!.url()}`,
        LAB_CATALOG_URL: servers.urls[2]!,
        LAB_WORKERS: '1',
      };
      await lab.stop();
      lab = await startLab(loadConfig(env), () => undefined);
      const create = (i: number) => call<{ id: string }>('POST', '/api/v1/users', { first_name: 'Worker', last_name: `Bouncer ${i}` });
      for (let i = 0; i < 10; i++) expect((await create(i)).status).toBe(201);
      await bouncer!.stop();
      // The worker serves /api/v1 (the primary holds none of the public port): a query it sent straight to shard-1
      // would still pass.
      const after = await Promise.all(Array.from({ length: 20 }, (_, i) => create(100 + i)));
      const served = after.filter((r) => r.status === 201);
      const failed = after.filter((r) => r.status !== 201);
      expect(served.length).toBeGreaterThan(0);
      for (const r of served) expect(lab.lab.ring.router.route(r.body.id).shard_name).toBe('shard-0');
      expect(failed.length).toBeGreaterThan(0);
      for (const r of failed) expect(JSON.stringify(r.body)).toContain('shard-1');
    },
  );
});
