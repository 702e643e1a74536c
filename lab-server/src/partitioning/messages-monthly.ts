import type pg from 'pg';
import type { Cluster } from '../cluster/cluster.js';
import { ShardRemovedError, ShardUnavailableError } from '../cluster/errors.js';
import { ConflictError } from '../domain/errors.js';

/**
 * The Partitioning chapter's range case: a copy of `messages` on every shard, `PARTITION BY RANGE (created_at)`
 * with one partition per calendar month (UTC), months created ahead, and a DEFAULT partition for anything
 * outside them. A snapshot of the messages when built (no trigger): the chapter uses it to retire old months.
 */
export const MONTHLY = 'messages_monthly';
const DEFAULT_PARTITION = `${MONTHLY}_default`;
export const MAX_MONTHS_AHEAD = 24;
export const RETIRE_HOW = ['drop', 'delete'] as const;
export type RetireHow = (typeof RETIRE_HOW)[number];

type Pools = Pick<Cluster, 'shards' | 'pools'>;

/** `2025-11` → `messages_m2025_11`; months are UTC calendar months. */
const partitionName = (month: string) => `messages_m${month.replace('-', '_')}`;
const monthOf = (name: string) => /^messages_m(\d{4})_(\d{2})$/.exec(name)?.slice(1, 3).join('-') ?? null;
const nextMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};
/** A calendar month as the routes take it. */
export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export interface MonthlyBuild {
  months: string[];
  shards: { shard_name: string; rows_copied: number; ms: number }[];
}

/** The months from the oldest message on any shard to `ahead` months past the current one. */
async function monthRange(cluster: Pools, ahead: number): Promise<string[]> {
  const oldest = await Promise.all(
    cluster.shards.map((shard) =>
      cluster.pools.onShard(
        shard.id,
        async (pool) =>
          (await pool.query<{ m: string | null }>(`SELECT to_char(min(created_at) AT TIME ZONE 'UTC', 'YYYY-MM') AS m FROM messages`)).rows[0]?.m ?? null,
      ),
    ),
  );
  const now = new Date();
  let month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  const last = Array.from({ length: ahead }).reduce<string>((m) => nextMonth(m), month);
  const first = oldest.filter((m): m is string => m !== null).sort()[0];
  if (first && first < month) month = first;
  const months = [month];
  while (months.at(-1)! < last) months.push(nextMonth(months.at(-1)!));
  return months;
}

/** (Re)builds messages_monthly on every shard: a partition per month with messages, `ahead` more, a DEFAULT; copies the messages. */
export async function buildMonthly(cluster: Pools, ahead: number): Promise<MonthlyBuild> {
  const months = await monthRange(cluster, ahead);
  const shards = await Promise.all(
    cluster.shards.map((shard) =>
      cluster.pools.onShard(shard.id, async (pool) => {
        const started = performance.now();
        const db = await pool.connect();
        try {
          await db.query('BEGIN');
          await db.query(`DROP TABLE IF EXISTS ${MONTHLY}`);
          // The primary key must include the partition key: each partition checks uniqueness only inside itself.
          await db.query(`CREATE TABLE ${MONTHLY} (
            conversation_id uuid NOT NULL, id uuid NOT NULL, sender_id uuid, body text NOT NULL, created_at timestamptz NOT NULL,
            PRIMARY KEY (conversation_id, id, created_at)
          ) PARTITION BY RANGE (created_at)`);
          for (const m of months) {
            await db.query(
              `CREATE TABLE ${partitionName(m)} PARTITION OF ${MONTHLY} FOR VALUES FROM ('${m}-01 00:00:00+00') TO ('${nextMonth(m)}-01 00:00:00+00')`,
            );
          }
          await db.query(`CREATE TABLE ${DEFAULT_PARTITION} PARTITION OF ${MONTHLY} DEFAULT`);
          await db.query(`CREATE INDEX ${MONTHLY}_created_at ON ${MONTHLY} (created_at)`);
          const copied = await db.query(`INSERT INTO ${MONTHLY} SELECT conversation_id, id, sender_id, body, created_at FROM messages`);
          await db.query('COMMIT');
          await db.query(`ANALYZE ${MONTHLY}`);
          return { shard_name: shard.name, rows_copied: copied.rowCount ?? 0, ms: Math.round(performance.now() - started) };
        } catch (err) {
          await db.query('ROLLBACK').catch(() => undefined);
          throw err;
        } finally {
          db.release();
        }
      }),
    ),
  );
  return { months, shards };
}

export interface MonthPartition {
  name: string;
  /** `YYYY-MM`, or null for the DEFAULT partition. */
  month: string | null;
  bound: string;
  rows: number;
  bytes: number;
}

export interface MonthlyReport {
  table: string;
  shards: { shard_name: string; reachable: boolean; built: boolean; messages_rows: number; partitions: MonthPartition[] }[];
}

