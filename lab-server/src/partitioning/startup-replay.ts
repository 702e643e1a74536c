import type { Cluster } from '../cluster/cluster.js';
import type { STARTUP_MODES } from '../contracts/partitions.js';
import { ConflictError } from '../domain/errors.js';
import { modulusOf, recreateEmpty, USERS } from './users-partitioned.js';

/** The count the original's server creates at start-up; its docs and migration say 16. */
export const STARTUP_PARTITIONS = 8;
export type StartupMode = (typeof STARTUP_MODES)[number];

export interface StartupReport {
  mode: StartupMode;
  expected: number;
  shards: { shard_name: string; found: number | null; action: 'kept' | 'dropped'; rows_before: number; rows_after: number }[];
}

type Pools = Pick<Cluster, 'shards' | 'pools'>;

/**
 * Replays the original's start-up on the messenger's `users`: where it is hash-partitioned with a count other
 * than 8, `faithful` drops it and creates it again empty, as the original's server does (the rows that hang
 * off those users go with them); `guarded` refuses before touching any shard, naming the rows at stake.
 */
export async function replayStartup(cluster: Pools, mode: StartupMode): Promise<StartupReport> {
  const found = await Promise.all(
    cluster.shards.map((shard) =>
      cluster.pools.onShard(shard.id, async (pool) => {
        const modulus = await modulusOf(pool);
        const rows = modulus === null ? 0 : Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${USERS}`)).rows[0]?.n ?? 0);
        return { shard, modulus, rows };
      }),
    ),
  );
  const differ = found.filter((f) => f.modulus !== null && f.modulus !== STARTUP_PARTITIONS);
  if (mode === 'guarded' && differ.length > 0) {
    const rows = differ.reduce((n, f) => n + f.rows, 0);
    throw new ConflictError(
      'partition_count_differs',
      `${differ.map((f) => `${f.shard.name} has ${f.modulus}`).join(', ')} partitions where start-up expects ${STARTUP_PARTITIONS}. The original would drop ${USERS} there and lose its ${rows.toLocaleString('en-US')} rows; the lab refuses and changes nothing. Repartition online instead (\`partitions build ${STARTUP_PARTITIONS}\`).`,
      { shards: differ.map((f) => f.shard.name), rows },
    );
  }
  const shards = await Promise.all(
    found.map(async ({ shard, modulus, rows }) => {
      const base = { shard_name: shard.name, found: modulus, rows_before: rows };
      // A plain users is the lab's before the chapter's step; partitioning it is a build's work, which copies the rows.
      if (modulus === null || modulus === STARTUP_PARTITIONS) return { ...base, action: 'kept' as const, rows_after: rows };
      const db = await cluster.pools.connectBulk(shard.id, 'shard-lab-partitioning');
      try {
        await recreateEmpty(db, STARTUP_PARTITIONS);
      } finally {
        await db.end().catch(() => undefined);
      }
      return { ...base, action: 'dropped' as const, rows_after: 0 };
    }),
  );
  return { mode, expected: STARTUP_PARTITIONS, shards };
}
