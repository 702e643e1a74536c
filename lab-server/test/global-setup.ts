import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAlive, postmasterPid } from '../src/cluster/embedded-server.js';

/**
 * Vitest's global setup. Its teardown is the safety net for "a test run leaves no server behind": a test that
 * hits its timeout is abandoned before its afterAll runs, so any PostgreSQL still running in a temporary
 * directory this run created is stopped here, by the pid in its postmaster.pid, and the directory removed.
 * The run's tag (inherited by the test workers) names its directories; another run's, or a benchmark's, on
 * the same machine are not touched.
 */
export default function setup(): () => Promise<void> {
  const tag = `run${process.pid}`;
  process.env.SHARD_LAB_TEST_RUN = tag;
  // One initdb per run: every server a test starts (and every lab it launches) copies this template.
  process.env.LAB_INITDB_TEMPLATE = path.join(os.tmpdir(), `shard-lab-initdb-${tag}-templates`);
  return async () => {
    const tmp = os.tmpdir();
    for (const name of await fsp.readdir(tmp)) {
      if (!name.startsWith('shard-lab-') || !name.includes(`-${tag}-`)) continue;
      const dir = path.join(tmp, name);
      const stat = await fsp.stat(dir).catch(() => null);
      if (!stat?.isDirectory()) continue;
      const stopped = await stopServersUnder(dir);
      if (stopped > 0) console.warn(`[test teardown] stopped ${stopped} PostgreSQL server(s) left in ${dir}`);
      await fsp.rm(dir, { recursive: true, force: true });
    }
  };
}

async function stopServersUnder(dir: string): Promise<number> {
  let stopped = 0;
  for (const entry of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory()) continue;
    const sub = path.join(dir, entry.name);
    const pid = await postmasterPid(sub);
    if (pid !== null && isAlive(pid)) {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGINT');
      for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      stopped++;
    }
    stopped += await stopServersUnder(sub);
  }
  return stopped;
}
