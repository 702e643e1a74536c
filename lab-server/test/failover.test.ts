import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readState } from '../src/cluster/state-file.js';
import type { RingVersion } from '../src/cluster/topology-store.js';
import type { PromotionReport } from '../src/failover/promote.js';
import type { User } from '../src/messenger/users/schemas.js';
import { runCli } from './support/cli.js';
import { queryServer, startEmbeddedTestLab, type ErrorReply, type TestLab } from './support/lab.js';
import { placement, readersOf, underLoad, waitForJob } from './support/workload.js';

let t: TestLab;
beforeAll(async () => {
  t = await startEmbeddedTestLab(2, { LAB_STATEMENT_TIMEOUT_MS: '1500' });
  const seed = await t.call<{ job_id: string }>('POST', '/lab/v1/seed', { users: 2_000 });
  expect((await waitForJob(t, seed.body.job_id)).state).toBe('succeeded');
});
afterAll(async () => t?.stop());

interface ShardView {
  name: string;
  url: string;
  pid: number | null;
  replicas: { name: string; url: string; state: string | null; lag_bytes: number | null }[];
}
const shardView = async (name: string) => (await t.call<{ shards: ShardView[] }>('GET', '/lab/v1/topology')).body.shards.find((s) => s.name === name)!;

async function addStreamingReplica(name: string): Promise<ShardView> {
  const res = await t.call<ShardView>('POST', `/lab/v1/shards/${name}/replicas`);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  for (let i = 0; i < 100; i++) {
    const view = await shardView(name);
    if (view.replicas[0]?.state === 'streaming') return view;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name}'s replica never streamed`);
}

const recordedReplicas = async () =>
  (await t.running.lab.cluster.catalog.pool.query<{ shard: string; data_dir: string }>('SELECT shard, data_dir FROM replicas')).rows;
const dataDirOf = (name: string) => t.running.lab.cluster.byName(name)!.server!.spec.dataDir;

const labCli = (args: string[]) => runCli(args, { LAB_URL: t.url });

async function createOn(shard: string): Promise<User> {
  for (;;) {
    const { status, body } = await t.call<User>('POST', '/api/v1/users', { first_name: 'Fail', last_name: 'Over' });
    expect(status).toBe(201);
    if (t.running.lab.ring.router.route(body.id).shard_name === shard) return body;
  }
}

