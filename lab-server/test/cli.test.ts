import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isAlive } from '../src/cluster/embedded-server.js';
import { readState } from '../src/cluster/state-file.js';
import { REPO_ROOT } from '../src/config.js';
import { runCli } from './support/cli.js';
import { freePort, freePortRange, tempDir } from './support/servers.js';

let env: Record<string, string>;
let dir: string;

const lab = (args: string[], input?: string) => runCli(args, env, input);

beforeAll(async () => {
  dir = await tempDir();
  await fsp.chmod(dir, 0o755);
  await fsp.cp(path.join(REPO_ROOT, 'migrations'), path.join(dir, 'migrations'), { recursive: true });
  const port = await freePort();
  env = {
    LAB_DATA_DIR: path.join(dir, 'data'),
    LAB_SHARD_COUNT: '2',
    LAB_SHARD_BASE_PORT: String((await freePortRange(3)) + 1),
    LAB_REPLICAS: '1',
    LAB_REPLICA_BASE_PORT: String(await freePortRange(2)),
    LAB_MIGRATIONS_DIR: path.join(dir, 'migrations'),
    PORT: String(port),
    LAB_URL: `http://127.0.0.1:${port}`,
  };
});

afterAll(async () => {
  await lab(['cluster', 'down']);
  await fsp.rm(dir, { recursive: true, force: true });
});

it('says the lab is not running instead of a stack trace', async () => {
  const r = await lab(['seed', '--users', '10']);
  expect(r.code).toBe(1);
  expect(r.out).toContain(`The lab is not running at ${env.LAB_URL}`);
  expect((await lab(['nonsense'])).out).toContain("Unknown command 'nonsense'");
});

it('runs the cluster in the background, migrates, seeds through the lab, and stops every server', async () => {
  const up = await lab(['cluster', 'up']);
  expect(up.code, up.out).toBe(0);
  expect(up.out).toContain('Cluster up');
  const state = (await readState(env.LAB_DATA_DIR!))!;
  const pids = [...state.shards, ...state.replicas].map((s) => s.pid!);
  expect(state.replicas.map((r) => r.name)).toEqual(['shard-0-replica', 'shard-1-replica']);
  expect(pids.every(isAlive)).toBe(true);

  const status = await lab(['migrate', 'status']);
  const files = (await fsp.readdir(path.join(REPO_ROOT, 'migrations'))).filter((f) => f.endsWith('.sql')).length;
  for (const shard of [0, 1]) expect(status.out).toMatch(new RegExp(`shard-${shard} \\| ${files} +\\| 0`));

  const made = await lab(['migrate', 'make', 'Add Bio!']);
  expect(made.out).toMatch(/Created .*\d+_add_bio\.sql/);
  const upOne = await lab(['migrate', 'up']);
  expect(upOne.code, upOne.out).toBe(0);
  expect(upOne.out).toMatch(/shard-0: applied \d+_add_bio/);
  expect((await lab(['migrate', 'status'])).out).toMatch(new RegExp(`shard-1 \\| ${files + 1} +\\| 0`));
  const down = await lab(['migrate', 'down']);
  expect(down.out).toMatch(/shard-1: rolled back \d+_add_bio/);
  expect((await lab(['migrate', 'status'])).out).toContain('Pending: ');
  expect((await lab(['migrate', 'sideways'])).code).toBe(1);

  // The lab attaches to the running cluster; stopping it leaves the cluster up.
  const server = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'lab-server/src/main.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let serverOut = '';
  server.stdout.on('data', (c: Buffer) => (serverOut += c.toString()));
  for (let i = 0; i < 600 && !serverOut.includes('ready at'); i++) await new Promise((r) => setTimeout(r, 100));
  expect(serverOut).toContain('(attached;');
  try {
    const seed = await lab(['seed', '--users', '3000']);
    expect(seed.code, seed.out).toBe(0);
    expect(seed.out).toMatch(/3,000 users in/);
    const shards = await lab(['shards']);
    expect(shards.out).toContain('total 3,000 users on 2 shards');
    expect((await lab(['health'])).code).toBe(0);
    // The attached lab sees the replicas `cluster up` started, and can route reads to them.
    const topology = (await (await fetch(`${env.LAB_URL}/lab/v1/topology`)).json()) as { shards: { replicas: { name: string; url: string }[] }[] };
    expect(topology.shards.map((s) => s.replicas.map((r) => r.name))).toEqual([['shard-0-replica'], ['shard-1-replica']]);
    // What needs the servers says whose they are and what to do.
    const kill = await fetch(`${env.LAB_URL}/lab/v1/shards/shard-0/kill`, { method: 'POST' });
    expect(kill.status).toBe(409);
    expect(((await kill.json()) as { error: { message: string } }).error.message).toMatch(/background cluster \('make up'\): run 'make down', then 'make dev'/);
    const route = await lab(['route', '123E4567-E89B-12D3-A456-426614174000']);
    expect(route.out).toContain('0x3b32b2dc');
    expect((await lab(['jobs'])).out).toMatch(/seed +\| succeeded \| \S+ *\| 3000\/3000/);
    const sql = await lab(['db-shell', '1'], 'SELECT count(*) AS n\nFROM users;\n\\dt\nSELECT nope;\n');
    expect(sql.out).toMatch(/n\s*\n-+\n\d+\n\(1 row\)/);
    expect(sql.out).toContain('users_accounts');
    expect(sql.out).toContain('ERROR: column "nope" does not exist');
    expect((await lab(['db-shell', '7'])).out).toContain('No shard 7');
  } finally {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGINT');
    await exited;
  }
  expect(pids.every(isAlive)).toBe(true);

  const stopped = await lab(['cluster', 'down']);
  expect(stopped.out).toContain('Stopped the lab process');
  expect(pids.every((pid) => !isAlive(pid))).toBe(true);
  expect((await lab(['cluster', 'down'])).out).toContain('No cluster is running');
  // A hang guard, not a speed check: some 15 CLI processes each start tsx, which takes tens of seconds in
  // total on a busy 2-core machine.
}, 180_000);
