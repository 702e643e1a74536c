import type { ReplicaSpec } from '../cluster/cluster.js';
import type { RingVersion } from '../cluster/topology-store.js';
import type { FenceTarget } from '../sharding/write-gate.js';
import type { LabSettings } from './settings.js';

/** What a process serving the API follows besides the ring: the run-time settings and the replicas to read from. */
export interface PeerState {
  settings: LabSettings;
  replicas: ReplicaSpec[];
}

/**
 * Other processes serving writes with their own write gates and rings — prefork workers. A write pause, a
 * ring switch and a change of settings or replicas must reach them too, and each call resolves once every
 * one of them has done it.
 */
export interface WritePeers {
  fence(target: FenceTarget): Promise<void>;
  useRing(ring: RingVersion): Promise<void>;
  lift(): Promise<void>;
  /** Holds every shard's queries, once those running have ended (a chapter start's database swap), until release. */
  hold(): Promise<void>;
  release(): Promise<void>;
  sync(state: PeerState): Promise<void>;
  /** The user writes the peers acknowledged on the shard past WAL position `lsn` (see ReadRouter.writtenAfter). */
  writtenAfter(shard: number, lsn: string): Promise<string[]>;
}
