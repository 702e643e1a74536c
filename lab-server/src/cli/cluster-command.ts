import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Cluster } from '../cluster/cluster.js';
import { stopOrphans } from '../cluster/servers.js';
import { isAlive } from '../cluster/embedded-server.js';
import { readState } from '../cluster/state-file.js';
import { loadConfig } from '../config.js';
import { migrate, throwIfFailed } from '../migrations/index.js';
import { CliError, formatTable } from './output.js';

const log = (m: string) => console.log(`[cluster] ${m}`);

/** `lab cluster up|down|status|run` and `lab reset`: the shards alone, in the background (`make up` / `make down`). */
export async function clusterCommand(args: string[]): Promise<void> {
  switch (args[0]) {
    case 'up':
      return up();
    case 'down':
      return down();
    case 'status':
      return status();
    case 'run':
      return run();
    default:
      throw new CliError('usage: lab cluster up | down | status');
  }
}

/** Starts `lab cluster run` detached, waits for it to report ready (or its error), and returns. */
async function up(): Promise<void> {
  const config = loadConfig();
  if (config.externalShards) throw new CliError('LAB_SHARDS is set: the lab uses your servers and starts none.');
  const state = await readState(config.dataDir);
  if (state && isAlive(state.owner_pid)) {
    console.log(`The cluster is already running (pid ${state.owner_pid}).`);
    return status();
  }
  await fsp.mkdir(config.dataDir, { recursive: true });
  const logPath = path.join(config.dataDir, 'cluster.out');
  const out = fs.openSync(logPath, 'a');
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'cluster', 'run'], {
    detached: true,
    stdio: ['ignore', out, out, 'ipc'],
    env: process.env,
  });
  const message = await new Promise<{ ok: boolean; error?: string }>((resolve) => {
    child.once('message', (m) => resolve(m as { ok: boolean; error?: string }));
    child.once('exit', (code) => resolve({ ok: false, error: `the cluster process exited (code ${code}); see ${logPath}` }));
  });
  child.disconnect();
  child.unref();
  if (!message.ok) throw new CliError(message.error ?? 'the cluster did not start');
  console.log(`Cluster up (pid ${child.pid}); log: ${logPath}. 'make dev' will use it; 'make down' stops it.`);
  await status();
}

/** The foreground body of `cluster up`: owns the servers until SIGTERM/SIGINT. */
async function run(): Promise<void> {
  const config = loadConfig();
  let cluster: Cluster;
  try {
    cluster = await Cluster.open(config, log);
    if (cluster.mode !== 'embedded') {
      await cluster.close();
      throw new Error('another lab process already runs the cluster');
    }
    try {
      throwIfFailed(await migrate(cluster.shards.map((s) => ({ name: s.name, url: s.url })), config.migrationsDir, 'latest'));
    } catch (err) {
      await cluster.close();
      throw err;
    }
  } catch (err) {
    process.send?.({ ok: false, error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
  log(`${cluster.shards.length} shards up`);
  process.send?.({ ok: true });
  // Resolves only at SIGTERM/SIGINT: the CLI exits when its command returns.
  const sig = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log(`${sig}: stopping`);
  await cluster.close();
}

/** Stops the process that owns the servers (by its pid), or servers orphaned by one that died. */
async function down(): Promise<void> {
  const config = loadConfig();
  const state = await readState(config.dataDir);
  if (!state) {
    console.log('No cluster is running.');
    return;
  }
  if (isAlive(state.owner_pid)) {
    process.kill(state.owner_pid, 'SIGTERM');
    for (let i = 0; i < 300 && isAlive(state.owner_pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(state.owner_pid)) throw new CliError(`pid ${state.owner_pid} did not stop within 30 s.`);
    console.log(`Stopped the lab process ${state.owner_pid} and its shards.`);
  } else {
    await stopOrphans(state, log);
    await fsp.rm(path.join(config.dataDir, 'cluster.json'), { force: true });
    console.log('Stopped servers left behind by a lab that did not shut down.');
  }
}

async function status(): Promise<void> {
  const config = loadConfig();
  const state = await readState(config.dataDir);
  if (!state || !isAlive(state.owner_pid)) {
    console.log('No cluster is running. Start one with make up (shards only) or make dev (shards and the lab).');
    return;
  }
  const servers = [...state.shards, ...state.replicas, ...(state.catalog ? [state.catalog] : [])];
  console.log(formatTable(['server', 'port', 'pid', 'running', 'url'], servers.map((s) => [s.name, s.port, s.pid ?? '', s.pid !== null && isAlive(s.pid) ? 'yes' : 'NO', s.url])));
  console.log(`\nowned by pid ${state.owner_pid}, started ${state.started_at}`);
}

/** `lab reset`: stops whatever runs, then deletes the data directory. */
export async function resetCommand(): Promise<void> {
  const config = loadConfig();
  await down();
  await fsp.rm(config.dataDir, { recursive: true, force: true });
  console.log(`Deleted ${config.dataDir}. The next start creates fresh, empty shards.`);
}