describe('promoting a replica', () => {
  it('refuses clearly when there is nothing to promote', async () => {
    const res = await t.call<ErrorReply>('POST', '/lab/v1/shards/shard-1/promote');
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/shard-1 has no replica to promote; add one first/);
    expect((await t.call('POST', '/lab/v1/shards/shard-9/promote')).status).toBe(404);

    // A replica is copied from a running primary.
    const killed = await t.call<{ status: string }>('POST', '/lab/v1/shards/shard-1/kill');
    expect(killed.body.status).toBe('down');
    const down = await t.call<ErrorReply>('POST', '/lab/v1/shards/shard-1/replicas');
    expect(down.status).toBe(409);
    expect(down.body.error.message).toBe('shard-1 is down: a replica is copied from a running primary, so start it first.');
    expect((await t.call('POST', '/lab/v1/shards/shard-1/start')).status).toBe(200);

    // Not in the middle of a reshard: its replication streams run on the primaries.
    const job = await t.call<{ job_id: string }>('POST', '/lab/v1/shards', { pause_before: ['copy'] });
    await waitForJob(t, job.body.job_id, (j) => j.waiting === 'before copy');
    const during = await t.call<ErrorReply>('POST', '/lab/v1/shards/shard-0/promote');
    expect(during.status).toBe(409);
    expect(during.body.error.message).toMatch(/A add-shard job \(.*\) is running; promote once it has ended/);
    await t.call('POST', `/lab/v1/jobs/${job.body.job_id}/cancel`);
    expect((await waitForJob(t, job.body.job_id)).state).toBe('cancelled');
  });

  it('switches over under load: the primary hands over cleanly, no client sees an error, nothing is lost', async () => {
    const before = await addStreamingReplica('shard-0');
    const oldDir = dataDirOf('shard-0');
    // Besides the mixed load, readers that only read shard-0's users: reads are not paused by the write gate,
    // they wait for the handover.
    const readers = readersOf(
      t,
      [...(await placement(t))].filter(([, at]) => at[0]!.shard === 'shard-0').map(([id]) => id),
    );
    let report!: PromotionReport;
    const load = await underLoad(t, async () => {
      await new Promise((r) => setTimeout(r, 300));
      const res = await t.call<PromotionReport>('POST', '/lab/v1/shards/shard-0/promote');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      report = res.body;
      await new Promise((r) => setTimeout(r, 300));
    }).finally(() => readers.stop());
    const read = await readers.stop();
    expect(report.kind).toBe('switchover');
    expect(report.writes_at_risk.count).toBe(0);
    expect(report.pause_ms).toBeGreaterThanOrEqual(0);
    expect(load.errors).toEqual([]);
    expect(read.reads).toBeGreaterThan(0);
    expect(read.failures).toEqual([]);

    // The replica is the primary now, at its own address; the old primary is stopped and its directory gone.
    const after = await shardView('shard-0');
    expect(after.url).toBe(before.replicas[0]!.url);
    expect(after.replicas).toEqual([]);
    expect(await recordedReplicas()).toEqual([]);
    expect(() => process.kill(before.pid!, 0)).toThrow();
    expect(fs.existsSync(oldDir)).toBe(false);
    expect((await queryServer<{ r: boolean }>(after.url, 'SELECT pg_is_in_recovery() AS r'))[0]!.r).toBe(false);
    expect((await readState(t.running.lab.config.dataDir))!.shards.find((s) => s.name === 'shard-0')).toMatchObject({
      url: after.url,
      data_dir: `${oldDir}-replica`,
    });
    const versions = (await t.call<{ versions: RingVersion[] }>('GET', '/lab/v1/ring/versions')).body.versions;
    expect(versions.at(-1)!.shards.find((s) => s.name === 'shard-0')).toMatchObject({ url: after.url, slot: 1 });
    expect(versions.at(-1)!.reason).toMatch(/promote shard-0's replica \(switchover\)/);

    const where = await placement(t);
    for (const [id, last] of load.live) expect(where.get(id)?.[0]?.last_name, `user ${id}`).toBe(last);
    for (const id of load.deleted) expect(where.has(id)).toBe(false);
    const sample = [...load.live.keys()].slice(0, 100);
    for (const id of sample) expect((await t.call('GET', `/api/v1/users/${id}`)).status).toBe(200);
  });

  it('builds a new replica where the old primary was, and a restart brings both back in their new roles', async () => {
    const primaryDir = dataDirOf('shard-0');
    const view = await addStreamingReplica('shard-0');
    const replicaDir = t.running.lab.cluster.byName('shard-0')!.replica!.server!.spec.dataDir;
    expect(path.basename(replicaDir)).toBe('shard-0');
    expect(path.basename(primaryDir)).toBe('shard-0-replica');
    expect(await recordedReplicas()).toEqual([{ shard: 'shard-0', data_dir: replicaDir }]);
    const user = await createOn('shard-0');
    type Topo = { ring_versions: { version: number; reason: string }[]; jobs: { id: string; kind: string; state: string }[] };
    const topoBefore = (await t.call<Topo>('GET', '/lab/v1/topology')).body;
    expect(topoBefore.ring_versions.at(-1)!.reason).toMatch(/promote shard-0's replica/);
    expect(topoBefore.jobs.map((j) => j.kind)).toContain('seed');

    await t.restart();
    // Shards, replicas, ring versions and jobs come back from the catalog.
    const topoAfter = (await t.call<Topo>('GET', '/lab/v1/topology')).body;
    expect(topoAfter.ring_versions).toEqual(topoBefore.ring_versions);
    expect(topoAfter.jobs.map((j) => [j.id, j.state])).toEqual(topoBefore.jobs.map((j) => [j.id, j.state]));
    const back = await shardView('shard-0');
    expect(back.url).toBe(view.url);
    expect(back.replicas.map((r) => r.url)).toEqual(view.replicas.map((r) => r.url));
    expect(dataDirOf('shard-0')).toBe(primaryDir);
    expect((await t.call<User>('GET', `/api/v1/users/${user.id}`)).body.last_name).toBe('Over');
  });

  it('fails over when the primary died: what the replica never received is lost, and the report names it', async () => {
    const shard = t.running.lab.cluster.byName('shard-0')!;
    const replicaUrl = shard.replica!.url;
    const kept = await createOn('shard-0');
    for (let i = 0; i < 100 && (await shardView('shard-0')).replicas[0]?.lag_bytes !== 0; i++) await new Promise((r) => setTimeout(r, 50));
    // Cut the replica off from its primary: from here on it receives nothing.
    await queryServer(replicaUrl, "ALTER SYSTEM SET primary_conninfo = ''");
    await queryServer(replicaUrl, 'SELECT pg_reload_conf()');
    for (let i = 0; i < 100 && (await shardView('shard-0')).replicas[0]?.state === 'streaming'; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await shardView('shard-0')).replicas[0]?.state).not.toBe('streaming');
    const lost = await createOn('shard-0');

    expect((await t.call('POST', '/lab/v1/shards/shard-0/kill')).status).toBe(200);
    expect((await t.call('GET', `/api/v1/users/${lost.id}`)).status).toBe(503);

    // Through the CLI, as a learner would: it says what kind of promotion it was and what was lost.
    const cli = await labCli(['shards', 'promote', 'shard-0']);
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toMatch(/shard-0: failover — the primary moved from port \d+ to port \d+/);
    expect(cli.out).toMatch(/1 acknowledged user writes were past that point and are lost/);
    expect(cli.out).toContain(lost.id);
    expect(cli.out).not.toContain(kept.id);

    expect((await t.call('GET', `/api/v1/users/${lost.id}`)).status).toBe(404);
    expect((await t.call('GET', `/api/v1/users/${kept.id}`)).status).toBe(200);
    expect((await t.call('POST', '/api/v1/users', { first_name: 'After', last_name: 'Failover' })).status).toBe(201);
    expect((await shardView('shard-0')).url).toBe(replicaUrl);
  });
});
