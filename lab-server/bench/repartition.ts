/**
 * `npm run bench:repartition [-- --users N] [--rate R] [--shards S]`: N users (default 1,000,000) on S (5) fresh
 * embedded shards, the messenger's users rebuilt as 8 hash partitions; then, in the same run:
 * 1. the baseline: a plain COPY of the same rows into a fresh 16-way hash-partitioned table on every shard;
 * 2. the write rate this lab carries with no build: steady creates and updates at 25, 50, 100, 200 writes/s in
 *    turn, in a process of its own, until one fails a request or falls behind (or R, when given);
 * 3. at the highest rate that held: the online repartition 8 → 16, as long a window of the same writes with no
 *    build, the online repartition back to 8, and the original's faithful swap 8 → 16.
 * Per build it prints rows/s and the ratio to COPY's, how long requests were held, the ids lost (counted by id at
 * the swap, and as the writer's acknowledged creates missing afterwards) and the requests that failed, beside
 * the original's 6,870,006 rows in 38.6 s, with the load average the machine carried.
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { benchClient, markdownTable, startBenchLab } from './support.js';

const { values: opts } = parseArgs({
  options: { users: { type: 'string' }, rate: { type: 'string' }, shards: { type: 'string' } },
});
const USERS = Number(opts.users ?? process.env.USERS ?? 1_000_000);
const SHARDS = Number(opts.shards ?? process.env.SHARDS ?? 5);
const FIXED_RATE = opts.rate ?? process.env.RATE;
/** The rates tried with no build, lowest first; the bench runs its builds at the highest that held. */
const PROBE_RATES = [25, 50, 100, 200];
const PROBE_SECONDS = 8;
const here = path.dirname(fileURLToPath(import.meta.url));
const CLAIMED = { rows: 6_870_006, seconds: 38.6 };

