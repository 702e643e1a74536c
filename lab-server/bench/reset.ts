/**
 * `npm run bench:reset`: how long a chapter start with 100,000 users takes to come back, cloned from its snapshot
 * (`CREATE DATABASE … TEMPLATE` on every shard), against rebuilding it the way a reset used to (empty the tables,
 * seed the users again), measured in the same run on the same 5 shards. Goal (issue #18): ≤ 1 s and ≥ 10× faster.
 * USERS=N changes the size; RUNS=N the number of timed runs of each (the median is reported).
 */
import os from 'node:os';
import type { JobContext } from '../src/jobs/registry.js';
import { seed } from '../src/seeding/seed.js';
import { emptyMessengerTables } from '../src/starts/clear.js';
import { markdownTable, startBenchLab, userIds } from './support.js';

const USERS = Number(process.env.USERS ?? 100_000);
const RUNS = Number(process.env.RUNS ?? 3);
const GOAL_MS = 1_000;
const GOAL_RATIO = 10;

const quiet: JobContext = {
  signal: new AbortController().signal,
  progress: () => undefined,
  phase: () => undefined,
  note: () => undefined,
  hold: async () => undefined,
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

const bench = await startBenchLab(5);
try {
  const { lab } = bench.running;
  const spec = { users: USERS, conversations: 0, messages: 0 };
  console.log(
    `A start of ${USERS.toLocaleString('en-US')} users on 5 shards (${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}); ${RUNS} runs each`,
  );

  const built = await lab.starts.restore(spec, quiet);
  console.log(`first time: built (seeded, then snapshotted) in ${Math.round(built.ms).toLocaleString('en-US')} ms`);

  const rebuild: number[] = [];
  const restore: number[] = [];
  const swap: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    rebuild.push(
      await timed(async () => {
        await emptyMessengerTables(lab.cluster);
        await seed(lab.cluster, lab.ring.router, spec, quiet);
      }),
    );
    restore.push(
      await timed(async () => {
        const r = await lab.starts.restore(spec, quiet);
        if (r.how !== 'restored') throw new Error(`expected a restore from the snapshot, got ${r.how}`);
        swap.push(Math.max(...r.shards.map((s) => s.swap_ms ?? 0)));
      }),
    );
    process.stdout.write(`  run ${i + 1}: rebuild ${Math.round(rebuild[i]!)} ms, restore ${Math.round(restore[i]!)} ms\n`);
  }
  const rows = (await userIds(lab.cluster.shards.map((s) => s.url))).length;
  if (rows !== USERS) throw new Error(`the restored start holds ${rows} users, not ${USERS}`);

  const [seedMs, restoreMs] = [median(rebuild), median(restore)];
  const ratio = seedMs / restoreMs;
  console.log(
    `\n${markdownTable(
      ['way back to the start', 'median ms', 'runs (ms)'],
      [
        ['baseline: empty the tables and seed again', Math.round(seedMs).toLocaleString('en-US'), rebuild.map(Math.round).join(', ')],
        ['lab: clone every shard from its snapshot', Math.round(restoreMs).toLocaleString('en-US'), restore.map(Math.round).join(', ')],
      ],
    )}`,
  );
  console.log(`ratio (rebuild / restore): ${ratio.toFixed(1)}x; ${rows.toLocaleString('en-US')} users after the last restore`);
  console.log(`the swap itself (the only time a shard cannot answer), slowest shard: median ${Math.round(median(swap))} ms`);
  const met = restoreMs <= GOAL_MS && ratio >= GOAL_RATIO;
  console.log(`goal: ≤ ${GOAL_MS} ms and ≥ ${GOAL_RATIO}x → ${Math.round(restoreMs)} ms, ${ratio.toFixed(1)}x: ${met ? 'met' : 'MISSED'}`);
} finally {
  await bench.stop();
}
