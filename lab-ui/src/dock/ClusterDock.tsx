import { useState } from 'react';
import { Widget } from '../widgets/registry';

/** What every chapter page keeps one click away, whatever its text places inline. */
const PANELS = [
  { widget: 'topology', label: 'Topology' },
  { widget: 'metrics', label: 'Metrics' },
  { widget: 'loadtest', label: 'Load test' },
  { widget: 'migrations', label: 'Migrations' },
] as const;
type PanelName = (typeof PANELS)[number]['widget'];

const NO_ATTRS = {};

/**
 * The cluster dock: the live topology (add, remove, promote shards), the metrics, a load test and the
 * migrations. A panel mounts the first time it is shown and stays mounted while hidden, so a load test
 * started here keeps its chart when the learner looks at the topology.
 */
export function ClusterDock() {
  const [shown, setShown] = useState<PanelName>('topology');
  const [mounted, setMounted] = useState<ReadonlySet<PanelName>>(() => new Set(['topology']));
  const show = (name: PanelName) => {
    setShown(name);
    setMounted((m) => new Set(m).add(name));
  };
  return (
    <aside id="cluster-dock" className="dock" aria-label="Cluster">
      <div className="dock-tabs" role="tablist" aria-label="Cluster panels">
        {PANELS.map((p) => (
          <button
            key={p.widget}
            type="button"
            role="tab"
            id={`dock-tab-${p.widget}`}
            aria-selected={shown === p.widget}
            aria-controls={`dock-panel-${p.widget}`}
            tabIndex={shown === p.widget ? 0 : -1}
            onClick={() => show(p.widget)}
            onKeyDown={(e) => {
              const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
              if (!step) return;
              const i = PANELS.findIndex((x) => x.widget === shown);
              const next = PANELS[(i + step + PANELS.length) % PANELS.length]!.widget;
              show(next);
              document.getElementById(`dock-tab-${next}`)?.focus();
            }}
          >
            {p.label}
          </button>
        ))}
      </div>
      {PANELS.filter((p) => mounted.has(p.widget)).map((p) => (
        <div key={p.widget} id={`dock-panel-${p.widget}`} role="tabpanel" aria-labelledby={`dock-tab-${p.widget}`} hidden={shown !== p.widget}>
          <Widget name={p.widget} attrs={NO_ATTRS} />
        </div>
      ))}
    </aside>
  );
}