interface WriterReport {
  ok: number;
  failed: number;
  issued: number;
  failures: string[];
  kinds?: Record<string, number>;
  final?: boolean;
}
interface Built {
  shards: { rows_copied: number; ms: number; blocked_ms: number; ids_lost: number; ids_revived: number }[];
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const lab = await startBenchLab(SHARDS);
const { running } = lab;
const { call, waitJob } = benchClient(running.url);
const build = async (partitions: number, mode: 'online' | 'faithful'): Promise<Built> => {
  const job = await waitJob((await call<{ job_id: string }>('POST', '/lab/v1/partitions', { partitions, mode })).job_id);
  if (job.state !== 'succeeded') throw new Error(`repartition ${mode} ${job.state}: ${job.error?.message}`);
  return job.result as unknown as Built;
};

/** COPY users out of every shard and into a fresh hash-partitioned table there (the live table's columns and indexes), all shards at once; the wall time. */
async function copyBaseline(partitions: number): Promise<{ rows: number; seconds: number }> {
  const started = performance.now();
  const rows = await Promise.all(
    running.lab.cluster.shards.map(async (shard) => {
      const [src, dst] = [new pg.Client(shard.url), new pg.Client(shard.url)];
      await Promise.all([src.connect(), dst.connect()]);
      try {
        await dst.query(`DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (LIKE users INCLUDING ALL) PARTITION BY HASH (id)`);
        for (let r = 0; r < partitions; r++)
          await dst.query(`CREATE TABLE bench_copy_p${r} PARTITION OF bench_copy FOR VALUES WITH (MODULUS ${partitions}, REMAINDER ${r})`);
        await pipeline(src.query(copyTo('COPY (SELECT * FROM users) TO STDOUT')), dst.query(copyFrom('COPY bench_copy FROM STDIN')));
        return Number((await dst.query<{ n: string }>('SELECT count(*) AS n FROM bench_copy')).rows[0]!.n);
      } finally {
        await dst.query('DROP TABLE IF EXISTS bench_copy').catch(() => undefined);
        await Promise.all([src.end(), dst.end()]);
      }
    }),
  );
  return { rows: rows.reduce((a, b) => a + b, 0), seconds: (performance.now() - started) / 1000 };
}

/** A writer process at `rate` writes/s: its reports as they come, its ids on request, and its stop. */
function startWriter(rate: number) {
  const w = fork(path.join(here, 'reshard-writer.ts'), [running.url, String(rate)], { execArgv: process.execArgv });
  const reports: WriterReport[] = [];
  let idsWanted: ((ids: string[]) => void) | null = null;
  w.on('message', (m) => {
    if ((m as { ids?: string[] }).ids) idsWanted?.((m as { ids: string[] }).ids);
    else reports.push(m as WriterReport);
  });
  const last = () => reports.at(-1) ?? { ok: 0, failed: 0, issued: 0, failures: [] };
  return {
    w,
    last,
    /** Waits for `n` more reports, so the requests in flight a moment ago have answered. */
    async settle(n = 2) {
      const seen = reports.length;
      while (reports.length < seen + n) await sleep(200);
      return last();
    },
    ids: () =>
      new Promise<string[]>((resolve) => {
        idsWanted = resolve;
        w.send('ids');
      }),
    async stop(): Promise<WriterReport> {
      const final = new Promise<WriterReport>((resolve) => w.on('message', (m) => (m as WriterReport).final && resolve(m as WriterReport)));
      w.send('stop');
      return final;
    },
  };
}
let writer: ReturnType<typeof startWriter> | null = null;

/** The failures of `after` not yet in `before`, by kind: `503 shard_busy ×3, …`, or `none`. */
const newFailures = (before: WriterReport, after: WriterReport) =>
  Object.entries(after.kinds ?? {})
    .map(([kind, n]) => [kind, n - (before.kinds?.[kind] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} ×${n}`)
    .join(', ') || 'none';

/** Of the users the writer created and saw acknowledged, how many no shard holds. */
async function ackedMissing(ids: string[]): Promise<number> {
  const present = await Promise.all(
    running.lab.cluster.shards.map((shard) =>
      running.lab.cluster.pools.onShard(shard.id, async (pool) =>
        Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM users WHERE id = ANY($1::uuid[])', [ids])).rows[0]!.n),
      ),
    ),
  );
  return ids.length - present.reduce((a, b) => a + b, 0);
}

try {
  console.log(`Load average at start (1 / 5 / 15 min): ${load()}; ${os.cpus().length} cores.`);
  console.log(`Seeding ${fmt(USERS)} users on ${SHARDS} shards, then rebuilding users as 8 hash partitions…`);
  const seed = await waitJob((await call<{ job_id: string }>('POST', '/lab/v1/seed', { users: USERS })).job_id);
  if (seed.state !== 'succeeded') throw new Error(`seed ${seed.state}: ${seed.error?.message}`);
  await build(8, 'online');

  const rows: string[][] = [];
  // Before the writes start: COPY streams through this process, which is also the lab's, and would stall its requests.
  console.log(`COPY into 16 partitions (baseline, before the writes start), load ${load()}…`);
  const copy = await copyBaseline(16);
  const copyRate = copy.rows / copy.seconds;
  rows.push(['plain COPY (baseline)', '-', fmt(copy.rows), copy.seconds.toFixed(2), fmt(copyRate), '1.00×', '-', '-', '-', '-', load()]);

  // The write rate the lab carries with no build: every request answered, none failed, the writer not falling behind.
  let rate = Number(FIXED_RATE ?? 0);
  if (!FIXED_RATE) {
    const probes: string[][] = [];
    for (const r of PROBE_RATES) {
      const p = startWriter(r);
      writer = p;
      const from = await p.settle(1);
      await sleep(PROBE_SECONDS * 1000);
      const to = await p.settle(2);
      await p.stop();
      writer = null;
      const sent = to.issued - from.issued;
      const answered = to.ok - from.ok;
      const held = to.failed === from.failed && answered >= 0.9 * sent;
      probes.push([String(r), fmt(sent), fmt(answered), fmt(to.failed - from.failed), newFailures(from, to), held ? 'yes' : 'no', load()]);
      if (!held) break;
      rate = r;
    }
    console.log(
      `\nWrites with no build (${PROBE_SECONDS} s each):\n${markdownTable(['writes/s', 'sent', 'answered ok', 'failed', 'failures', 'held', 'load'], probes)}`,
    );
    if (rate === 0) {
      rate = PROBE_RATES[0]!;
      console.log(`The lab held none of these rates; the builds run at the lowest, ${rate}/s, and their failures must be read beside the writes-alone row.`);
    } else console.log(`The builds run at ${rate} writes/s, the highest rate that held.`);
  }

  const w = startWriter(rate);
  writer = w;
  await w.settle(3);
  const runs: { label: string; from: number; to: number; mode: 'online' | 'faithful' }[] = [
    { label: 'online rebuild 8 → 16 (lab)', from: 8, to: 16, mode: 'online' },
    { label: 'online rebuild 16 → 8 (lab)', from: 16, to: 8, mode: 'online' },
    { label: 'faithful swap 8 → 16 (original)', from: 8, to: 16, mode: 'faithful' },
  ];
  for (const run of runs) {
    console.log(`Under ${rate} writes/s: ${run.label}, load ${load()}…`);
    const before = w.last();
    const startedAt = performance.now();
    const idsBefore = await w.ids();
    const missingBefore = await ackedMissing(idsBefore);
    const built = await build(run.to, run.mode);
    const after = await w.settle();
    // What the writer really sent in the window (it falls behind its rate when the machine is short of CPU).
    const sentRate = (after.issued - before.issued) / ((performance.now() - startedAt) / 1000);
    const missing = (await ackedMissing(await w.ids())) - missingBefore;
    console.log(`  failed during the build: ${newFailures(before, after)}`);
    const copied = built.shards.reduce((n, s) => n + s.rows_copied, 0);
    const seconds = Math.max(...built.shards.map((s) => s.ms)) / 1000;
    rows.push([
      run.label,
      `${rate} (${fmt(sentRate)} sent)`,
      fmt(copied),
      seconds.toFixed(2),
      fmt(copied / seconds),
      `${(copied / seconds / copyRate).toFixed(2)}×`,
      fmt(Math.max(...built.shards.map((s) => s.blocked_ms))),
      fmt(built.shards.reduce((n, s) => n + s.ids_lost + s.ids_revived, 0)),
      fmt(missing),
      fmt(after.failed - before.failed),
      load(),
    ]);
    if (run.from === 8 && run.mode === 'online') {
      // The same writes for as long with no build: what fails here is the machine, not the rebuild.
      const alone = w.last();
      const aloneAt = performance.now();
      await sleep(seconds * 1000);
      const end = await w.settle();
      const aloneRate = (end.issued - alone.issued) / ((performance.now() - aloneAt) / 1000);
      console.log(`  failed with no build for ${seconds.toFixed(0)} s: ${newFailures(alone, end)}`);
      rows.push([
        'no build, as long (writes alone)',
        `${rate} (${fmt(aloneRate)} sent)`,
        '-',
        seconds.toFixed(2),
        '-',
        '-',
        '-',
        '-',
        '-',
        fmt(end.failed - alone.failed),
        load(),
      ]);
    }
  }
  const final = await w.stop();
  writer = null;

  console.log(
    `\n${markdownTable(['build', 'writes/s', 'rows', 'seconds', 'rows/s', 'vs COPY', 'requests held (ms)', 'ids lost at swap', 'acked creates missing', 'requests failed', 'load 1/5/15'], rows)}`,
  );
  const online = rows[1]!;
  const onlineRate = Number(online[4]!.replaceAll(',', ''));
  console.log(
    `\nThe original: ${fmt(CLAIMED.rows)} rows in ${CLAIMED.seconds} s (${fmt(CLAIMED.rows / CLAIMED.seconds)} rows/s) on one server, no writes; the online rebuild here: ${online[4]} rows/s over ${SHARDS} shards on ${os.cpus().length} cores, ${(onlineRate / (CLAIMED.rows / CLAIMED.seconds)).toFixed(2)}× that rate.`,
  );
  console.log(
    `Goal: online ≥ 0.50× COPY (here ${online[5]}), 0 ids lost, 0 requests failed. Writer: ${fmt(final.ok)} ok, ${fmt(final.failed)} failed in the whole run. Load at the end: ${load()}.`,
  );
  if (final.failures.length) console.log(`e.g. ${final.failures[0]}`);
} finally {
  // Stopped by its pid whatever happened, before the lab it writes to.
  if (writer?.w.exitCode === null) writer.w.kill();
  await lab.stop();
}
