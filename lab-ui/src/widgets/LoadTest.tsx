import { useEffect, useId, useRef, useState } from 'react';
import { api } from '../api';
import { fmt, ms } from '../format';
import { useChannel } from '../live';
import type { LoadSummary, LoadTestRun, Scenario } from '../types';
import { CompactTable } from './parts/CompactTable';
import { ErrorNote, NumberField, Panel, useAction } from './common';
import { CpuSplitTable } from './parts/CpuSplit';
import { TimeChart, type ChartSeries } from './TimeChart';

const SERIES: ChartSeries[] = [
  { label: 'req/s', stroke: '#0072B2', scale: 'y' },
  { label: 'p50 ms', stroke: '#009E73', scale: 'y2' },
  { label: 'p95 ms', stroke: '#E69F00', scale: 'y2' },
  { label: 'p99 ms', stroke: '#D55E00', scale: 'y2', dash: [4, 3] },
];

type Point = { t: number; rps: number; p50: number | null; p95: number | null; p99: number | null };

const active = (run: LoadTestRun | null) => run !== null && ['preparing', 'running'].includes(run.state);
const scenarioOf = (r: LoadTestRun) => r.scenario ?? r.params?.scenario ?? '?';

/** Load tests: pick a scenario, start and cancel it, watch req/s and latency live, read the summary, compare runs. */
export default function LoadTest({ attrs }: { attrs: Record<string, string> }) {
  const [scenarios, setScenarios] = useState<Scenario[]>([]);
  const [scenario, setScenario] = useState(attrs.scenario ?? 'smoke');
  const [duration, setDuration] = useState('');
  const [connections, setConnections] = useState('');
  const [run, setRun] = useState<LoadTestRun | null>(null);
  const [points, setPoints] = useState<Point[]>([]);
  const [history, setHistory] = useState<LoadTestRun[]>([]);
  const [compareId, setCompareId] = useState('');
  const lastEvent = useRef(0);
  const ids = { scenario: useId(), compare: useId() };

  const loadHistory = async () => {
    const h = await api<{ runs: LoadTestRun[] }>('GET', '/lab/v1/loadtests');
    setHistory(h.runs);
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: loads once on mount; loadHistory is a new function each render
  useEffect(() => {
    void api<{ scenarios: Scenario[] }>('GET', '/lab/v1/loadtests/scenarios').then(
      (r) => setScenarios(r.scenarios),
      () => undefined,
    );
    void loadHistory().catch(() => undefined);
  }, []);

  const follow = (r: LoadTestRun) => {
    setRun(r);
    const p = r.progress;
    if (p && active(r)) {
      setPoints((pts) =>
        pts.at(-1)?.t === p.elapsed_s
          ? pts
          : [...pts, { t: p.elapsed_s, rps: p.requests_per_s, p50: p.latency_ms?.p50 ?? null, p95: p.latency_ms?.p95 ?? null, p99: p.latency_ms?.p99 ?? null }],
      );
    }
    if (!active(r)) {
      void api<LoadTestRun>('GET', `/lab/v1/loadtests/${r.id}`).then(
        (full) => {
          setRun(full);
          if (full.timeline?.length)
            setPoints(
              full.timeline.map((s) => ({
                t: s.t_s,
                rps: s.requests_per_s,
                p50: s.latency_ms?.p50 ?? null,
                p95: s.latency_ms?.p95 ?? null,
                p99: s.latency_ms?.p99 ?? null,
              })),
            );
        },
        () => undefined,
      );
      void loadHistory().catch(() => undefined);
    }
  };

  useChannel<LoadTestRun>('loadtest', (r) => {
    if (run && r.id === run.id) {
      lastEvent.current = Date.now();
      follow(r);
    }
  });

  // If the stream carries no load-test events (another build), ask once a second instead.
  // biome-ignore lint/correctness/useExhaustiveDependencies: one timer per run (its id) while it is active, not a new one on every progress event
  useEffect(() => {
    if (!run || !active(run)) return;
    const timer = setInterval(() => {
      if (Date.now() - lastEvent.current < 2500) return;
      void api<LoadTestRun>('GET', `/lab/v1/loadtests/${run.id}`).then(follow, () => undefined);
    }, 1000);
    return () => clearInterval(timer);
  }, [run?.id, run && active(run)]);

  const start = useAction(async () => {
    const body: Record<string, unknown> = { scenario };
    if (duration.trim()) body.duration_s = Number(duration);
    if (connections.trim()) body.connections = Number(connections);
    const r = await api<{ id: string; run: LoadTestRun }>('POST', '/lab/v1/loadtests', body);
    setPoints([]);
    lastEvent.current = Date.now();
    setRun(r.run);
  });
  const cancel = useAction(async () => {
    if (run) await api('POST', `/lab/v1/loadtests/${run.id}/cancel`);
  });

  const chosen = scenarios.find((s) => s.name === scenario);
  const data = [points.map((p) => p.t), points.map((p) => p.rps), points.map((p) => p.p50), points.map((p) => p.p95), points.map((p) => p.p99)];
  const earlier = history.filter((h) => h.id !== run?.id && h.state === 'finished' && h.summary);
  const other = earlier.find((h) => h.id === compareId) ?? null;

  return (
    <Panel title="Load test" className="loadtest">
      <div className="row">
        <span className="field">
          <label htmlFor={ids.scenario}>Scenario</label>
          <select id={ids.scenario} value={scenario} onChange={(e) => setScenario(e.target.value)}>
            {(scenarios.length ? scenarios.map((s) => ({ name: s.name, label: `${s.title} (${s.name})` })) : [{ name: scenario, label: scenario }]).map((s) => (
              <option key={s.name} value={s.name}>
                {s.label}
              </option>
            ))}
          </select>
        </span>
        {(
          [
            ['Seconds (optional)', 600, duration, chosen?.duration_s, setDuration],
            ['Connections (optional)', 10000, connections, chosen?.connections, setConnections],
          ] as const
        ).map(([label, max, value, fallback, onChange]) => (
          // Empty means the scenario's own value, shown as the placeholder.
          <NumberField key={label} label={label} min={1} max={max} value={value} placeholder={fallback ? String(fallback) : ''} onChange={onChange} />
        ))}
        <button type="button" className="primary" onClick={() => void start.run()} disabled={start.busy || active(run)}>
          Start
        </button>
        <button type="button" onClick={() => void cancel.run()} disabled={!active(run) || cancel.busy}>
          Cancel
        </button>
      </div>
      {chosen?.description && <p className="muted small">{chosen.description}</p>}
      <ErrorNote error={start.error ?? cancel.error} />
      {run && (
        <p className="job-line" aria-live="polite" data-run-state={run.state}>
          Run <span className="mono">{run.id.slice(0, 8)}</span> ({runShape(run)}): <strong>{run.state}</strong>
          {runProgress(run)}
          {run.error ? ` — ${run.error}` : ''}
        </p>
      )}
      {run && (
        <TimeChart
          label="Requests per second and latency percentiles of the load test"
          series={SERIES}
          data={data}
          time={false}
          y="req/s"
          y2="ms"
          marks={(run.marks ?? []).map((m) => ({
            x: m.t_s,
            label: m.label,
            ...(m.around && {
              detail: `${m.until_s !== undefined ? `done at ${m.until_s} s; ` : ''}${fmt(m.around.before_rps)} req/s before (${m.around.before_s} s), ${fmt(m.around.after_rps)} after (${m.around.after_s} s): ${m.around.ratio}×`,
            }),
          }))}
        />
      )}
      {run?.notes?.length ? <p className="muted small">{run.notes.join(' ')}</p> : null}
      {run?.summary && (
        <SummaryTable
          rows={[
            { label: `this run (${scenarioOf(run)})`, summary: run.summary },
            ...(other?.summary ? [{ label: `earlier run ${other.id.slice(0, 8)} (${scenarioOf(other)})`, summary: other.summary }] : []),
          ]}
        />
      )}
      {run?.summary?.cpu && <CpuSplitTable cpu={run.summary.cpu} />}
      {run && other && <p className="muted small knob-diff">{knobDiff(other, run)}</p>}
      {earlier.length > 0 && run?.summary && (
        <span className="field">
          <label htmlFor={ids.compare}>Compare with an earlier run</label>
          <select id={ids.compare} value={compareId} onChange={(e) => setCompareId(e.target.value)}>
            <option value="">—</option>
            {earlier.map((h) => (
              <option key={h.id} value={h.id}>
                {h.id.slice(0, 8)} · {scenarioOf(h)} · {fmt(Math.round(h.summary!.requests_per_s))} req/s · {h.created_at?.slice(0, 19).replace('T', ' ') ?? ''}
              </option>
            ))}
          </select>
        </span>
      )}
    </Panel>
  );
}

/** What the run was asked for, as it runs it (the scenario's defaults with the learner's overrides applied). */
function runShape(run: LoadTestRun): string {
  const p = run.params;
  if (!p) return scenarioOf(run);
  const load = p.model === 'rate' && p.rate !== null ? `${fmt(p.rate)} req/s` : `${fmt(p.connections)} connections`;
  return `${scenarioOf(run)} · ${load} · ${fmt(p.duration_s)} s`;
}

/** Where a run is: its warm-up (not counted, so no numbers yet), then seconds of the total and the live rate. */
function runProgress(run: LoadTestRun): string {
  if (!active(run)) return '';
  const p = run.progress;
  const warmup = run.params?.warmup_s ?? 0;
  if (run.state === 'preparing') return ' — preparing the data it will use';
  if (!p || (p.elapsed_s === 0 && p.requests === 0)) {
    return warmup > 0 ? ` — warming up: ${fmt(warmup)} s of reads to open the connection pools, not counted` : ' — starting';
  }
  return ` — ${fmt(p.elapsed_s)} of ${fmt(p.duration_s)} s, ${fmt(p.requests)} requests, ${fmt(Math.round(p.requests_per_s))} req/s now`;
}

/** What the two runs ran under that differs: a fair before/after changes one knob. */
function knobDiff(before: LoadTestRun, after: LoadTestRun): string {
  const a = before.conditions ?? {};
  const b = after.conditions ?? {};
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((n) => a[n] !== b[n]);
  if (names.length === 0) return 'Both runs had the same knobs: the difference between them is the noise of this machine.';
  return `Knobs that differ (earlier → this run): ${names.map((n) => `${n} ${a[n] ?? '?'} → ${b[n] ?? '?'}`).join(', ')}.`;
}

function SummaryTable({ rows }: { rows: { label: string; summary: LoadSummary }[] }) {
  const [a, b] = rows;
  const ratio = (x: number | null | undefined, y: number | null | undefined) => (x && y ? `${(x / y).toFixed(2)}×` : '–');
  return (
    <CompactTable
      className="summary"
      label="Load test summary, measured on this machine"
      head={['run', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors']}
    >
      {rows.map(({ label, summary: s }) => (
        <tr key={label}>
          <th scope="row">{label}</th>
          <td>{fmt(s.requests)}</td>
          <td>{fmt(Math.round(s.requests_per_s))}</td>
          <td>{ms(s.latency_ms?.p50)}</td>
          <td>{ms(s.latency_ms?.p95)}</td>
          <td>{ms(s.latency_ms?.p99)}</td>
          <td>{ms(s.latency_ms?.max)}</td>
          <td>{fmt(s.errors)}</td>
        </tr>
      ))}
      {a && b && (
        <tr className="ratio">
          <th scope="row">this ÷ earlier</th>
          <td>{ratio(a.summary.requests, b.summary.requests)}</td>
          <td>{ratio(a.summary.requests_per_s, b.summary.requests_per_s)}</td>
          <td>{ratio(a.summary.latency_ms?.p50, b.summary.latency_ms?.p50)}</td>
          <td>{ratio(a.summary.latency_ms?.p95, b.summary.latency_ms?.p95)}</td>
          <td>{ratio(a.summary.latency_ms?.p99, b.summary.latency_ms?.p99)}</td>
          <td>{ratio(a.summary.latency_ms?.max, b.summary.latency_ms?.max)}</td>
          <td>–</td>
        </tr>
      )}
    </CompactTable>
  );
}
