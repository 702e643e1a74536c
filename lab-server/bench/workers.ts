/**
 * `npm run bench:workers`: the prefork worker count, measured. The same read load (GET /api/v1/users/:id,
 * autocannon in a child process) runs against the lab with each worker count in COUNTS, turned live through
 * PUT /lab/v1/tuning/knobs/workers as the knob panel does, in alternating rounds so every count sees the same
 * machine state; medians and the ratio against 1 worker (the baseline, measured in the same run) are printed.
 * 0 is the primary serving the API itself. COUNTS=0,1,2 (default: 0, 1, 2 and the core count), SECONDS=n
 * (default 4), ROUNDS=n (default 3), CONNECTIONS=n (default 50), SHARDS=n (default 3).
 */
import os from 'node:os';
import { benchClient, createUsers, type Load, markdownTable, measureLoad, startBenchLab } from './support.js';
import { median as middle } from '../src/values/median.js';

const cores = os.cpus().length;
const COUNTS = [...new Set((process.env.COUNTS ?? `0,1,2,${cores}`).split(',').map(Number))].sort((a, b) => a - b);
const SECONDS = Number(process.env.SECONDS ?? 4);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const SHARDS = Number(process.env.SHARDS ?? 3);
if (!COUNTS.includes(1)) COUNTS.push(1);

const bench = await startBenchLab(SHARDS);
try {
  const { url } = bench.running;
  const { call } = benchClient(url);
  const setWorkers = async (n: number) => {
    const r = await call<{ knobs?: { name: string; value: string }[]; error?: { message: string } }>('PUT', '/lab/v1/tuning/knobs/workers', { value: n });
    if (!r.knobs) throw new Error(`workers ${n}: ${r.error?.message}`);
  };

  console.log(`Preparing 500 users on ${SHARDS} shards (${cores} cores)...`);
  const users = await createUsers(call, 'Workers');
  const reads = () =>
    measureLoad(
      url,
      'GET',
      users.map((u) => `/api/v1/users/${u.id}`),
      { connections: CONNECTIONS, seconds: SECONDS },
    );

  const runs = new Map<number, Load[]>(COUNTS.map((n) => [n, []]));
  for (const n of COUNTS) {
    await setWorkers(n);
    await reads(); // warm-up: the new processes' connections and prepared statements
  }
  for (let round = 0; round < ROUNDS; round++) {
    // Each round starts one count further on, so no count always follows the same one.
    const order = COUNTS.map((_, i) => COUNTS[(i + round) % COUNTS.length]!);
    for (const n of order) {
      await setWorkers(n);
      const r = await reads();
      runs.get(n)!.push(r);
      console.log(
        `  round ${round + 1}  workers ${n}  ${Math.round(r.rps).toLocaleString('en-US').padStart(7)} req/s  p99 ${r.p99_ms} ms  ${r.non2xx + r.errors} failed`,
      );
    }
  }
  await setWorkers(0);

  const median = (xs: number[]) => middle(xs) ?? 0;
  const rps = (n: number) => median(runs.get(n)!.map((r) => r.rps));
  const p99 = (n: number) => median(runs.get(n)!.map((r) => r.p99_ms));
  const rows = COUNTS.map((n) => [
    n === 0 ? '0 (primary alone)' : String(n),
    Math.round(rps(n)).toLocaleString('en-US'),
    `${p99(n)} ms`,
    String(runs.get(n)!.reduce((s, r) => s + r.non2xx + r.errors, 0)),
    `${(rps(n) / Math.max(1, rps(1))).toFixed(2)}×`,
    `${(p99(n) / Math.max(1, p99(1))).toFixed(2)}×`,
  ]);
  const [load1] = os.loadavg();
  console.log(
    `\nmedians of ${ROUNDS} rotating rounds of ${SECONDS} s, GET /api/v1/users/:id, ${CONNECTIONS} connections, ${SHARDS} shards, ${cores} cores, load average ${load1!.toFixed(1)}, ${new Date().toISOString().slice(0, 16)}Z\n`,
  );
  console.log(markdownTable(['workers', 'req/s', 'p99', 'failed', 'req/s ÷ 1 worker', 'p99 ÷ 1 worker'], rows));
} finally {
  await bench.stop();
}
