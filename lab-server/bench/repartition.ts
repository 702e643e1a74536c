/**
 * `npm run bench:repartition`: USERS (default 1,000,000) users on SHARDS (default 5) fresh embedded shards,
 * users_partitioned built with 8 partitions; a plain COPY of the same rows into a 16-way hash-partitioned
 * table (the baseline); then, while a separate process writes through the API at a steady RATE (default
 * 200 req/s), the lab's online repartition 8 → 16 and the original's faithful swap 8 → 16, in the same run.
 * Prints per build the rows/s and its ratio to COPY's, the writes' longest wait, the ids lost (counted by id
 * in one snapshot per shard) and the requests that failed (and, as their baseline, those failed in as long a
 * window of the same writes with no build), beside the original's 6,870,006 rows in 38.6 s.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { benchClient, markdownTable, startBenchLab } from './support.js';

const USERS = Number(process.env.USERS ?? 1_000_000);
const SHARDS = Number(process.env.SHARDS ?? 5);
const RATE = Number(process.env.RATE ?? 200);
const here = path.dirname(fileURLToPath(import.meta.url));
const CLAIMED = { rows: 6_870_006, seconds: 38.6 };

interface WriterReport {
  ok: number;
  failed: number;
  failures: string[];
  kinds?: Record<string, number>;
  final?: boolean;
}
interface Built {
  shards: { rows_copied: number; ms: number; blocked_ms: number }[];
}

const lab = await startBenchLab(SHARDS);
const { running } = lab;
const { call, waitJob } = benchClient(running.url);
const build = async (partitions: number, mode: 'online' | 'faithful'): Promise<Built> => {
  const job = await waitJob((await call<{ job_id: string }>('POST', '/lab/v1/partitions', { partitions, mode })).job_id);
  if (job.state !== 'succeeded') throw new Error(`repartition ${mode} ${job.state}: ${job.error?.message}`);
  return job.result as unknown as Built;
};
const lost = async () => (await call<{ shards: { out_of_step: number }[] }>('GET', '/lab/v1/partitions')).shards.reduce((n, s) => n + s.out_of_step, 0);

/** COPY users out of every shard and into a fresh 16-way hash-partitioned table there, all shards at once; the wall time. */
async function copyBaseline(partitions: number): Promise<{ rows: number; seconds: number }> {
  const started = performance.now();
  const rows = await Promise.all(
    running.lab.cluster.shards.map(async (shard) => {
      const [src, dst] = [new pg.Client(shard.url), new pg.Client(shard.url)];
      await Promise.all([src.connect(), dst.connect()]);
      try {
        await dst.query(`DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (LIKE users_partitioned INCLUDING ALL) PARTITION BY HASH (id)`);
        for (let r = 0; r < partitions; r++)
          await dst.query(`CREATE TABLE bench_copy_p${r} PARTITION OF bench_copy FOR VALUES WITH (MODULUS ${partitions}, REMAINDER ${r})`);
        await pipeline(
          src.query(copyTo('COPY (SELECT id, first_name, last_name, email, created_at, updated_at FROM users) TO STDOUT')),
          dst.query(copyFrom('COPY bench_copy FROM STDIN')),
        );
        return Number((await dst.query<{ n: string }>('SELECT count(*) AS n FROM bench_copy')).rows[0]!.n);
      } finally {
        await dst.query('DROP TABLE IF EXISTS bench_copy').catch(() => undefined);
        await Promise.all([src.end(), dst.end()]);
      }
    }),
  );
  return { rows: rows.reduce((a, b) => a + b, 0), seconds: (performance.now() - started) / 1000 };
}

