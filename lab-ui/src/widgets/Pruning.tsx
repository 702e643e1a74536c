import { useState } from 'react';
import { api } from '../api';
import { ms } from '../format';
import type { PlanTouch, PruningReport } from '../types';
import { ErrorNote, Panel, ShardSelect, useAction } from './common';

const LOOKUPS: { key: 'by_id' | 'by_id_runtime' | 'by_name'; title: string }[] = [
  { key: 'by_id', title: 'by id' },
  { key: 'by_id_runtime', title: 'by an id from a subquery (run-time pruning)' },
  { key: 'by_name', title: 'by first name' },
];

/** EXPLAIN ANALYZE, on the live shard, of one user looked up three ways: the partitions each plan keeps and reads. */
export function Pruning({ attrs }: { attrs: Record<string, string> }) {
  const [shard, setShard] = useState(attrs.shard ?? 'shard-0');
  const [report, setReport] = useState<PruningReport | null>(null);
  const run = useAction(async () => {
    setReport(null);
    setReport(await api<PruningReport>('GET', `/lab/v1/partitions/pruning?shard=${encodeURIComponent(shard)}`));
  });
  return (
    <Panel title="Which partitions a query reads" className="pruning">
      <div className="row">
        <ShardSelect label="Shard" value={shard} onChange={setShard} />
        <button type="button" className="primary" onClick={() => void run.run()} disabled={run.busy}>
          Explain
        </button>
        <span className="muted small">Runs EXPLAIN ANALYZE on {shard} for one of its users, looked up three ways.</span>
      </div>
      <ErrorNote error={run.error} />
      <p className="muted small">Filled: read. Dashed: in the plan, never executed (pruned while running). Struck through: pruned while planning.</p>
      {report && (
        <div className="pruning-out" aria-live="polite">
          <p className="small">
            User <span className="mono">{report.id}</span>, first name {report.first_name}, on {report.shard_name}.
          </p>
          {LOOKUPS.map(({ key, title }) => (
            <Lookup key={key} name={key} title={title} touch={report[key]} />
          ))}
        </div>
      )}
    </Panel>
  );
}

function Lookup({ name, title, touch }: { name: string; title: string; touch: PlanTouch }) {
  const all = Array.from({ length: touch.partitions_total }, (_, r) => `users_p${r}`);
  return (
    <section className="lookup" data-lookup={name} data-scanned={touch.scanned.length} data-planned={touch.planned.length}>
      <h4>
        {title}: read {touch.scanned.length} of {touch.partitions_total} partitions
      </h4>
      <ul className="partition-chips" aria-label="partitions: read, planned but never executed, or pruned while planning">
        {all.map((p) => {
          const state = touch.scanned.includes(p) ? 'read' : touch.planned.includes(p) ? 'never executed' : 'pruned';
          return (
            <li key={p} className={`chip chip-${state.replace(' ', '-')}`} title={`${p}: ${state}`}>
              {p.replace('users_', '')}
              <span className="sr-only"> {state}</span>
            </li>
          );
        })}
      </ul>
      <p className="small muted">
        planning {ms(touch.planning_ms)} ms · execution {ms(touch.execution_ms)} ms · <span className="mono">{touch.query}</span>
      </p>
      <details>
        <summary>Plan</summary>
        <pre className="plan">{touch.plan}</pre>
      </details>
    </section>
  );
}
