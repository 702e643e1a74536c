import type { Cluster } from '../cluster/cluster.js';
import { ShardRemovedError, ShardUnavailableError } from '../cluster/errors.js';
import { portOf } from '../cluster/shard-pools.js';
import type { RingVersion } from '../cluster/topology-store.js';
import { normalizeKey } from '../sharding/key.js';
import { routerFor } from '../sharding/strategies.js';
import type { WritePause } from '../sharding/write-gate.js';

/** Where one ring version sent a key: its point, virtual node and shard, and the server that was that shard's primary. */
export interface FateStep {
  version: number;
  reason: string;
  created_at: string;
  strategy: RingVersion['strategy'];
  vnodes: number | null;
  shard_count: number;
  /** The ring point the hash lands on (its first point clockwise); null under modulo. */
  point: number | null;
  vnode: string | null;
  shard: string;
  /** The primary's port under this version (a promotion changes it, not the shard); null for an external server. */
  port: number | null;
  /** The shard differs from the version before: the ring gave this key's arc to another shard here. */
  moved: boolean;
  /** Same shard, another server: a promotion of this shard's replica. */
  server_changed: boolean;
}

/** One key's whole history on the ring, and where its row is now. */
export interface KeyFate {
  key: string;
  hash: string;
  steps: FateStep[];
  /** Versions at which the key changed shard. */
  moves: number;
  now: { shard: string; port: number | null; replica_port: number | null };
  /** Each shard in the cluster now, and whether a `users` row with this id is on it. */
  rows: { shard: string; found: boolean | null }[];
  /**
   * routed: the row is on the shard the ring names; misplaced: it is elsewhere (a resize that moved nothing),
   * so a read by id misses; absent: no shard has it (deleted, or never a user).
   */
  verdict: 'routed' | 'misplaced' | 'absent';
  /** Requests for this key that waited at the write gate, oldest first. */
  paused: WritePause[];
}

const hex = (hash: number) => `0x${hash.toString(16).padStart(8, '0')}`;

/** The key under every ring version, oldest first (throws InvalidKeyError for a key that is not a UUID). */
export function fateSteps(key: string, history: readonly RingVersion[]): { key: string; hash: string; steps: FateStep[] } {
  const normalized = normalizeKey(key);
  let hash = 0;
  const steps: FateStep[] = [];
  for (const ring of history) {
    const router = routerFor(ring);
    const route = router.route(normalized);
    hash = route.hash;
    const spec = ring.shards.find((s) => s.name === route.shard_name);
    const port = spec ? (spec.port ?? portOf(spec.url)) : null;
    const before = steps.at(-1);
    steps.push({
      version: ring.version,
      reason: ring.reason,
      created_at: ring.created_at,
      strategy: ring.strategy,
      vnodes: ring.vnodes,
      shard_count: ring.shards.length,
      point: router.strategy.locate(route.hash).point,
      vnode: route.vnode,
      shard: route.shard_name,
      port,
      moved: before !== undefined && before.shard !== route.shard_name,
      server_changed: before !== undefined && before.shard === route.shard_name && before.port !== port,
    });
  }
  return { key: normalized, hash: hex(hash), steps };
}

/** The key's fate across `history`, and which of the cluster's shards hold its `users` row now. */
export async function keyFate(
  cluster: Pick<Cluster, 'shards' | 'pools' | 'replicas'>,
  history: readonly RingVersion[],
  key: string,
  pauses: readonly WritePause[] = [],
): Promise<KeyFate> {
  const { key: id, hash, steps } = fateSteps(key, history);
  const last = steps.at(-1)!;
  const rows = (
    await Promise.all(
      cluster.shards.map(async (shard) => {
        try {
          const found = await cluster.pools.onShard(shard.id, async (pool) => (await pool.query('SELECT 1 FROM users WHERE id = $1', [id])).rowCount! > 0);
          return { shard: shard.name, found };
        } catch (err) {
          if (err instanceof ShardRemovedError) return null;
          // A shard that is down cannot say: null, not false.
          if (err instanceof ShardUnavailableError) return { shard: shard.name, found: null };
          throw err;
        }
      }),
    )
  ).filter((r) => r !== null);
  const holders = rows.filter((r) => r.found).map((r) => r.shard);
  const shardId = cluster.shards.find((s) => s.name === last.shard)?.id;
  const replica = cluster.replicas.specs().find((r) => r.shard === shardId);
  return {
    key: id,
    hash,
    steps,
    moves: steps.filter((s) => s.moved).length,
    now: { shard: last.shard, port: last.port, replica_port: replica ? portOf(replica.url) : null },
    rows,
    verdict: holders.includes(last.shard) ? 'routed' : holders.length > 0 ? 'misplaced' : 'absent',
    paused: pauses.filter((p) => p.keys.includes(id)),
  };
}
