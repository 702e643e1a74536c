/**
 * `npm run bench:seed`: how fast the seed job loads users into 5 fresh shards, against a baseline measured
 * in the same run — the same job into a single server — so the ratio shows what parallel shards buy.
 * Goal (issue #2): 1,000,000 users in under 60 s on 2 cores. USERS=N changes the size.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Cluster } from '../src/cluster/cluster.js';
import { loadConfig } from '../src/config.js';
import type { JobContext } from '../src/jobs/registry.js';
import { migrate } from '../src/migrations/index.js';
import { seed, type SeedResult } from '../src/seeding/seed.js';
import { Router } from '../src/sharding/router.js';
import { createStrategy } from '../src/sharding/strategies.js';
import { freePortRange } from '../test/support/servers.js';

const USERS = Number(process.env.USERS ?? 1_000_000);
const GOAL_S = 60;

async function run(shards: number, dir: string): Promise<SeedResult> {
  const config = loadConfig({
    LAB_DATA_DIR: path.join(dir, `${shards}-shards`),
    LAB_SHARD_COUNT: String(shards),
    LAB_SHARD_BASE_PORT: String((await freePortRange(shards + 1)) + 1),
  });
  const cluster = await Cluster.open(config, (m) => console.log(`  ${m}`));
  try {
    const report = await migrate(
      cluster.shards.map((s) => ({ name: s.name, url: s.url })),
      config.migrationsDir,
      'latest',
    );
    if (!report.ok) throw new Error(`migrations failed: ${JSON.stringify(report)}`);
    const names = cluster.shards.map((s) => s.name);
    const router = new Router(createStrategy('md5-ring', names, 150), names);
    let last = 0;
    const ctx: JobContext = {
      signal: new AbortController().signal,
      phase: () => undefined,
      note: () => undefined,
      hold: async () => undefined,
      progress: (done) => {
        if (done - last >= USERS / 10 || done === USERS) {
          process.stdout.write(`  ${shards} shard(s): ${done.toLocaleString('en-US')} / ${USERS.toLocaleString('en-US')}\r`);
          last = done;
        }
      },
    };
    const result = await seed(cluster, router, { users: USERS }, ctx);
    process.stdout.write('\n');
    return result;
  } finally {
    await cluster.close();
  }
}

const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'shard-lab-bench-'));
await fsp.chmod(dir, 0o755);
try {
  console.log(`Seeding ${USERS.toLocaleString('en-US')} users (${os.cpus().length} cores)`);
  const baseline = await run(1, dir);
  const lab = await run(5, dir);
  const row = (label: string, r: SeedResult) =>
    `${label.padEnd(22)} ${String(r.seconds).padStart(8)} s ${r.rows_per_s.toLocaleString('en-US').padStart(12)} rows/s`;
  console.log(`\n${row('baseline: 1 server', baseline)}\n${row('lab: 5 shards', lab)}`);
  console.log(`ratio (5 shards / 1 server): ${(lab.rows_per_s / baseline.rows_per_s).toFixed(2)}x`);
  console.log(`per shard: ${lab.per_shard.map((s) => `${s.shard_name} ${s.users.toLocaleString('en-US')}`).join(', ')}`);
  const projected = (1_000_000 / lab.rows_per_s).toFixed(1);
  console.log(`goal: 1,000,000 users in < ${GOAL_S} s → ${projected} s at this rate: ${Number(projected) < GOAL_S ? 'met' : 'MISSED'}`);
} finally {
  await fsp.rm(dir, { recursive: true, force: true });
}
