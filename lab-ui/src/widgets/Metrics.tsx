import { useEffect, useState } from 'react';
import { api } from '../api';
import { shardColor } from '../colors';
import { fmt, ms } from '../format';
import { useChannel, useLive } from '../live';
import type { MetricsTick } from '../types';
import { Panel } from './common';
import { TimeChart, type ChartSeries } from './TimeChart';

const KEEP = 180;
/** How long to wait for the first tick on the stream before saying there is none. */
const FIRST_TICK_MS = 5000;

const SERIES: ChartSeries[] = [
  { label: 'req/s', stroke: '#0072B2', scale: 'y' },
  { label: 'errors/s', stroke: '#B2182B', scale: 'y' },
  { label: 'p50 ms', stroke: '#009E73', scale: 'y2' },
  { label: 'p95 ms', stroke: '#E69F00', scale: 'y2' },
  { label: 'p99 ms', stroke: '#D55E00', scale: 'y2', dash: [4, 3] },
];

/** The lab's per-second metrics (`metrics` channel): API throughput and latency, and each shard's load. */
export default function Metrics() {
  const live = useLive();
  const [ticks, setTicks] = useState<MetricsTick[]>(() => live.metrics.slice(-KEEP));
  const [silent, setSilent] = useState(false);

  useEffect(() => {
    void api<{ history?: MetricsTick[] }>('GET', '/lab/v1/metrics').then(
      (r) => setTicks((now) => merge(r.history ?? [], now)),
      () => undefined,
    );
    const timer = setTimeout(() => setSilent(true), FIRST_TICK_MS);
    return () => clearTimeout(timer);
  }, []);

  useChannel<MetricsTick>('metrics', (tick) => {
    setSilent(false);
    setTicks((now) => merge(now, [tick]));
  });

  const latest = ticks.at(-1);
  const data = [
    ticks.map((t) => t.ts_ms / 1000),
    ticks.map((t) => t.api.requests_per_s),
    ticks.map((t) => t.api.errors_per_s),
    ticks.map((t) => t.api.latency_ms?.p50 ?? null),
    ticks.map((t) => t.api.latency_ms?.p95 ?? null),
    ticks.map((t) => t.api.latency_ms?.p99 ?? null),
  ];
  return (
    <Panel title="Metrics (one sample per second)" className="metrics">
      {!latest && (
        <p className="muted">
          {silent && !live.seen.has('metrics') ? 'No metrics yet: no sample has arrived on the event stream.' : 'Waiting for the first sample…'}
        </p>
      )}
      {latest && (
        <>
          <TimeChart label="Messenger API requests per second, errors per second and latency percentiles" series={SERIES} data={data} time y="req/s" y2="ms" />
          <div className="table-wrap">
            <table className="compact">
              <caption className="sr-only">Each shard in the last second</caption>
              <thead>
                <tr>
                  <th scope="col">shard</th>
                  <th scope="col">status</th>
                  <th scope="col">queries/s</th>
                  <th scope="col">connections (active/all)</th>
                  <th scope="col">users (estimate)</th>
                  <th scope="col">cache hits</th>
                  <th scope="col">pool waiting</th>
                  <th scope="col">replica lag</th>
                </tr>
              </thead>
              <tbody>
                {latest.shards.map((s) => (
                  <tr key={s.name}>
                    <th scope="row">
                      <span className="swatch" style={{ background: shardColor(s.name) }} aria-hidden="true" /> {s.name}
                    </th>
                    <td className={`status status-${s.status}`}>{s.status}</td>
                    <td>{s.queries_per_s === null ? '–' : fmt(Math.round(s.queries_per_s))}</td>
                    <td>{s.connections ? `${s.connections.active}/${s.connections.total}` : '–'}</td>
                    <td>{s.rows?.users === undefined ? '–' : fmt(s.rows.users)}</td>
                    <td>{s.cache_hit_ratio === null ? '–' : `${(s.cache_hit_ratio * 100).toFixed(1)} %`}</td>
                    <td>{s.pool ? s.pool.waiting : '–'}</td>
                    <td>{s.replicas?.length ? s.replicas.map((r) => (r.lag_ms === null ? '?' : `${ms(r.lag_ms)} ms`)).join(', ') : 'no replica'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted small">
            API now: {fmt(Math.round(latest.api.requests_per_s))} req/s, p95 {ms(latest.api.latency_ms?.p95)} ms. Measured by the lab on this machine.
          </p>
        </>
      )}
    </Panel>
  );
}

function merge(a: MetricsTick[], b: MetricsTick[]): MetricsTick[] {
  const byTs = new Map([...a, ...b].map((t) => [t.ts_ms, t]));
  return [...byTs.values()].sort((x, y) => x.ts_ms - y.ts_ms).slice(-KEEP);
}
