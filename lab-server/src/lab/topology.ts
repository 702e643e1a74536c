import type { Cluster, ClusterMode, ShardInfo } from '../cluster/cluster.js';
import type { ReadRouter, ReadStats } from '../cluster/reads.js';
import type { JobRegistry, JobView } from '../jobs/registry.js';
import type { RingKeeper } from './ring-keeper.js';

export interface Topology {
  mode: ClusterMode;
  shards: (ShardInfo & { in_ring: boolean })[];
  ring: { strategy: string; vnodes: number | null; version: number; shards: string[]; shares: number[] };
  /** Every ring version, oldest first, as the catalog keeps them (full shard specs: `GET /lab/v1/ring/versions`). */
  ring_versions: { version: number; shards: string[]; reason: string; created_at: string }[];
  /** The running job and the most recent ones (full views: `GET /lab/v1/jobs/:id`). */
  jobs: Pick<JobView, 'id' | 'kind' | 'state' | 'phase' | 'progress' | 'created_at' | 'finished_at'>[];
  reads: ReadStats;
}

const TOPOLOGY_JOBS = 10;

/** The cluster's shape as `GET /lab/v1/topology` and the `topology` event channel show it. */
export function topologyOf(
  cluster: Pick<Cluster, 'mode' | 'info'>,
  ring: Pick<RingKeeper, 'router' | 'version' | 'history'>,
  jobs: Pick<JobRegistry, 'list'>,
  reads: Pick<ReadRouter, 'snapshot'>,
): Topology {
  const { router, version } = ring;
  const inRing = new Set(version.shards.map((s) => s.name));
  return {
    mode: cluster.mode,
    shards: cluster.info().map((s) => ({ ...s, in_ring: inRing.has(s.name) })),
    ring: {
      strategy: router.strategy.name,
      vnodes: router.strategy.vnodes,
      version: version.version,
      shards: [...router.names],
      shares: router.strategy.shares(),
    },
    ring_versions: ring.history.map((v) => ({ version: v.version, shards: v.shards.map((x) => x.name), reason: v.reason, created_at: v.created_at })),
    jobs: jobs
      .list()
      .slice(0, TOPOLOGY_JOBS)
      .map(({ id, kind, state, phase, progress, created_at, finished_at }) => ({
        id,
        kind,
        state,
        ...(phase ? { phase } : {}),
        progress,
        created_at,
        finished_at,
      })),
    reads: reads.snapshot(),
  };
}
