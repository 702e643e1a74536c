import type pg from 'pg';
import type { Cluster } from '../cluster/cluster.js';
import { ShardRemovedError, ShardUnavailableError } from '../cluster/errors.js';
import { ConflictError } from '../domain/errors.js';

/**
 * The Partitioning chapter's table: a copy of `users`, hash-partitioned by id inside every shard as the
 * original partitions its `users` (`PARTITION BY HASH (id)`, partitions `users_p0…`). The messenger keeps
 * its plain `users`, so resharding, seeding and failover are untouched; a trigger on `users` keeps the copy
 * in step with every later write, so the partitions hold what the shard holds.
 */
export const PARTITIONED = 'users_partitioned';
const SYNC = 'users_partitioned_sync';
export const partitionName = (remainder: number): string => `users_p${remainder}`;

/** What PostgreSQL allows and the chapter teaches: a handful to a few dozen hash partitions. */
export const MIN_PARTITIONS = 2;
export const MAX_PARTITIONS = 64;

export interface BuildReport {
  partitions: number;
  shards: { shard_name: string; rows_copied: number; ms: number }[];
}

type Pools = Pick<Cluster, 'shards' | 'pools'>;

/**
 * (Re)builds `users_partitioned` with `partitions` hash partitions on every shard and copies `users` into it.
 * One transaction per shard: writes to that shard's `users` wait for the copy (the trigger's lock), so none
 * is lost and none fails; `ms` is how long they waited at most.
 */
export async function buildPartitions(cluster: Pools, partitions: number): Promise<BuildReport> {
  const shards = await Promise.all(
    cluster.shards.map(async (shard) => {
      const db = await cluster.pools.connectBulk(shard.id, 'shard-lab-partitioning');
      const started = performance.now();
      try {
        await db.query('BEGIN');
        const copied = await rebuild(db, partitions);
        await db.query('COMMIT');
        return { shard_name: shard.name, rows_copied: copied, ms: Math.round(performance.now() - started) };
      } catch (err) {
        await db.query('ROLLBACK').catch(() => undefined);
        throw new ConflictError(
          'partitioning_failed',
          `${shard.name}: building ${PARTITIONED} failed (${errText(err)}); nothing changed there. Check the shard is up, then build again.`,
        );
      } finally {
        await db.end().catch(() => undefined);
      }
    }),
  );
  return { partitions, shards };
}

async function rebuild(db: pg.ClientBase, partitions: number): Promise<number> {
  // Writers wait from here to COMMIT, so none is missed by the copy; readers of users go on (this mode, unlike
  // the ACCESS EXCLUSIVE a DROP TRIGGER takes, does not block SELECT).
  await db.query('LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE');
  await db.query(`DROP TABLE IF EXISTS ${PARTITIONED}`);
  // The original's columns (its ring has no stored hash, so neither does this copy: resharding and the
  // placement audit, which follow ring_hash columns, leave it alone).
  await db.query(`CREATE TABLE ${PARTITIONED} (
    id uuid NOT NULL, first_name varchar(100) NOT NULL, last_name varchar(100) NOT NULL, email varchar(255),
    created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, PRIMARY KEY (id)
  ) PARTITION BY HASH (id)`);
  for (let r = 0; r < partitions; r++) {
    await db.query(`CREATE TABLE ${partitionName(r)} PARTITION OF ${PARTITIONED} FOR VALUES WITH (MODULUS ${partitions}, REMAINDER ${r})`);
  }
  // Declared once on the parent; PostgreSQL creates one per partition.
  await db.query(`CREATE INDEX ${PARTITIONED}_name ON ${PARTITIONED} (first_name, last_name)`);
  await db.query(`CREATE INDEX ${PARTITIONED}_created_at ON ${PARTITIONED} (created_at DESC, id DESC)`);
  await db.query(`CREATE OR REPLACE FUNCTION ${SYNC}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN DELETE FROM ${PARTITIONED} WHERE id = OLD.id; END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO ${PARTITIONED} VALUES (NEW.id, NEW.first_name, NEW.last_name, NEW.email, NEW.created_at, NEW.updated_at);
      END IF;
      RETURN NULL;
    END $$`);
  await db.query(`CREATE OR REPLACE TRIGGER ${SYNC} AFTER INSERT OR UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION ${SYNC}()`);
  const copied = await db.query(`INSERT INTO ${PARTITIONED} SELECT id, first_name, last_name, email, created_at, updated_at FROM users`);
  await db.query(`ANALYZE ${PARTITIONED}`);
  return copied.rowCount ?? 0;
}

