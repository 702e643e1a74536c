import type { Cluster } from '../cluster/cluster.js';
import { DEMO_SCHEMA } from './fk-demo.js';

type Pools = Pick<Cluster, 'shards' | 'pools'>;

/**
 * The chapter's run records (races, walkthroughs), kept beside the demonstrations' records on the first shard, so
 * the chapter's checks read what really ran and Reset chapter (which drops the schema) forgets them.
 */
export async function recordRun(cluster: Pools, table: string, columns: string, row: Record<string, unknown>): Promise<void> {
  const first = cluster.shards[0]!;
  const names = Object.keys(row);
  await cluster.pools.onShard(first.id, async (pool) => {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${DEMO_SCHEMA}`);
    await pool.query(`CREATE TABLE IF NOT EXISTS ${DEMO_SCHEMA}.${table} (id bigserial PRIMARY KEY, ${columns}, at timestamptz NOT NULL DEFAULT now())`);
    await pool.query(
      `INSERT INTO ${DEMO_SCHEMA}.${table} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`,
      names.map((n) => row[n]),
    );
  });
}

/** The records of one table, oldest first (`select` names the columns); none before the first run. */
export async function listRuns<T extends object>(cluster: Pools, table: string, select: string): Promise<T[]> {
  const first = cluster.shards[0];
  if (!first) return [];
  return cluster.pools.onShard(first.id, async (pool) => {
    const exists = await pool.query<{ t: string | null }>(`SELECT to_regclass('${DEMO_SCHEMA}.${table}')::text AS t`);
    if (!exists.rows[0]?.t) return [];
    return (await pool.query<T>(`SELECT ${select} FROM ${DEMO_SCHEMA}.${table} ORDER BY id`)).rows;
  });
}
