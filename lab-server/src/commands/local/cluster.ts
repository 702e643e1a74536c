import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { Cluster } from '../../cluster/cluster.js';
import { stopOrphans } from '../../cluster/servers.js';
import { isAlive } from '../../cluster/embedded-server.js';
import { readState } from '../../cluster/state-file.js';
import { loadConfig } from '../../config.js';
import { migrate, throwIfFailed } from '../../migrations/index.js';
import { noArgs } from '../args.js';
import { CommandError, defineCommand, type Command } from '../command.js';
import { formatTable } from '../format.js';

/** What `cluster run` tells `cluster up` over IPC once its shards are up (or why not). */
const Ready = z.object({ ok: z.boolean(), error: z.string().optional() });

const log = (m: string) => console.log(`[cluster] ${m}`);

/**
 * `lab cluster up|down|status` and `lab reset`: the shards alone, in the background (`make up` / `make down`).
 * CLI-only: they start and stop local processes.
 */
const local = (name: string, usage: string, summary: string, run: () => Promise<string>, hidden = false): Command =>
  defineCommand({ name, usage, summary, hidden, frontEnds: ['cli'], args: noArgs, run: async () => ({ data: null, text: await run() }) });

export const clusterUp = local('cluster up', 'cluster up', 'start only the shards, in the background (make up)', () => up());
export const clusterDown = local('cluster down', 'cluster down', 'stop the shards and a lab that owns them (make down)', () => down());
export const clusterStatus = local('cluster status', 'cluster status', 'which shard servers run, with pids and URLs (make status)', () => status());
/** The process `cluster up` starts: it owns the servers until SIGTERM. */
export const clusterRun = local(
  'cluster run',
  'cluster run',
  'own the shards in the foreground (what cluster up starts)',
  async () => {
    await run();
    return '';
  },
  true,
);
export const reset = local('reset', 'reset', 'stop everything and delete the data directory (make reset)', async () => {
  const config = loadConfig();
  const stopped = await down();
  await fsp.rm(config.dataDir, { recursive: true, force: true });
  return `${stopped}\nDeleted ${config.dataDir}. The next start creates fresh, empty shards.`;
});

/** Starts `lab cluster run` detached, waits for it to report ready (or its error), and returns. */
async function up(): Promise<string> {
  const config = loadConfig();
  if (config.externalShards) throw new CommandError('LAB_SHARDS is set: the lab uses your servers and starts none.');
  const state = await readState(config.dataDir);
  if (state && isAlive(state.owner_pid)) {
    return `The cluster is already running (pid ${state.owner_pid}).\n${await status()}`;
  }
  await fsp.mkdir(config.dataDir, { recursive: true });
  const logPath = path.join(config.dataDir, 'cluster.out');
  const out = fs.openSync(logPath, 'a');
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'cluster', 'run'], {
    detached: true,
    stdio: ['ignore', out, out, 'ipc'],
    env: process.env,
  });
  const message = await new Promise<{ ok: boolean; error?: string | undefined }>((resolve) => {
    child.once('message', (m) => resolve(Ready.safeParse(m).data ?? { ok: false, error: 'the cluster process sent an unknown message' }));
    child.once('exit', (code) => resolve({ ok: false, error: `the cluster process exited (code ${code}); see ${logPath}` }));
  });
  child.disconnect();
  child.unref();
  if (!message.ok) throw new CommandError(message.error ?? 'the cluster did not start');
  return `Cluster up (pid ${child.pid}); log: ${logPath}. 'make dev' will use it; 'make down' stops it.\n${await status()}`;
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
      throwIfFailed(
        await migrate(
          cluster.shards.map((s) => ({ name: s.name, url: s.url })),
          config.migrationsDir,
          'latest',
        ),
      );
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
async function down(): Promise<string> {
  const config = loadConfig();
  const state = await readState(config.dataDir);
  if (!state) {
    return 'No cluster is running.';
  }
  if (isAlive(state.owner_pid)) {
    process.kill(state.owner_pid, 'SIGTERM');
    for (let i = 0; i < 300 && isAlive(state.owner_pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(state.owner_pid)) throw new CommandError(`pid ${state.owner_pid} did not stop within 30 s.`);
    return `Stopped the lab process ${state.owner_pid} and its shards.`;
  }
  await stopOrphans(state, log);
  await fsp.rm(path.join(config.dataDir, 'cluster.json'), { force: true });
  return 'Stopped servers left behind by a lab that did not shut down.';
}

async function status(): Promise<string> {
  const config = loadConfig();
  const state = await readState(config.dataDir);
  if (!state || !isAlive(state.owner_pid)) {
    return 'No cluster is running. Start one with make up (shards only) or make dev (shards and the lab).';
  }
  const servers = [...state.shards, ...state.replicas, ...(state.catalog ? [state.catalog] : [])];
  const table = formatTable(
    ['server', 'port', 'pid', 'running', 'url'],
    servers.map((s) => [s.name, s.port, s.pid ?? '', s.pid !== null && isAlive(s.pid) ? 'yes' : 'NO', s.url]),
  );
  return `${table}\n\nowned by pid ${state.owner_pid}, started ${state.started_at}`;
}