/** Removes the table, its partitions and the trigger from every shard that has them (a chapter reset). */
export async function dropPartitions(cluster: Pools): Promise<{ shards: { shard_name: string; dropped: boolean }[] }> {
  const shards = await Promise.all(
    cluster.shards.map((shard) =>
      cluster.pools.onShard(shard.id, async (pool) => {
        const had = await exists(pool);
        await pool.query(`DROP TRIGGER IF EXISTS ${SYNC} ON users`);
        await pool.query(`DROP TABLE IF EXISTS ${PARTITIONED}`);
        await pool.query(`DROP FUNCTION IF EXISTS ${SYNC}()`);
        return { shard_name: shard.name, dropped: had };
      }),
    ),
  );
  return { shards };
}

async function exists(db: pg.Pool | pg.ClientBase): Promise<boolean> {
  const { rows } = await db.query<{ t: string | null }>(`SELECT to_regclass('public.${PARTITIONED}')::text AS t`);
  return rows[0]?.t != null;
}

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
  /** Rows in the shard's plain `users`, beside the partitioned copy's: equal when the copy is in step. */
  users_rows: number;
  rows: number;
  /** Ids in one table and not the other, compared in one snapshot: 0 when no write was lost or left over. */
  out_of_step: number;
  partitions: PartitionRow[];
  /** How far the fullest partition is above the mean, in percent; null without rows. */
  skew_pct: number | null;
  /** Pearson's χ² of the counts against an even spread; about `degrees_of_freedom` (± √(2·df)) when the hash spreads evenly. */
  chi_square: number | null;
  degrees_of_freedom: number | null;
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
  return { table: PARTITIONED, shards: shards.filter((s) => s !== null) };
}

const empty = (shard_name: string): ShardPartitions => ({
  shard_name,
  reachable: true,
  partitioned: false,
  modulus: null,
  users_rows: 0,
  rows: 0,
  out_of_step: 0,
  partitions: [],
  skew_pct: null,
  chi_square: null,
  degrees_of_freedom: null,
});

async function inspectShard(pool: pg.Pool, shardName: string): Promise<ShardPartitions> {
  const users = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]?.n ?? 0);
  if (!(await exists(pool))) return { ...empty(shardName), users_rows: users };
  // One statement, one snapshot: a write commits to both tables or neither, so any difference here is real.
  const { rows: step } = await pool.query<{ users: string; copy: string; apart: string }>(
    `SELECT count(u.id) AS users, count(p.id) AS copy, count(*) FILTER (WHERE u.id IS NULL OR p.id IS NULL) AS apart
       FROM users u FULL JOIN ${PARTITIONED} p ON p.id = u.id`,
  );
  const { rows: parts } = await pool.query<{ name: string; bound: string; table_bytes: string; index_bytes: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound,
            pg_relation_size(c.oid) AS table_bytes, pg_indexes_size(c.oid) AS index_bytes
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'public.${PARTITIONED}'::regclass`,
  );
  const { rows: counts } = await pool.query<{ name: string; n: string }>(
    `SELECT tableoid::regclass::text AS name, count(*) AS n FROM ${PARTITIONED} GROUP BY 1`,
  );
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
  return {
    ...empty(shardName),
    users_rows: Number(step[0]?.users ?? users),
    out_of_step: Number(step[0]?.apart ?? 0),
    partitioned: true,
    modulus,
    rows: Number(step[0]?.copy ?? total),
    partitions,
    ...spread(partitions.map((p) => p.rows)),
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

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
