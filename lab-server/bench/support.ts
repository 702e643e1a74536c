/**
 * What the benchmark scripts share: an embedded lab of N shards in a scratch directory, one autocannon
 * measurement in a child process (so the load generator does not share the lab's event loop), every user id
 * the shards hold, and the table they print.
 */
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { loadConfig, REPO_ROOT } from '../src/config.js';
import type { JobView } from '../src/jobs/registry.js';
import type { User } from '../src/messenger/users/schemas.js';
import { startLab } from '../src/server/start.js';
import { freePort, freePortRange } from '../test/support/servers.js';

export interface Load {
  rps: number;
  p99_ms: number;
  non2xx: number;
  errors: number;
  requests: number;
}

export interface LoadShape {
  connections: number;
  seconds: number;
}

const exec = promisify(execFile);

/** One autocannon run against `paths` (round robin), in `bench/load-worker.ts`. */
export async function measureLoad(url: string, method: 'GET' | 'POST', paths: string[], shape: LoadShape, bodies: string[] = []): Promise<Load> {
  const job = JSON.stringify({ url, method, paths, bodies, ...shape });
  const { stdout } = await exec(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), [path.join(REPO_ROOT, 'lab-server/bench/load-worker.ts'), job], {
    maxBuffer: 1 << 24,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Load;
}

/** An embedded lab of `shards` shards in a fresh scratch directory; `stop` stops its servers and removes the directory. */
export async function startBenchLab(shards: number, env: Record<string, string> = {}) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'shard-lab-bench-'));
  await fsp.chmod(dir, 0o755);
  const base = await freePortRange(shards + 1);
  const running = await startLab(
    loadConfig({
      PORT: String(await freePort()),
      LAB_DATA_DIR: dir,
      LAB_SHARD_COUNT: String(shards),
      LAB_SHARD_BASE_PORT: String(base + 1),
      LAB_CATALOG_PORT: String(base),
      ...env,
    }),
    // BENCH_LOG=1 shows the lab's own log (a shard marked down, a job's steps) on stderr.
    process.env.BENCH_LOG ? (line: string) => console.error(line) : () => undefined,
  );
  return {
    running,
    async stop() {
      await running.stop();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Every user id the shards at `urls` hold. */
export async function userIds(urls: string[]): Promise<string[]> {
  const lists = await Promise.all(
    urls.map(async (u) => {
      const c = new pg.Client(u);
      await c.connect();
      try {
        return (await c.query<{ id: string }>('SELECT id::text AS id FROM users')).rows.map((r) => r.id);
      } finally {
        await c.end();
      }
    }),
  );
  return lists.flat();
}

/** A Markdown table, columns padded to their widest cell. */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** 500 users through the API, 25 at a time, for a benchmark's reads by id. */
export async function createUsers(call: <T>(method: string, p: string, body: unknown) => Promise<T>, lastName: string): Promise<User[]> {
  const users: User[] = [];
  for (let batch = 0; batch < 20; batch++)
    users.push(
      ...(await Promise.all(
        Array.from({ length: 25 }, (_, i) => call<User>('POST', '/api/v1/users', { first_name: `Bench${batch}-${i}`, last_name: lastName })),
      )),
    );
  return users;
}

/** The lab's HTTP API as a benchmark drives it: a JSON call, and a job followed until it ends. */
export function benchClient(url: string) {
  const call = async <T>(method: string, p: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${p}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as T;
  };
  const waitJob = async (id: string): Promise<JobView> => {
    for (;;) {
      const job = await call<JobView>('GET', `/lab/v1/jobs/${id}`);
      if (!['queued', 'running'].includes(job.state)) return job;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  return { call, waitJob };
}
