import { useEffect, useId, useState } from 'react';
import { api } from '../api';
import { fmt, ms } from '../format';
import type { components } from '../generated/api';
import { ErrorNote, Panel, ShardSelect, useAction } from './common';
import { CompactTable } from './parts/CompactTable';

type TopStatements = components['schemas']['TopStatements'];
type Order = TopStatements['by'];

const ORDERS: Record<Order, string> = { total: 'total time', calls: 'calls', mean: 'mean time' };

/** The top statements per shard from pg_stat_statements (GET /lab/v1/tuning/statements): reset, run a load, look. */
export default function TopStatementsWidget({ attrs }: { attrs: Record<string, string> }) {
  const [shard, setShard] = useState(attrs.shard ?? 'shard-0');
  const [by, setBy] = useState<Order>('total');
  const [data, setData] = useState<TopStatements | null>(null);
  const byId = useId();
  const load = useAction(async (s: string, b: Order) => {
    setData(await api<TopStatements>('GET', `/lab/v1/tuning/statements?by=${b}&limit=8&shard=${encodeURIComponent(s)}`));
  });
  const reset = useAction(async () => {
    await api<TopStatements>('POST', '/lab/v1/tuning/statements/reset');
    await load.run(shard, by);
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the shard or the order changes; load is a new function each render
  useEffect(() => {
    void load.run(shard, by);
  }, [shard, by]);
  const s = data?.shards[0];
  return (
    <Panel
      title="Top statements (pg_stat_statements)"
      className="top-statements"
      actions={
        <>
          <button type="button" onClick={() => void load.run(shard, by)} disabled={load.busy}>
            Refresh
          </button>
          <button type="button" onClick={() => void reset.run()} disabled={reset.busy}>
            Reset statistics
          </button>
        </>
      }
    >
      <div className="row">
        <ShardSelect value={shard} onChange={setShard} label="Shard" />
        <span className="field">
          <label htmlFor={byId}>Order by</label>
          <select id={byId} value={by} onChange={(e) => setBy(e.target.value as Order)}>
            {(Object.keys(ORDERS) as Order[]).map((o) => (
              <option key={o} value={o}>
                {ORDERS[o]}
              </option>
            ))}
          </select>
        </span>
      </div>
      <ErrorNote error={load.error ?? reset.error} />
      {data?.unanswered && <p className="bad">{data.unanswered.join(', ')} did not answer (stopped or down): start it to see its statements.</p>}
      {s && (
        <>
          <p className="muted small">
            {ms(s.total_ms)} spent in statements on {s.shard} since {new Date(s.since).toLocaleTimeString()}.
          </p>
          {s.statements.length === 0 ? (
            <p className="muted">Nothing recorded since the reset: run a load test, then refresh.</p>
          ) : (
            <CompactTable label={`Top statements on ${s.shard}`} head={['share', 'total', 'calls', 'mean', 'rows', 'cache hit', 'statement']}>
              {s.statements.map((x) => (
                <tr key={x.query_id} data-share={x.share_pct}>
                  <td>{fmt(x.share_pct)} %</td>
                  <td>{ms(x.total_ms)}</td>
                  <td>{fmt(x.calls)}</td>
                  <td>{ms(x.mean_ms)}</td>
                  <td>{fmt(x.rows)}</td>
                  <td>{x.cache_hit_pct === null ? '–' : `${fmt(x.cache_hit_pct)} %`}</td>
                  <td className="mono small top-statements-query" title={x.query}>
                    {x.query.replace(/\s+/g, ' ')}
                  </td>
                </tr>
              ))}
            </CompactTable>
          )}
        </>
      )}
    </Panel>
  );
}
