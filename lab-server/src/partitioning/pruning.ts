import { escapeLiteral } from 'pg';
import type pg from 'pg';
import type { Cluster } from '../cluster/cluster.js';
import { ConflictError, InvalidInputError } from '../domain/errors.js';
import { USERS } from './users-partitioned.js';

/** One query's plan on one shard: which partitions the plan kept, which it ran, and the times PostgreSQL reports. */
export interface PlanTouch {
  query: string;
  /** Partitions in the plan after planning-time pruning. */
  planned: string[];
  /** Partitions actually scanned (run-time pruning leaves some planned ones never executed). */
  scanned: string[];
  partitions_total: number;
  planning_ms: number;
  execution_ms: number;
  plan: string;
}

export interface PruningReport {
  shard_name: string;
  id: string;
  first_name: string;
  by_id: PlanTouch;
  by_id_runtime: PlanTouch;
  by_name: PlanTouch;
}

type Pools = Pick<Cluster, 'shards' | 'pools'>;

/**
 * EXPLAIN ANALYZE on one shard's hash-partitioned `users` of the same user looked up three ways: by id (pruned
 * while planning), by an id the plan only learns while running (pruned at run time), and by first name
 * (no partition key: every partition is read).
 */
export async function explainPruning(cluster: Pools, shardName: string, id?: string): Promise<PruningReport> {
  const shard = cluster.shards.find((s) => s.name === shardName);
  if (!shard) throw new InvalidInputError('validation_failed', `No shard '${shardName}'; choose one of ${cluster.shards.map((s) => s.name).join(', ')}.`);
  return cluster.pools.onShard(shard.id, async (pool) => {
    const total = await partitionCount(pool, shardName);
    const { rows } = await pool.query<{ id: string; first_name: string }>(
      id === undefined ? `SELECT id, first_name FROM ${USERS} ORDER BY id LIMIT 1` : `SELECT id, first_name FROM ${USERS} WHERE id = ${escapeLiteral(id)}`,
    );
    const user = rows[0];
    if (!user) {
      throw new ConflictError(
        'no_rows',
        id === undefined
          ? `${shardName}: ${USERS} holds no users. Seed some users, then explain again.`
          : `${shardName}: no user ${id} in ${USERS}; pick an id that lives on this shard (or leave it out).`,
      );
    }
    const byId = `SELECT * FROM ${USERS} WHERE id = ${escapeLiteral(user.id)}`;
    // The id comes from a subquery (an InitPlan), so the planner cannot prune; the executor does, once it has the value.
    const byIdRuntime = `SELECT * FROM ${USERS} WHERE id = (SELECT ${escapeLiteral(user.id)}::uuid)`;
    const byName = `SELECT * FROM ${USERS} WHERE first_name = ${escapeLiteral(user.first_name)}`;
    return {
      shard_name: shardName,
      id: user.id,
      first_name: user.first_name,
      by_id: await explain(pool, byId, total),
      by_id_runtime: await explain(pool, byIdRuntime, total),
      by_name: await explain(pool, byName, total),
    };
  });
}

async function partitionCount(pool: pg.Pool, shardName: string): Promise<number> {
  const { rows } = await pool.query<{ n: string | null }>(`SELECT count(*)::text AS n FROM pg_inherits WHERE inhparent = to_regclass('public.${USERS}')`);
  const n = Number(rows[0]?.n ?? 0);
  if (n === 0)
    throw new ConflictError('not_partitioned', `${shardName}: ${USERS} is not partitioned yet. Build the partitions first (POST /lab/v1/partitions).`);
  return n;
}

interface PlanNode {
  'Relation Name'?: string;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

async function explain(pool: pg.Pool, query: string, total: number): Promise<PlanTouch> {
  const json = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Planning Time': number; 'Execution Time': number }] }>(
    `EXPLAIN (ANALYZE, FORMAT JSON) ${query}`,
  );
  const top = json.rows[0]!['QUERY PLAN'][0];
  const planned: string[] = [];
  const scanned: string[] = [];
  const walk = (n: PlanNode) => {
    // Scans of the parent's partitions.
    const rel = n['Relation Name'];
    if (rel && /^users_p\d+$/.test(rel)) {
      planned.push(rel);
      if ((n['Actual Loops'] ?? 0) > 0) scanned.push(rel);
    }
    for (const c of n.Plans ?? []) walk(c);
  };
  walk(top.Plan);
  const text = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${query}`);
  return {
    query,
    planned: [...new Set(planned)],
    scanned: [...new Set(scanned)],
    partitions_total: total,
    planning_ms: top['Planning Time'],
    execution_ms: top['Execution Time'],
    plan: text.rows.map((r) => r['QUERY PLAN']).join('\n'),
  };
}

/** The scan the chapter asks about: a condition on no partition key, so every partition is read. */
export const SCAN_SQL = `SELECT count(*) FROM ${USERS} WHERE first_name LIKE 'A%'`;

export interface ParallelPlan {
  shard_name: string;
  query: string;
  /** Parallel workers the planner asks for (Gather's Workers Planned); 0 for a plain Append. */
  workers_planned: number;
  partitions_total: number;
  /** Bytes of the largest partition, beside the size below which a scan gets no worker. */
  largest_partition_bytes: number;
  min_parallel_table_scan_size_bytes: number;
  plan: string;
}

interface WorkerNode {
  'Workers Planned'?: number;
  Plans?: WorkerNode[];
}

/** EXPLAIN (without running it) of the scan on one shard: the workers the planner chose, and the sizes that decided. */
export async function explainParallel(cluster: Pools, shardName: string): Promise<ParallelPlan> {
  const shard = cluster.shards.find((s) => s.name === shardName);
  if (!shard) throw new InvalidInputError('validation_failed', `No shard '${shardName}'; choose one of ${cluster.shards.map((s) => s.name).join(', ')}.`);
  return cluster.pools.onShard(shard.id, async (pool) => {
    const total = await partitionCount(pool, shardName);
    const json = await pool.query<{ 'QUERY PLAN': [{ Plan: WorkerNode }] }>(`EXPLAIN (FORMAT JSON) ${SCAN_SQL}`);
    let planned = 0;
    const walk = (n: WorkerNode) => {
      planned += n['Workers Planned'] ?? 0;
      for (const c of n.Plans ?? []) walk(c);
    };
    walk(json.rows[0]!['QUERY PLAN'][0].Plan);
    const text = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${SCAN_SQL}`);
    const { rows } = await pool.query<{ largest: string; min: string }>(
      `SELECT coalesce(max(pg_relation_size(inhrelid)), 0) AS largest, pg_size_bytes(current_setting('min_parallel_table_scan_size')) AS min
         FROM pg_inherits WHERE inhparent = '${USERS}'::regclass`,
    );
    return {
      shard_name: shardName,
      query: SCAN_SQL,
      workers_planned: planned,
      partitions_total: total,
      largest_partition_bytes: Number(rows[0]!.largest),
      min_parallel_table_scan_size_bytes: Number(rows[0]!.min),
      plan: text.rows.map((r) => r['QUERY PLAN']).join('\n'),
    };
  });
}
