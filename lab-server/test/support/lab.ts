import { loadConfig } from '../../src/config.js';
import { Router } from '../../src/sharding/router.js';
import { createStrategy } from '../../src/sharding/strategies.js';
import { startLab, type RunningLab } from '../../src/lab/start.js';
import type { EmbeddedServer } from '../../src/cluster/embedded-server.js';
import { startTestServers } from './servers.js';

export interface TestLab {
  running: RunningLab;
  /** The shard servers (the catalog's server is not among them). */
  shards: EmbeddedServer[];
  shardUrls: string[];
  url: string;
  call<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  /** Stops the lab process's part (HTTP, pools, jobs) and starts a new lab over the same servers, as a restart would. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface Reply<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** A real lab (HTTP server on a free port) over `shards` fresh PostgreSQL servers, as external shards. */
export async function startTestLab(shards = 3, env: Record<string, string> = {}): Promise<TestLab> {
  const servers = await startTestServers(shards + 1);
  const config = loadConfig({
    PORT: '0',
    LAB_SHARDS: servers.urls.slice(0, shards).join(','),
    LAB_CATALOG_URL: servers.urls[shards]!,
    LAB_HEALTH_INTERVAL_MS: '200',
    LAB_CONNECT_TIMEOUT_MS: '1000',
    ...env,
  });
  const t = {} as TestLab;
  const call = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${t.url}${path}`, init);
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T };
  };
  let running: RunningLab;
  try {
    running = await startLab(config, () => undefined);
  } catch (err) {
    await servers.stop(); // a lab that failed to start must not leave its servers behind
    throw err;
  }
  Object.assign(t, {
    running,
    shards: servers.servers.slice(0, shards),
    shardUrls: servers.urls.slice(0, shards),
    call,
    async restart() {
      await t.running.stop();
      t.running = await startLab(config, () => undefined);
      t.url = t.running.url;
    },
    async stop() {
      await t.running.stop();
      await servers.stop();
    },
  });
  t.url = t.running.url;
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