/** The failures of `after` not yet in `before`, by kind: `503 shard_busy ×3, …`, or `none`. */
const newFailures = (before: WriterReport, after: WriterReport) =>
  Object.entries(after.kinds ?? {})
    .map(([kind, n]) => [kind, n - (before.kinds?.[kind] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} ×${n}`)
    .join(', ') || 'none';
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
let writer: ReturnType<typeof fork> | null = null;
try {
  console.log(`Seeding ${fmt(USERS)} users on ${SHARDS} shards, then building users_partitioned with 8 partitions…`);
  const seed = await waitJob((await call<{ job_id: string }>('POST', '/lab/v1/seed', { users: USERS })).job_id);
  if (seed.state !== 'succeeded') throw new Error(`seed ${seed.state}: ${seed.error?.message}`);
  await build(8, 'online');

  const rows: string[][] = [];
  // Before the writes start: COPY streams through this process, which is also the lab's, and would stall its requests.
  console.log('COPY into 16 partitions (baseline, before the writes start)…');
  const copy = await copyBaseline(16);
  const copyRate = copy.rows / copy.seconds;
  rows.push(['plain COPY (baseline)', fmt(copy.rows), copy.seconds.toFixed(2), fmt(copyRate), '1.00×', '-', '-', '-']);

  const w = fork(path.join(here, 'reshard-writer.ts'), [running.url, String(RATE)], { execArgv: process.execArgv });
  writer = w;
  const reports: WriterReport[] = [];
  w.on('message', (m) => reports.push(m as WriterReport));
  const last = () => reports.at(-1) ?? { ok: 0, failed: 0, failures: [] };
  while (reports.length < 3) await new Promise((r) => setTimeout(r, 200));

  for (const mode of ['online', 'faithful'] as const) {
    // Start each from 8 partitions in step, so both builds do the same work.
    if (mode === 'faithful') await build(8, 'online');
    console.log(`Under ${RATE} writes/s: repartition 8 → 16, ${mode}…`);
    const before = last();
    const built = await build(16, mode);
    // The writer's requests in flight at the end land before the count: wait for its next report.
    const seen = reports.length;
    while (reports.length < seen + 2) await new Promise((r) => setTimeout(r, 200));
    const after = last();
    console.log(`  failed during the ${mode} build: ${newFailures(before, after)}`);
    const copied = built.shards.reduce((n, s) => n + s.rows_copied, 0);
    const seconds = Math.max(...built.shards.map((s) => s.ms)) / 1000;
    rows.push([
      mode === 'online' ? 'online rebuild (lab)' : 'faithful swap (original)',
      fmt(copied),
      seconds.toFixed(2),
      fmt(copied / seconds),
      `${(copied / seconds / copyRate).toFixed(2)}×`,
      fmt(Math.max(...built.shards.map((s) => s.blocked_ms))),
      fmt(await lost()),
      fmt(after.failed - before.failed),
    ]);
    if (mode === 'online') {
      // The same writes for as long with no build: what fails here is the machine, not the rebuild.
      const alone = last();
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const seenAlone = reports.length;
      while (reports.length < seenAlone + 2) await new Promise((r) => setTimeout(r, 200));
      console.log(`  failed with no build for ${seconds.toFixed(0)} s: ${newFailures(alone, last())}`);
      rows.push(['no build, same length (writes alone)', '-', seconds.toFixed(2), '-', '-', '-', '-', fmt(last().failed - alone.failed)]);
    }
  }
  w.send('stop');
  const final = await new Promise<WriterReport>((resolve) => w.on('message', (m) => (m as WriterReport).final && resolve(m as WriterReport)));

  console.log(`\n${markdownTable(['build', 'rows', 'seconds', 'rows/s', 'vs COPY', 'writes waited (ms)', 'ids lost', 'requests failed'], rows)}`);
  const online = rows[1]!;
  console.log(
    `\nThe original: ${fmt(CLAIMED.rows)} rows in ${CLAIMED.seconds} s (${fmt(CLAIMED.rows / CLAIMED.seconds)} rows/s) on one server; the online rebuild here: ${online[3]} rows/s, ${(Number(online[3]!.replaceAll(',', '')) / (CLAIMED.rows / CLAIMED.seconds)).toFixed(2)}× that rate.`,
  );
  console.log(`Goal: online ≥ 0.50× COPY, 0 ids lost, 0 requests failed. Writer: ${final.ok} ok, ${final.failed} failed in the whole run.`);
  if (final.failures.length) console.log(`e.g. ${final.failures[0]}`);
} finally {
  // Stopped by its pid whatever happened, before the lab it writes to.
  if (writer?.exitCode === null) writer.kill();
  await lab.stop();
}
