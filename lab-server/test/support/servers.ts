import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedServer } from '../../src/cluster/embedded-server.js';

export { freePort } from '../../src/net/free-port.js';

/** `count` consecutive free ports (the lab numbers shard ports from a base). */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below 32768: the ephemeral range starts there, and a client socket could take a port before a later shard binds it.
    const base = 15_000 + Math.floor(Math.random() * 17_000);
    const checks = await Promise.all(Array.from({ length: count }, (_, i) => isFree(base + i)));
    if (checks.every(Boolean)) return base;
  }
  throw new Error('no free port range found');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A temporary directory named for this test run (`shard-lab-<kind>-<run>-…`): the run's teardown removes its own,
 * and never another run's on the same machine.
 */
export async function tempDir(kind = 'test'): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), `shard-lab-${kind}-${testRunTag()}-`));
}

/** Set by the global setup for every worker of one `vitest` run. */
export const testRunTag = (): string => process.env.SHARD_LAB_TEST_RUN ?? `pid${process.pid}`;

export interface TestServers {
  servers: EmbeddedServer[];
  urls: string[];
  dir: string;
  stop(): Promise<void>;
}

/** Starts `count` throwaway PostgreSQL servers in a temporary directory; `stop()` stops them by pid and deletes it. */
export async function startTestServers(count: number): Promise<TestServers> {
  const dir = await tempDir();
  await fsp.chmod(dir, 0o755);
  const base = await freePortRange(count);
  const servers = Array.from(
    { length: count },
    (_, i) =>
      new EmbeddedServer({
        name: `shard-${i}`,
        dataDir: path.join(dir, `shard-${i}`),
        port: base + i,
        settings: { fsync: 'off' },
        initTemplate: process.env.LAB_INITDB_TEMPLATE,
      }),
  );
  await Promise.all(
    servers.map(async (s) => {
      await s.init();
      await s.start();
    }),
  );
  return {
    servers,
    urls: servers.map((s) => s.url),
    dir,
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}
