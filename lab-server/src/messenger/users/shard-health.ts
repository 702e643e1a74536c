import type pg from 'pg';
import type { Cluster } from '../../cluster/cluster.js';
import { ShardUnavailableError } from '../../cluster/errors.js';
import { replicaLag } from '../../cluster/replica.js';
import type { Router } from '../../sharding/router.js';
import { countUsers } from './pg-repository.js';

export interface ReplicaHealth {
  name: string;
  /** pg_stat_replication's state on the primary (`streaming` when it follows), or null when it is not connected. */
  state: string | null;
  lag_bytes: number | null;
  lag_seconds: number | null;
  /** Users the replica answers with, counted after it replayed what the primary had written when it was counted. */
  users: number | null;
  caught_up: boolean;
  matches_primary: boolean;
}

export interface ShardHealthEntry {
  shard_name: string;
  healthy: boolean;
  latency_ms: number | null;
  users: number | null;
  error: string | null;
  replicas: ReplicaHealth[];
}

export interface ShardHealthReport {
  healthy: boolean;
  shards: ShardHealthEntry[];
}

/** How long a replica may take to replay up to the primary's position before its count is compared anyway. */
const CATCH_UP_MS = 5_000;

/**
 * Every shard of the ring checked now: its primary answers (and how fast), its users, and for a replica its
 * replication state, lag and users — counted once the replica has replayed up to the primary's WAL position at
 * the primary's count, so equal counts mean the replica has every row, not that both happened to be idle.
 * What the original's SHARDING_GUIDE checks by hand (pg_stat_replication, COUNT(*) on each), as one route.
 */
export async function shardHealth(cluster: Pick<Cluster, 'shard' | 'pools'>, router: Router): Promise<ShardHealthReport> {
  const shards = await Promise.all(router.ids.map((id) => checkShard(cluster, id)));
  return { healthy: shards.every((s) => s.healthy && s.replicas.every((r) => r.state === 'streaming')), shards };
}

async function checkShard(cluster: Pick<Cluster, 'shard' | 'pools'>, id: number): Promise<ShardHealthEntry> {
  const shard = cluster.shard(id);
  const started = performance.now();
  try {
    const { users, lsn } = await cluster.pools.onShard(id, async (pool) => {
      const { rows } = await pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      return { users: await countUsers(pool), lsn: rows[0]!.lsn };
    });
    const latency_ms = performance.now() - started;
    const replicas = shard.replica ? [await checkReplica(shard.pool, shard.replica, lsn, users)] : [];
    return { shard_name: shard.name, healthy: true, latency_ms, users, error: null, replicas };
  } catch (err) {
    if (!(err instanceof ShardUnavailableError)) throw err;
    return { shard_name: shard.name, healthy: false, latency_ms: null, users: null, error: err.message, replicas: [] };
  }
}

async function checkReplica(primary: pg.Pool, replica: { name: string; pool: pg.Pool }, lsn: string, primaryUsers: number): Promise<ReplicaHealth> {
  const lag = await replicaLag(primary, replica.name);
  try {
    const caught_up = await replayedTo(replica.pool, lsn);
    const users = await countUsers(replica.pool);
    return { name: replica.name, state: lag.state, lag_bytes: lag.bytes, lag_seconds: lag.seconds, users, caught_up, matches_primary: users === primaryUsers };
  } catch {
    return { name: replica.name, state: lag.state, lag_bytes: lag.bytes, lag_seconds: lag.seconds, users: null, caught_up: false, matches_primary: false };
  }
}

/** Waits (up to CATCH_UP_MS) for the replica to replay past `lsn`; false if it did not. */
async function replayedTo(replica: pg.Pool, lsn: string): Promise<boolean> {
  const deadline = Date.now() + CATCH_UP_MS;
  for (;;) {
    const { rows } = await replica.query<{ done: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [lsn]);
    if (rows[0]?.done) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
