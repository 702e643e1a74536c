import type { MetricsTick, ShardInfo, Topology } from '../types';

/** A replica more than this far behind its primary is drawn as lagging. */
export const LAG_WARN_MS = 1000;

const q = (s: string) => `"${s.replace(/"/g, '#quot;')}"`;
const port = (url: string) => {
  try {
    return new URL(url).port;
  } catch {
    return '';
  }
};

/**
 * The cluster as a Mermaid flowchart: the API and its router, one node per shard (coloured by status; dashed when
 * outside the ring), the share of the ring on each arrow, replicas with their lag, and the catalog.
 */
export function topologyDiagram(t: Topology, metrics: MetricsTick | null): string {
  const ringNames = t.ring.shards ?? t.shards.filter((s) => s.in_ring !== false).map((s) => s.name);
  const share = new Map(ringNames.map((n, i) => [n, t.ring.shares[i] ?? 0]));
  const lines = ['flowchart TB'];
  const router = `${t.ring.strategy} · ring v${t.ring.version}${t.ring.vnodes ? ` · ${t.ring.vnodes} vnodes` : ''}`;
  lines.push(`  api[${q(`Messenger API<br/>router: ${router}`)}]`);
  lines.push(`  cat[(${q('catalog<br/>lab state')})]`);
  lines.push('  api -.- cat');
  const classes: Record<string, string[]> = { up: [], down: [], paused: [], starting: [], outside: [], lagging: [] };
  for (const s of t.shards) {
    const node = `s${s.id}`;
    const p = port(s.url);
    lines.push(`  ${node}[(${q(`${s.name}<br/>${p ? `:${p} · ` : ''}${s.status}`)})]`);
    const inRing = share.has(s.name);
    lines.push(inRing ? `  api -->|${q(`${(100 * share.get(s.name)!).toFixed(1)} %`)}| ${node}` : `  api -.->|${q('not in ring')}| ${node}`);
    (classes[s.status] ?? classes.starting!).push(node);
    if (!inRing) classes.outside!.push(node);
    replicasOf(s, metrics).forEach((r, i) => {
      const rn = `${node}r${i}`;
      // Coarse on purpose: the diagram is redrawn only when its text changes, not on every metrics tick.
      const lag = r.lagMs === null ? 'lag ?' : r.lagMs < LAG_WARN_MS ? 'lag < 1 s' : `lag ${Math.round(r.lagMs / 1000)} s`;
      lines.push(`  ${rn}[(${q(`${r.name}<br/>${r.down ? 'down' : (r.state ?? 'replica')}`)})]`);
      lines.push(`  ${node} -. ${q(lag)} .-> ${rn}`);
      classes[r.down ? 'down' : r.lagMs !== null && r.lagMs > LAG_WARN_MS ? 'lagging' : 'up']!.push(rn);
    });
  }
  lines.push('  classDef up fill:#e7f3ea,stroke:#2e7d32,color:#111');
  lines.push('  classDef down fill:#fde7e7,stroke:#c62828,color:#111,stroke-width:3px');
  lines.push('  classDef paused fill:#fff3dc,stroke:#b26a00,color:#111,stroke-width:3px');
  lines.push('  classDef starting fill:#eef1f6,stroke:#5b6b82,color:#111');
  lines.push('  classDef lagging fill:#fff3dc,stroke:#b26a00,color:#111,stroke-width:3px');
  lines.push('  classDef outside stroke-dasharray:6 4');
  for (const [cls, nodes] of Object.entries(classes)) if (nodes.length) lines.push(`  class ${nodes.join(',')} ${cls}`);
  return lines.join('\n');
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
