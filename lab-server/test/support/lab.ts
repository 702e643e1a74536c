import fsp from 'node:fs/promises';
import pg from 'pg';
import type { EmbeddedServer } from '../../src/cluster/embedded-server.js';
import { loadConfig, type LabConfig } from '../../src/config.js';
import { startLab, type RunningLab } from '../../src/server/start.js';
import { Router } from '../../src/sharding/router.js';
import { createStrategy } from '../../src/sharding/strategies.js';
import { freePortRange, startTestServers, tempDir } from './servers.js';

export interface TestLab {
  running: RunningLab;
  /** The shard servers the lab started with (the catalog's server is not among them). */
  shards: EmbeddedServer[];
  shardUrls: string[];
  url: string;
  call<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  /** Stops the lab process's part (HTTP, pools, jobs) and starts a new lab over the same servers, as a restart would. */
  restart(options?: { samePort?: boolean }): Promise<void>;
  /** Stops the lab process's part only, as Ctrl-C on `make dev` would; `restart` brings it back. */
  pause(): Promise<void>;
  stop(): Promise<void>;
}

export interface Reply<T> {
  status: number;
  headers: Headers;
  body: T;
}

const testLog = (m: string) => {
  if (process.env.LAB_TEST_LOG) console.log(m);
};

/** What every test lab runs with: any free port, quick health probes, patient connects, the run's initdb template. */
const testConfig = (own: Record<string, string>, env: Record<string, string>) =>
  loadConfig({
    PORT: '0',
    LAB_HEALTH_INTERVAL_MS: '200',
    LAB_CONNECT_TIMEOUT_MS: '5000',
    LAB_INITDB_TEMPLATE: process.env.LAB_INITDB_TEMPLATE,
    ...own,
    ...env,
  });

/** A real lab (HTTP server on a free port) over `shards` fresh PostgreSQL servers, as external shards. */
export async function startTestLab(shards = 3, env: Record<string, string> = {}): Promise<TestLab> {
  const servers = await startTestServers(shards + 1);
  const config = testConfig({ LAB_SHARDS: servers.urls.slice(0, shards).join(','), LAB_CATALOG_URL: servers.urls[shards]! }, env);
  return launch(
    config,
    () => servers.stop(),
    (running) => ({ shards: servers.servers.slice(0, shards), shardUrls: servers.urls.slice(0, shards), running }),
  );
}

/**
 * A lab that runs its own embedded shards (in a temporary data directory, on free ports), so it can add,
 * remove, kill and pause them. `t.shards`/`t.shardUrls` are the shards it started with.
 */
export async function startEmbeddedTestLab(shards = 3, env: Record<string, string> = {}): Promise<TestLab> {
  const dir = await tempDir();
  await fsp.chmod(dir, 0o755);
  const config = testConfig({ LAB_DATA_DIR: dir, LAB_SHARD_COUNT: String(shards), LAB_SHARD_BASE_PORT: String((await freePortRange(shards + 4)) + 1) }, env);
  return launch(
    config,
    () => fsp.rm(dir, { recursive: true, force: true }),
    (running) => {
      const initial = running.lab.cluster.shards.slice();
      return { shards: initial.map((s) => s.server!), shardUrls: initial.map((s) => s.url), running };
    },
  );
}

async function launch(
  config: LabConfig,
  cleanup: () => Promise<void>,
  describe: (running: RunningLab) => Pick<TestLab, 'shards' | 'shardUrls' | 'running'>,
): Promise<TestLab> {
  let running: RunningLab;
  try {
    running = await startLab(config, testLog);
  } catch (err) {
    await cleanup(); // a lab that failed to start must not leave its servers behind
    throw err;
  }
  const t = { ...describe(running), url: running.url } as TestLab;
  t.call = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${t.url}${path}`, init);
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T };
  };
  t.pause = () => t.running.stop();
  t.restart = async ({ samePort = false } = {}) => {
    await t.running.stop();
    t.running = await startLab(samePort ? { ...config, port: Number(new URL(t.url).port) } : config, testLog);
    t.url = t.running.url;
  };
  t.stop = async () => {
    await t.running.stop();
    await cleanup();
  };
  return t;
}

export interface ErrorReply {
  error: { code: string; message: string; details: Record<string, unknown> };
}

/** The lab's default ring over `shards` shards, computed independently of the running lab, to check where rows went. */
export function testRing(shards: number): Router {
  const names = Array.from({ length: shards }, (_, i) => `shard-${i}`);
  return new Router(createStrategy('md5-ring', names, 150), names);
}

/** One query on one server, on its own connection (tests look at the shards directly, not through the lab). */
export async function queryServer<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}
