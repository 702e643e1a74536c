import type { Cluster, Log } from '../cluster/cluster.js';
import type { RingVersion, ShardSpec } from '../cluster/topology-store.js';
import type { LabConfig } from '../config.js';
import type { Router } from '../sharding/router.js';
import type { FenceTarget } from '../sharding/write-gate.js';

/**
 * What moving data between shards may do to the running lab, and nothing more: read the ring it routes by,
 * pause writes on part of it and lift the pause, switch it to a new version, and hold the one topology change
 * in flight. The lab provides it; resharding owns the contract.
 */
export interface RingControl {
  readonly router: Router;
  readonly version: RingVersion;
  /** The ring with these shards, in the current strategy and vnode count. */
  with(shards: ShardSpec[]): Pick<RingVersion, 'strategy' | 'vnodes' | 'shards'>;
  /** Saves a new ring version and routes by it (in every process that serves requests). */
  switch(change: Pick<RingVersion, 'strategy' | 'vnodes' | 'shards' | 'reason'>): Promise<RingVersion>;
  /** Writes to the target wait until `lift`. */
  fence(target: FenceTarget): Promise<void>;
  lift(): Promise<void>;
  /** Runs `fn` as the only topology change in flight. */
  changeTopology<T>(fn: () => Promise<T>): Promise<T>;
}

/** A shard change's whole view of the lab: the ring it controls, the cluster it moves data in, and where to log. */
export interface ReshardHost {
  readonly ring: RingControl;
  readonly cluster: Cluster;
  readonly config: Pick<LabConfig, 'migrationsDir' | 'replicas'>;
  readonly log: Log;
  /**
   * Events the shard's outbox still holds (cross-shard cleanups written before cutover), or null when it cannot
   * be read: a drained shard is stopped only once this is 0.
   */
  outboxPending(shard: string): Promise<number | null>;
}
