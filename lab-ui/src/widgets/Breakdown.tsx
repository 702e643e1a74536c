import { useCallback, useState } from 'react';
import { api } from '../api';
import { fmt, ms } from '../format';
import type { components } from '../generated/api';
import { ErrorNote, Panel, useAction, usePolled } from './common';
import { CompactTable } from './parts/CompactTable';

type Breakdown = components['schemas']['LatencyBreakdown'];
type Part = keyof Breakdown['endpoints'][number]['parts'];

const PARTS: [Part, string][] = [
  ['pool_wait', 'pool wait'],
  ['query', 'query'],
  ['server', 'server work'],
  ['serialise', 'serialise'],
  ['response', 'response'],
  ['total', 'total'],
];
const RATES = [0, 10, 100];
const REFRESH_MS = 2000;

/**
 * Where the time goes (GET /lab/v1/tuning/breakdown): per endpoint, p50 and p95 of each part of a request,
 * from the request tracer's spans; live sampling decides how much of a load test it sees.
 */
export default function BreakdownWidget() {
  const [data, setData] = useState<Breakdown | null>(null);
  const refresh = useCallback(async () => setData(await api<Breakdown>('GET', '/lab/v1/tuning/breakdown')), []);
  const load = usePolled(refresh, REFRESH_MS);
  const reset = useAction(async () => setData(await api<Breakdown>('DELETE', '/lab/v1/tuning/breakdown')));
  const sample = useAction(async (percent: number) => {
    await api('PUT', '/lab/v1/traces/sampling', { percent });
    await refresh();
  });
  return (
    <Panel
      title="Where the time goes"
      className="breakdown"
      actions={
        <button type="button" onClick={() => void reset.run()} disabled={reset.busy}>
          Reset
        </button>
      }
    >
      <fieldset className="row">
        <legend className="muted small">Trace live traffic</legend>
        {RATES.map((p) => (
          <button key={p} type="button" aria-pressed={data?.sample_percent === p} onClick={() => void sample.run(p)} disabled={sample.busy}>
            {p === 0 ? 'off' : `${p} %`}
          </button>
        ))}
      </fieldset>
      <ErrorNote error={load.error ?? reset.error ?? sample.error} />
      {data && data.endpoints.length === 0 && (
        <p className="muted">No traced API request since {new Date(data.since).toLocaleTimeString()}: trace live traffic, then run a load test.</p>
      )}
      {data && data.endpoints.length > 0 && (
        <CompactTable label="Latency per endpoint, by part (p50 / p95, ms)" head={['endpoint', 'requests', ...PARTS.map(([, label]) => label)]}>
          {data.endpoints.map((e) => (
            <tr key={e.endpoint} data-endpoint={e.endpoint}>
              <td className="mono small">{e.endpoint}</td>
              <td>{fmt(e.requests)}</td>
              {PARTS.map(([p]) => (
                <td key={p} data-part={p} data-p50={e.parts[p].p50}>
                  {ms(e.parts[p].p50)} / {ms(e.parts[p].p95)}
                </td>
              ))}
            </tr>
          ))}
        </CompactTable>
      )}
    </Panel>
  );
}
