import { useEffect, useId, useState } from 'react';
import { api } from '../api';
import { ms, signedPct } from '../format';
import type { components } from '../generated/api';
import { useChannel } from '../live';
import { ActionForm, ErrorNote, NumberField, Panel, useAction } from './common';
import { CompactTable } from './parts/CompactTable';

type Prediction = components['schemas']['Prediction'];
type Metric = Prediction['metric'];

const METRICS: Record<Metric, string> = {
  requests_per_s: 'req/s',
  'latency_ms.p50': 'p50 latency',
  'latency_ms.p95': 'p95 latency',
  'latency_ms.p99': 'p99 latency',
  error_rate: 'error rate',
};
const value = (m: Metric, v: number | null) =>
  v === null ? '–' : m === 'requests_per_s' ? v.toFixed(0) : m === 'error_rate' ? `${(v * 100).toFixed(2)} %` : `${ms(v)} ms`;
const signed = (p: number | null) => (p === null ? '–' : signedPct(p / 100));

/**
 * Predict, then measure (GET/POST /lab/v1/tuning/predictions): the learner writes down the change they expect
 * against the newest finished run, changes one thing, runs the same scenario, and the history shows both.
 */
export default function PredictionsWidget() {
  const [list, setList] = useState<Prediction[]>([]);
  const [change, setChange] = useState('');
  const [metric, setMetric] = useState<Metric>('requests_per_s');
  const [note, setNote] = useState('');
  const ids = { metric: useId(), note: useId() };
  const load = useAction(async () => setList((await api<{ predictions: Prediction[] }>('GET', '/lab/v1/tuning/predictions')).predictions));
  const predict = useAction(async () => {
    await api<Prediction>('POST', '/lab/v1/tuning/predictions', { change_pct: Number(change), metric, note });
    setChange('');
    setNote('');
    await load.run();
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: one first load; load is a new object each render
  useEffect(() => {
    void load.run();
  }, []);
  // A finished run may be the measurement a prediction waits for.
  useChannel<{ state: string }>('loadtest', (r) => {
    if (r.state === 'finished') void load.run();
  });
  return (
    <Panel title="Predict, then measure" className="predictions">
      <ActionForm onSubmit={() => void predict.run()}>
        <NumberField label="Predicted change (%)" value={change} onChange={setChange} min={-100} max={100000} placeholder="+20" />
        <span className="field">
          <label htmlFor={ids.metric}>of</label>
          <select id={ids.metric} value={metric} onChange={(e) => setMetric(e.target.value as Metric)}>
            {(Object.keys(METRICS) as Metric[]).map((m) => (
              <option key={m} value={m}>
                {METRICS[m]}
              </option>
            ))}
          </select>
        </span>
        <span className="field">
          <label htmlFor={ids.note}>after changing</label>
          <input id={ids.note} value={note} size={18} maxLength={200} placeholder="prepared statements off" onChange={(e) => setNote(e.target.value)} />
        </span>
        <button type="submit" disabled={predict.busy || change.trim() === '' || Number.isNaN(Number(change))}>
          Record prediction
        </button>
      </ActionForm>
      <p className="muted small">The prediction is against the newest finished load test; the next finished run of the same scenario measures it.</p>
      <ErrorNote error={load.error ?? predict.error} />
      {list.length > 0 && (
        <CompactTable label="Predictions and measurements" head={['#', 'change', 'predicted', 'before', 'after', 'measured', 'off by', 'knobs that differed']}>
          {list.map((p) => (
            <tr key={p.id} data-prediction={p.id} data-measured={p.measured_pct ?? ''}>
              <td>{p.id}</td>
              <td>{p.note || '–'}</td>
              <td>
                {signed(p.predicted_pct)} {METRICS[p.metric]}
              </td>
              <td>
                {value(p.metric, p.before.value)} <span className="muted small">{p.before.scenario}</span>
              </td>
              <td>{p.after ? value(p.metric, p.after.value) : <span className="muted">run {p.before.scenario} next</span>}</td>
              <td>{signed(p.measured_pct)}</td>
              <td>{p.off_by_points === null ? '–' : `${p.off_by_points > 0 ? '+' : ''}${p.off_by_points.toFixed(1)} points`}</td>
              <td className="small">{p.differed.join(', ') || (p.after ? 'nothing' : '')}</td>
            </tr>
          ))}
        </CompactTable>
      )}
    </Panel>
  );
}
