import type { Cluster } from '../cluster/cluster.js';
import { MIGRATIONS_TABLE } from '../migrations/index.js';

/** Empties the messenger's tables on every shard; the migrations' bookkeeping stays, so the schema does too. */
export async function emptyMessengerTables(cluster: Pick<Cluster, 'shards' | 'pools'>): Promise<number> {
  const cleared = await Promise.all(
    cluster.shards.map((s) =>
      cluster.pools.onShard(s.id, async (pool) => {
        const { rows } = await pool.query<{ name: string }>(
          `SELECT format('%I', tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> $1`,
          [MIGRATIONS_TABLE],
        );
        if (rows.length > 0) await pool.query(`TRUNCATE ${rows.map((r) => r.name).join(', ')} CASCADE`);
        return rows.length;
      }),
    ),
  );
  return cleared[0] ?? 0;
}
