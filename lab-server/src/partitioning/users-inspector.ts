import type pg from 'pg';
import type { Cluster } from '../cluster/cluster.js';
import { ShardRemovedError, ShardUnavailableError } from '../cluster/errors.js';
import { inTransaction } from '../postgres/transaction.js';
import { lastBuild, modulusOf, USERS } from './users-partitioned.js';

/**
 * The partition inspector: per shard, each partition of the messenger's `users` with its rows, size, index size,
 * share and skew, read live from the catalog (pg_inherits, pg_class, pg_stat_user_tables), and the last build's
 * count of ids lost.
 */

type Pools = Pick<Cluster, 'shards' | 'pools'>;

export interface PartitionRow {
  name: string;
  remainder: number | null;
  bound: string;
  rows: number;
  /** Of the shard's rows in the table, 0..1. */
  share: number;
  table_bytes: number;
  index_bytes: number;
}

export interface ShardPartitions {
  shard_name: string;
  reachable: boolean;
  partitioned: boolean;
  modulus: number | null;
  /** Rows in the shard's `users`, whatever its shape. */
  users_rows: number;
  /** Rows in its partitions: users_rows when partitioned, 0 when not. */
  rows: number;
  /** How the last build on this shard swapped (online, faithful, startup), or null before any. */
  last_build: string | null;
  /**
   * Ids the last build's swap found in only one of the old and new tables, counted under its lock: writes it
   * lost plus deletes it undid. 0 online; the faithful swap's losses.
   */
  out_of_step: number;
  partitions: PartitionRow[];
  /** How far the fullest partition is above the mean, in percent; null without rows. */
  skew_pct: number | null;
  /** Pearson's χ² of the counts against an even spread; about `degrees_of_freedom` (± √(2·df)) when the hash spreads evenly. */
  chi_square: number | null;
  degrees_of_freedom: number | null;
  /**
   * The same χ² had the partitions been ranges of the ring's own hash (ring_hash × N / 2³²) instead of
   * PostgreSQL's: a shard owns only some arcs of that hash, so the two levels would depend on each other.
   */
  ring_hash_chi_square: number | null;
}

export interface PartitionReport {
  table: string;
  shards: ShardPartitions[];
}

/** Per shard, each partition's rows (counted now), size and index size from the catalog, share and skew. */
export async function inspectPartitions(cluster: Pools): Promise<PartitionReport> {
  const shards = await Promise.all(
    cluster.shards.map(async (shard): Promise<ShardPartitions | null> => {
      try {
        return await cluster.pools.onShard(shard.id, (pool) => inspectShard(pool, shard.name));
      } catch (err) {
        if (err instanceof ShardRemovedError) return null;
        if (!(err instanceof ShardUnavailableError)) throw err;
        return { ...empty(shard.name), reachable: false };
      }
    }),
  );
  return { table: USERS, shards: shards.filter((s) => s !== null) };
}

const empty = (shard_name: string): ShardPartitions => ({
  shard_name,
  reachable: true,
  partitioned: false,
  modulus: null,
  users_rows: 0,
  rows: 0,
  last_build: null,
  out_of_step: 0,
  partitions: [],
  skew_pct: null,
  chi_square: null,
  degrees_of_freedom: null,
  ring_hash_chi_square: null,
});

/**
 * One shard, read in one snapshot under a share lock on users: a build's swap or a cancel's clean-up (which
 * rename and drop tables) then waits for the few milliseconds this takes instead of landing between its queries,
 * so the counts and the catalog describe the same table.
 */
function inspectShard(pool: pg.Pool, shardName: string): Promise<ShardPartitions> {
  return inTransaction(pool, `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; LOCK TABLE ${USERS} IN ACCESS SHARE MODE`, (db) => readShard(db, shardName));
}

async function readShard(db: pg.ClientBase, shardName: string): Promise<ShardPartitions> {
  const users = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${USERS}`)).rows[0]?.n ?? 0);
  const built = await lastBuild(db);
  const noted = { users_rows: users, last_build: built?.mode ?? null, out_of_step: built ? built.lost + built.revived : 0 };
  if ((await modulusOf(db)) === null) return { ...empty(shardName), ...noted };
  const { rows: parts } = await db.query<{ name: string; bound: string; table_bytes: string; index_bytes: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound,
            pg_relation_size(c.oid) AS table_bytes, pg_indexes_size(c.oid) AS index_bytes
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'public.${USERS}'::regclass`,
  );
  const { rows: counts } = await db.query<{ name: string; n: string }>(`SELECT tableoid::regclass::text AS name, count(*) AS n FROM ${USERS} GROUP BY 1`);
  const counted = new Map(counts.map((c) => [c.name, Number(c.n)]));
  const total = [...counted.values()].reduce((a, b) => a + b, 0);
  const partitions = parts
    .map((p): PartitionRow => {
      const rows = counted.get(p.name) ?? 0;
      const m = /remainder (\d+)/i.exec(p.bound);
      return {
        name: p.name,
        remainder: m ? Number(m[1]) : null,
        bound: p.bound,
        rows,
        share: total ? rows / total : 0,
        table_bytes: Number(p.table_bytes),
        index_bytes: Number(p.index_bytes),
      };
    })
    .sort((a, b) => (a.remainder ?? 0) - (b.remainder ?? 0));
  const modulus = Number(/modulus (\d+)/i.exec(parts[0]?.bound ?? '')?.[1] ?? partitions.length);
  const { rows: ranges } = await db.query<{ bucket: number; n: string }>(
    `SELECT (ring_hash * $1 / 4294967296)::int AS bucket, count(*) AS n FROM ${USERS} GROUP BY 1`,
    [modulus],
  );
  const byRange = Array.from({ length: modulus }, (_, b) => Number(ranges.find((r) => r.bucket === b)?.n ?? 0));
  return {
    ...empty(shardName),
    ...noted,
    partitioned: true,
    modulus,
    rows: total,
    partitions,
    ...spread(partitions.map((p) => p.rows)),
    ring_hash_chi_square: spread(byRange).chi_square,
  };
}

/** Skew and χ² of counts against an even spread: how evenly PostgreSQL's hash filled this shard's partitions. */
export function spread(counts: number[]): Pick<ShardPartitions, 'skew_pct' | 'chi_square' | 'degrees_of_freedom'> {
  const total = counts.reduce((a, b) => a + b, 0);
  if (counts.length === 0 || total === 0) return { skew_pct: null, chi_square: null, degrees_of_freedom: null };
  const mean = total / counts.length;
  return {
    skew_pct: (100 * (Math.max(...counts) - mean)) / mean,
    chi_square: counts.reduce((x, c) => x + (c - mean) ** 2 / mean, 0),
    degrees_of_freedom: counts.length - 1,
  };
}
