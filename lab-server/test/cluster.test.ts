import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Cluster } from '../src/cluster/cluster.js';
import { ShardRemovedError } from '../src/cluster/errors.js';
import { isAlive } from '../src/cluster/embedded-server.js';
import { readState, type ClusterState } from '../src/cluster/state-file.js';
import { loadConfig, REPO_ROOT } from '../src/config.js';
import { freePortRange, tempDir } from './support/servers.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => fsp.rm(d, { recursive: true, force: true })));
});

async function embeddedConfig(shards: number, extra: Record<string, string> = {}) {
  const dir = await tempDir();
  await fsp.chmod(dir, 0o755);
  dirs.push(dir);
  // base - 1 is the catalog's port
  const base = (await freePortRange(shards + 1)) + 1;
  const env = {
    LAB_DATA_DIR: path.join(dir, 'data'),
    LAB_SHARD_COUNT: String(shards),
    LAB_SHARD_BASE_PORT: String(base),
    LAB_HEALTH_INTERVAL_MS: '200',
    ...extra,
  };
  return { env, config: loadConfig(env), base, dir };
}

const serverPids = (state: ClusterState): number[] => [...state.shards, ...(state.catalog ? [state.catalog] : [])].map((s) => s.pid!);

const waitFor = async (cond: () => boolean | Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('embedded cluster', () => {
  it('starts N servers, keeps data across a restart, and leaves no server after close', async () => {
    const { config, base } = await embeddedConfig(2);
    const first = await Cluster.open(config, () => undefined);
    expect(first.mode).toBe('embedded');
    expect(first.info().map((s) => [s.name, s.status, s.url])).toEqual([
      ['shard-0', 'up', `postgres://postgres:postgres@127.0.0.1:${base}/messenger`],
      ['shard-1', 'up', `postgres://postgres:postgres@127.0.0.1:${base + 1}/messenger`],
    ]);
    await first.shard(1).pool.query('CREATE TABLE kept (v text); INSERT INTO kept VALUES ($$survives$$)');
    await first.catalog.pool.query(`INSERT INTO lab_meta (key, value) VALUES ('test', '"catalog survives"')`);
    const state = (await readState(config.dataDir))!;
    expect(state.owner_pid).toBe(process.pid);
    const pids = [...first.info().map((s) => s.pid!), state.catalog!.pid!];
    expect(pids.every(isAlive)).toBe(true);
    await first.close();
    expect(pids.every((pid) => !isAlive(pid))).toBe(true);
    expect(await readState(config.dataDir)).toBeNull();

    const second = await Cluster.open(config, () => undefined);
    try {
      const { rows } = await second.shard(1).pool.query<{ v: string }>('SELECT v FROM kept');
      expect(rows).toEqual([{ v: 'survives' }]);
      const meta = await second.catalog.pool.query<{ value: string }>(`SELECT value FROM lab_meta WHERE key = 'test'`);
      expect(meta.rows).toEqual([{ value: 'catalog survives' }]);
    } finally {
      await second.close();
    }
  });

  it('says clearly when a port is in use, and leaves nothing running', async () => {
    const { config, base } = await embeddedConfig(2);
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(base + 1, '127.0.0.1', r));
    try {
      await expect(Cluster.open(config, () => undefined)).rejects.toThrow(new RegExp(`shard-1: port ${base + 1} is already in use.*LAB_SHARD_BASE_PORT`));
      expect(await readState(config.dataDir)).toBeNull();
      const pid = await fsp.readFile(path.join(config.dataDir, 'shard-0', 'postmaster.pid'), 'utf8').catch(() => null);
      expect(pid).toBeNull();
    } finally {
      blocker.close();
    }
  });

  it('says clearly when the data directory is in use by another server', async () => {
    const { config, env } = await embeddedConfig(1);
    const owner = await Cluster.open(config, () => undefined);
    try {
      const other = loadConfig({ ...env, LAB_SHARD_BASE_PORT: String((await freePortRange(2)) + 1) });
      await expect(Cluster.open(other, () => undefined)).rejects.toThrow(/data directory .* is in use by another PostgreSQL \(pid \d+\)/);
    } finally {
      await owner.close();
    }
  });

  it('starts a replica per shard with LAB_REPLICAS=1 and brings it back after a restart', async () => {
    const { config } = await embeddedConfig(1, { LAB_REPLICAS: '1', LAB_REPLICA_BASE_PORT: String(await freePortRange(1)) });
    const first = await Cluster.open(config, () => undefined);
    const replica = first.shard(0).replica!;
    expect(replica.name).toBe('shard-0-replica');
    const pid = replica.server!.pid!;
    const { rows } = await replica.pool.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
    expect(rows[0]!.r).toBe(true);
    expect((await readState(config.dataDir))!.replicas.map((r) => r.pid)).toEqual([pid]);
    expect((await first.catalog.pool.query('SELECT shard, name FROM replicas')).rows).toEqual([{ shard: 'shard-0', name: 'shard-0-replica' }]);
    await first.close();
    expect(isAlive(pid)).toBe(false);
    const second = await Cluster.open(config, () => undefined);
    try {
      expect(second.shard(0).replica?.server?.pid).toBeGreaterThan(0);
      expect(second.info()[0]!.replicas[0]!.name).toBe('shard-0-replica');
    } finally {
      await second.close();
    }
  });

  it('detects and reports a server that dies', async () => {
    const { config } = await embeddedConfig(2);
    const logs: string[] = [];
    const cluster = await Cluster.open(config, (m) => logs.push(m));
    try {
      const pid = cluster.info()[0]!.pid!;
      process.kill(pid, 'SIGKILL');
      await waitFor(() => cluster.info()[0]!.status === 'down');
      expect(cluster.info()[1]!.status).toBe('up');
      expect(logs.join('\n')).toMatch(/shard-0: PostgreSQL exited unexpectedly \(killed by SIGKILL\)/);
    } finally {
      await cluster.close();
    }
  });

  it('a request still using a shard when it is removed fails as "removed", not as a bug or an outage', async () => {
    const { config } = await embeddedConfig(2);
    const cluster = await Cluster.open(config, () => undefined);
    const locker = new pg.Client(cluster.shard(1).url);
    // The removal stops the server, which can end this session before the test does.
    locker.on('error', () => undefined);
    try {
      await cluster.shard(1).pool.query('CREATE TABLE held (v int)');
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE held IN ACCESS EXCLUSIVE MODE');
      // Two statements, as a fan-out audit runs them: the second finds the pool ended by the removal.
      const request = cluster.pools.onShard(1, async (pool) => {
        await pool.query('SELECT count(*) FROM held');
        return pool.query('SELECT 1');
      });
      const outcome = request.then(
        () => null,
        (err: unknown) => err,
      );
      await waitFor(async () => (await locker.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'")).rowCount! > 0);
      const removal = cluster.servers.remove(1, { deleteData: false });
      await locker.query('ROLLBACK');
      await locker.end();
      const err = await outcome;
      expect(err).toBeInstanceOf(ShardRemovedError);
      expect((err as ShardRemovedError).shardName).toBe('shard-1');
      await removal;
      expect(cluster.info().map((s) => [s.name, s.status])).toEqual([['shard-0', 'up']]);
    } finally {
      await locker.end().catch(() => undefined);
      await cluster.close();
    }
  });
});

describe('the lab process', () => {
  const start = (env: Record<string, string>) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'lab-server/src/main.ts')], {
      env: { ...process.env, ...env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    return { child, output: () => out };
  };

  it('prints its URL, stops every server on SIGINT, and cleans up after a lab that was killed', async () => {
    const { env, config } = await embeddedConfig(2);
    const a = start(env);
    await waitFor(() => /ready at http:\/\/127\.0\.0\.1:\d+/.test(a.output()), 60_000);
    const url = /ready at (http:\/\/\S+)/.exec(a.output())![1]!;
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const pids = serverPids((await readState(config.dataDir))!);
    expect(pids.every(isAlive)).toBe(true);
    const exited = new Promise<number | null>((r) => a.child.once('exit', (code) => r(code)));
    a.child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(pids.every((pid) => !isAlive(pid))).toBe(true);

    // A lab killed with SIGKILL cannot clean up; the next start stops what it left, by pid.
    const b = start(env);
    await waitFor(() => /ready at/.test(b.output()), 60_000);
    const orphaned = serverPids((await readState(config.dataDir))!);
    b.child.kill('SIGKILL');
    await waitFor(() => !isAlive(b.child.pid!));
    expect(orphaned.every(isAlive)).toBe(true);
    const c = start(env);
    await waitFor(() => /ready at/.test(c.output()), 60_000);
    expect(c.output()).toMatch(/stopping PostgreSQL pid \d+ left running by an earlier lab/);
    expect(orphaned.every((pid) => !isAlive(pid))).toBe(true);
    const cPids = serverPids((await readState(config.dataDir))!);
    const cExit = new Promise((r) => c.child.once('exit', r));
    c.child.kill('SIGTERM');
    await cExit;
    expect(cPids.every((pid) => !isAlive(pid))).toBe(true);
  });
});
