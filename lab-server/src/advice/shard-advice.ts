import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { Cluster } from '../cluster/cluster.js';
import type { ShardAdvice, ShardAdviceInput } from '../contracts/shard-advice.js';
import type { Router } from '../sharding/router.js';

/** A server is planned to run at half the ceiling measured: the rest absorbs peaks, vacuum and a failover. */
const HEADROOM = 0.5;
/** Rule of thumb for one server's data (backup, restore and vacuum times grow with it); not measured here. */
const MAX_GB_PER_SERVER = 1000;
const PROBE_MS = 1000;
const PROBE_CONNECTIONS = 4;

/** Runs `op` on PROBE_CONNECTIONS connections of their own for PROBE_MS; answers operations per second. */
async function probe(cluster: Pick<Cluster, 'pools'>, shard: number, op: (c: pg.Client) => Promise<unknown>): Promise<number> {
  const clients = await Promise.all(Array.from({ length: PROBE_CONNECTIONS }, () => cluster.pools.connectBulk(shard, 'shard-lab-advice')));
  try {
    let done = 0;
    const started = performance.now();
    await Promise.all(
      clients.map(async (c) => {
        while (performance.now() - started < PROBE_MS) {
          await op(c);
          done++;
        }
      }),
    );
    return Math.round(done / ((performance.now() - started) / 1000));
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}

/** What one shard of this lab takes: committed single-row inserts and primary-key reads per second, and the bytes a user takes. */
async function measure(cluster: Pick<Cluster, 'pools' | 'shards'>, router: () => Router): Promise<ShardAdvice['measured']> {
  const ids = router().ids;
  const shard = ids[0]!;
  // A real table (WAL-logged, unlike a temporary one), named per run and dropped after.
  const table = `lab_advice_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const writes = await cluster.pools.onShard(shard, async (pool) => {
    await pool.query(`CREATE TABLE ${table} (id uuid PRIMARY KEY, first_name text, last_name text, created_at timestamptz NOT NULL DEFAULT now())`);
    try {
      return await probe(cluster, shard, (c) => c.query(`INSERT INTO ${table} (id, first_name, last_name) VALUES ($1, 'Probe', 'Writer')`, [randomUUID()]));
    } finally {
      await pool.query(`DROP TABLE IF EXISTS ${table}`);
    }
  });
  const reads = await probe(cluster, shard, (c) => c.query('SELECT id, first_name, last_name FROM users WHERE id = $1', [randomUUID()]));
  const sizes = await Promise.all(
    ids.map((id) =>
      cluster.pools.onShard(id, async (pool) => {
        const { rows } = await pool.query<{ bytes: string; users: string }>(
          // A partitioned users table keeps its rows in the partitions; a plain one in itself.
          `SELECT coalesce(nullif((SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('users')), 0), pg_total_relation_size('users')) AS bytes,
                  (SELECT count(*) FROM users) AS users`,
        );
        return { bytes: Number(rows[0]!.bytes), users: Number(rows[0]!.users) };
      }),
    ),
  );
  const users = sizes.reduce((n, s) => n + s.users, 0);
  const bytes = sizes.reduce((n, s) => n + s.bytes, 0);
  const name = cluster.shards.find((s) => s.id === shard)?.name ?? `shard-${shard}`;
  return { shard: name, writes_per_s: writes, reads_per_s: reads, bytes_per_user: users >= 100 ? Math.round(bytes / users) : null, users_here: users };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The original's table of sizes by users (docs/ARCHITECTURE.md, "when to shard"). */
function originalRow(users: number): string {
  if (users < 1e6) return 'under 1 million users: one PostgreSQL server with replicas';
  if (users < 1e7) return '1–10 million: consider sharding; start with 2–4 shards';
  if (users < 1e8) return '10–100 million: sharding is required; 8–16 or more shards';
  return 'over 100 million: sharding plus caching';
}

/** The decision tree, answered with the learner's numbers grown to the horizon and the ceilings just measured. */
export function decide(input: ShardAdviceInput, measured: ShardAdvice['measured']): ShardAdvice {
  const grow = (1 + input.growth_percent_per_month / 100) ** input.months;
  const todayGb = input.data_gb ?? (measured.bytes_per_user === null ? null : (input.users * measured.bytes_per_user) / 1e9);
  const projected = {
    users: Math.round(input.users * grow),
    writes_per_s: Math.round(input.writes_per_s * grow),
    reads_per_s: Math.round(input.reads_per_s * grow),
    data_gb: todayGb === null ? null : Math.round(todayGb * grow * 10) / 10,
  };
  const writeCap = measured.writes_per_s * HEADROOM;
  const readCap = measured.reads_per_s * HEADROOM;
  const forWrites = Math.max(1, Math.ceil(projected.writes_per_s / Math.max(writeCap, 1)));
  const forData = projected.data_gb === null ? 1 : Math.max(1, Math.ceil(projected.data_gb / MAX_GB_PER_SERVER));
  const shards = Math.max(forWrites, forData);
  // Every copy (primary or replica) serves reads; replicas are what the reads need beyond the primaries.
  const copies = Math.max(1, Math.ceil(projected.reads_per_s / Math.max(readCap, 1)));
  const replicas_per_shard = Math.max(0, Math.ceil(copies / shards) - 1);
  const verdict: ShardAdvice['verdict'] = shards > 1 ? 'shard' : replicas_per_shard > 0 ? 'replicas' : 'one server';
  const horizon = input.months === 0 ? 'today' : `in ${input.months} months at ${input.growth_percent_per_month} % a month (×${Math.round(grow * 100) / 100})`;
  const steps = [
    {
      question: 'Is the database the bottleneck?',
      numbers: `${fmt(projected.writes_per_s)} writes/s and ${fmt(projected.reads_per_s)} reads/s ${horizon}, against ${fmt(writeCap)} writes/s and ${fmt(readCap)} reads/s one shard of this lab takes at ${HEADROOM * 100} % of its measured ceiling (${fmt(measured.writes_per_s)} and ${fmt(measured.reads_per_s)})`,
      answer:
        projected.writes_per_s <= writeCap && projected.reads_per_s <= readCap
          ? 'No: one server carries it with room to spare. Do not shard; fix queries, indexes and the pool first.'
          : 'Yes: at least one of them passes what one server takes here.',
    },
    {
      question: 'Reads: do replicas carry them?',
      numbers: `${fmt(projected.reads_per_s)} reads/s need ${copies} cop${copies === 1 ? 'y' : 'ies'} at ${fmt(readCap)} reads/s each`,
      answer:
        copies === 1
          ? 'One server reads enough.'
          : `Yes: replicas scale reads (each replays every write, so they do not help writes): ${copies - 1} replica${copies === 2 ? '' : 's'} in all.`,
    },
    {
      question: 'Writes: does one primary take them?',
      numbers: `${fmt(projected.writes_per_s)} writes/s against ${fmt(writeCap)} per primary`,
      answer:
        forWrites === 1
          ? 'Yes: one primary writes enough.'
          : `No: ${forWrites} primaries — that is sharding. A bigger machine first, if one exists that takes ${fmt(projected.writes_per_s / HEADROOM)} writes/s.`,
    },
    {
      question: 'Data: does one server hold it?',
      numbers:
        projected.data_gb === null
          ? 'unknown: give data_gb, or load at least 100 users so the bytes per user can be measured'
          : `${fmt(projected.data_gb)} GB ${horizon}${input.data_gb === undefined ? ` (${fmt(measured.bytes_per_user ?? 0)} bytes per user, measured on these shards)` : ''}, against ${fmt(MAX_GB_PER_SERVER)} GB per server (a rule of thumb)`,
      answer: forData === 1 ? 'Yes.' : `No: ${forData} servers' worth — backups, restores and vacuum on one server would take too long.`,
    },
    {
      question: 'Is there a shard key most requests name, that spreads evenly?',
      numbers: 'not a number: here the user id, which every request by id names and MD5 spreads evenly',
      answer: verdict === 'shard' ? 'Shard by it. Without one, redesign the data first.' : 'Not needed yet.',
    },
  ];
  return {
    input: { ...input, data_gb: input.data_gb ?? null },
    measured,
    projected,
    headroom: HEADROOM,
    max_gb_per_server: MAX_GB_PER_SERVER,
    verdict,
    shards,
    replicas_per_shard,
    original_row: originalRow(projected.users),
    steps,
  };
}

/**
 * Should you shard? Measures what one shard of this lab takes (writes, reads, bytes per user) and walks the
 * original's decision tree with the learner's numbers grown to the horizon. The probe's table is dropped after.
 */
export async function adviseSharding(cluster: Pick<Cluster, 'pools' | 'shards'>, router: () => Router, input: ShardAdviceInput): Promise<ShardAdvice> {
  return decide(input, await measure(cluster, router));
}