/** Per shard, each month's partition: its bound, rows counted now, and bytes with indexes (pg_total_relation_size). */
export async function inspectMonthly(cluster: Pools): Promise<MonthlyReport> {
  const shards = await Promise.all(
    cluster.shards.map(async (shard) => {
      try {
        return await cluster.pools.onShard(shard.id, async (pool) => {
          const messages = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM messages')).rows[0]?.n ?? 0);
          const partitions = await partitionsOf(pool);
          return { shard_name: shard.name, reachable: true, built: partitions !== null, messages_rows: messages, partitions: partitions ?? [] };
        });
      } catch (err) {
        if (err instanceof ShardRemovedError) return null;
        if (!(err instanceof ShardUnavailableError)) throw err;
        return { shard_name: shard.name, reachable: false, built: false, messages_rows: 0, partitions: [] };
      }
    }),
  );
  return { table: MONTHLY, shards: shards.filter((s) => s !== null) };
}

async function partitionsOf(db: pg.Pool | pg.ClientBase): Promise<MonthPartition[] | null> {
  const { rows: t } = await db.query<{ t: string | null }>(`SELECT to_regclass('public.${MONTHLY}')::text AS t`);
  if (t[0]?.t == null) return null;
  const { rows: parts } = await db.query<{ name: string; bound: string; bytes: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound, pg_total_relation_size(c.oid) AS bytes
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.${MONTHLY}'::regclass`,
  );
  const { rows: counts } = await db.query<{ name: string; n: string }>(`SELECT tableoid::regclass::text AS name, count(*) AS n FROM ${MONTHLY} GROUP BY 1`);
  const counted = new Map(counts.map((c) => [c.name, Number(c.n)]));
  return parts
    .map((p) => ({ name: p.name, month: monthOf(p.name), bound: p.bound, rows: counted.get(p.name) ?? 0, bytes: Number(p.bytes) }))
    .sort((a, b) => (a.month ?? '9999').localeCompare(b.month ?? '9999'));
}

export interface RetireReport {
  month: string;
  how: RetireHow;
  /** Per shard: rows removed, the statement's time, WAL the shard wrote meanwhile, bytes the month's partition gave back, and whether it is still there. */
  shards: { shard_name: string; rows: number; ms: number; wal_bytes: number; bytes_freed: number; partition_left: boolean }[];
}

/**
 * Retires one month on every shard: `drop` detaches its partition and drops it (catalog changes, whatever
 * the size); `delete` deletes its rows, each one written to the WAL and left as a dead tuple in a
 * partition that keeps its size. The month defaults to the oldest month partition on any shard.
 */
export async function retireMonth(cluster: Pools, how: RetireHow, month?: string): Promise<RetireReport> {
  const report = await inspectMonthly(cluster);
  if (report.shards.some((s) => !s.built)) throw new ConflictError('not_partitioned', `Build ${MONTHLY} first (\`partitions months build\`).`);
  const present = [...new Set(report.shards.flatMap((s) => s.partitions.map((p) => p.month)).filter((m): m is string => m !== null))].sort();
  const target = month ?? present[0];
  if (!target || !present.includes(target)) {
    throw new ConflictError('no_such_month', `No shard has a partition for ${target ?? 'any month'}; the months are ${present.join(', ') || 'none'}.`);
  }
  const name = partitionName(target);
  const shards = await Promise.all(
    cluster.shards.map((shard) =>
      cluster.pools.onShard(shard.id, async (pool) => {
        const db = await pool.connect();
        try {
          const size = async () =>
            Number((await db.query<{ b: string | null }>(`SELECT pg_total_relation_size(to_regclass('public.${name}')) AS b`)).rows[0]?.b ?? 0);
          const bytesBefore = await size();
          if (bytesBefore === 0 && !(await db.query(`SELECT 1 FROM pg_class WHERE relname = '${name}'`)).rowCount) {
            return { shard_name: shard.name, rows: 0, ms: 0, wal_bytes: 0, bytes_freed: 0, partition_left: false };
          }
          const rows = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`)).rows[0]?.n ?? 0);
          const lsn = (await db.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l')).rows[0]!.l;
          const started = performance.now();
          if (how === 'drop') {
            await db.query(`ALTER TABLE ${MONTHLY} DETACH PARTITION ${name}`);
            await db.query(`DROP TABLE ${name}`);
          } else {
            await db.query(`DELETE FROM ${MONTHLY} WHERE created_at >= '${target}-01 00:00:00+00' AND created_at < '${nextMonth(target)}-01 00:00:00+00'`);
          }
          const ms = performance.now() - started;
          const wal = Number((await db.query<{ w: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn) AS w', [lsn])).rows[0]!.w);
          const left = how === 'delete';
          return {
            shard_name: shard.name,
            rows,
            ms: Math.round(ms * 1000) / 1000,
            wal_bytes: wal,
            bytes_freed: bytesBefore - (left ? await size() : 0),
            partition_left: left,
          };
        } finally {
          db.release();
        }
      }),
    ),
  );
  return { month: target, how, shards };
}

/** Removes messages_monthly from every shard (the chapter's reset); `messages` is untouched. */
export async function dropMonthly(cluster: Pools): Promise<void> {
  await Promise.all(cluster.shards.map((shard) => cluster.pools.onShard(shard.id, (pool) => pool.query(`DROP TABLE IF EXISTS ${MONTHLY}`))));
}
