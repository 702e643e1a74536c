import type { MetricsTick, ShardInfo, Topology } from '../types';

/** A replica more than this far behind its primary is drawn as lagging. */
export const LAG_WARN_MS = 1000;

const port = (url: string) => {
  try {
    return new URL(url).port;
  } catch {
    return '';
  }
};

export type NodeState = 'up' | 'down' | 'paused' | 'starting' | 'lagging';

export interface ShardBox {
  name: string;
  x: number;
  /** `:port · status`. */
  detail: string;
  state: NodeState;
  /** Outside the ring: drawn dashed, and its arrow says so. */
  inRing: boolean;
  /** The ring's share as the arrow's label, e.g. `20.0 %`, or `not in ring`. */
  share: string;
}

export interface ReplicaBox {
  name: string;
  /** The shard column it streams from. */
  x: number;
  y: number;
  state: NodeState;
  /** What the stream does: `WAL stream · lag < 1 s`, `catchup · lag 3 s`, or `down — no stream`. */
  stream: string;
}

export interface TopologyLayout {
  width: number;
  height: number;
  router: string;
  shards: ShardBox[];
  replicas: ReplicaBox[];
}

/** The drawing's grid, in SVG units: one column per shard, its replicas stacked under it. */
export const GRID = { column: 150, gap: 14, shardY: 118, shardH: 58, replicaY: 214, replicaH: 50, replicaStep: 70 } as const;

/**
 * The cluster as a drawing: the API and its router, one box per shard (coloured by status; dashed when outside the
 * ring) with the ring's share on its arrow, and under each shard its replicas, each at the end of a WAL stream
 * labelled with its lag. Drawn by the lab itself, not by Mermaid, so it is on the first screen at once.
 */
export function topologyLayout(t: Topology, metrics: MetricsTick | null): TopologyLayout {
  const ringNames = t.ring.shards ?? t.shards.filter((s) => s.in_ring !== false).map((s) => s.name);
  const share = new Map(ringNames.map((n, i) => [n, t.ring.shares[i] ?? 0]));
  const width = Math.max(t.shards.length * (GRID.column + GRID.gap) - GRID.gap, 520);
  const left = (width - (t.shards.length * (GRID.column + GRID.gap) - GRID.gap)) / 2;
  const shards: ShardBox[] = [];
  const replicas: ReplicaBox[] = [];
  t.shards.forEach((s, i) => {
    const x = left + i * (GRID.column + GRID.gap);
    const p = port(s.url);
    const inRing = share.has(s.name);
    shards.push({
      name: s.name,
      x,
      detail: `${p ? `:${p} · ` : ''}${s.status}`,
      state: s.status,
      inRing,
      share: inRing ? `${(100 * share.get(s.name)!).toFixed(1)} %` : 'not in ring',
    });
    replicasOf(s, metrics).forEach((r, j) => {
      // Coarse on purpose: the drawing changes when the lag crosses a second, not on every metrics tick.
      const lag = r.lagMs === null ? 'lag ?' : r.lagMs < LAG_WARN_MS ? 'lag < 1 s' : `lag ${Math.round(r.lagMs / 1000)} s`;
      replicas.push({
        name: r.name,
        x,
        y: GRID.replicaY + j * GRID.replicaStep,
        state: r.down ? 'down' : r.lagMs !== null && r.lagMs > LAG_WARN_MS ? 'lagging' : 'up',
        stream: r.down ? 'down — no stream' : `${!r.state || r.state === 'streaming' ? 'WAL stream' : r.state} · ${lag}`,
      });
    });
  });
  const lowest = Math.max(GRID.shardY + GRID.shardH, ...replicas.map((r) => r.y + GRID.replicaH));
  return {
    width,
    height: lowest + 8,
    router: `${t.ring.strategy} · ring v${t.ring.version}${t.ring.vnodes ? ` · ${t.ring.vnodes} vnodes` : ''}`,
    shards,
    replicas,
  };
}

interface ReplicaView {
  name: string;
  state: string | null;
  down: boolean;
  lagMs: number | null;
}

/** Replicas from the topology (with their status), else from the metrics stream. */
function replicasOf(s: ShardInfo, metrics: MetricsTick | null): ReplicaView[] {
  if (s.replicas?.length) {
    return s.replicas.map((r) => ({ name: r.name, state: r.state, down: r.status === 'down', lagMs: r.lag_seconds === null ? null : r.lag_seconds * 1000 }));
  }
  const ticked = metrics?.shards.find((m) => m.name === s.name)?.replicas ?? [];
  return ticked.map((r) => ({ name: r.name, state: r.state, down: false, lagMs: r.lag_ms }));
}

/** The same picture in one sentence, for screen readers. */
export function topologySummary(t: Topology): string {
  const down = t.shards.filter((s) => s.status !== 'up');
  const state = down.length === 0 ? 'all up' : down.map((s) => `${s.name} ${s.status}`).join(', ');
  return `${t.shards.length} shards behind the messenger API (${state}); routing ${t.ring.strategy}, ring version ${t.ring.version}.`;
}
