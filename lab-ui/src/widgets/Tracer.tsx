import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { api } from '../api';
import { shardColor } from '../colors';
import { ms } from '../format';
import type { ScenarioRun, Trace, TraceList, TraceSampling, TracedRequest } from '../types';
import { ErrorNote, Panel, useAction, usePolled } from './common';
import { RequestPath } from './parts/RequestPath';

type Span = Trace['spans'][number];

interface Preset {
  label: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: string;
}

const PRESETS: Preset[] = [
  { label: 'Create a user', method: 'POST', path: '/api/v1/users', body: '{"first_name": "Ada", "last_name": "Lovelace"}' },
  { label: 'Create a user (bad body)', method: 'POST', path: '/api/v1/users', body: '{"first_name": 42}' },
  { label: 'List all users (page of 20)', method: 'GET', path: '/api/v1/users?limit=20' },
];

/** What a span adds beside its bar: the SQL, the ring walk, the id, the pool, the server. */
function detail(a: Span['attributes']): string {
  if (typeof a['db.query.text'] === 'string')
    return `${a['db.query.text']}${a['db.response.returned_rows'] === undefined ? '' : ` → ${a['db.response.returned_rows']} rows`}`;
  if (a['lab.wal.lsn'] !== undefined)
    return `WAL ${a['lab.wal.lsn']} ${a['lab.replication.caught_up'] === false ? 'not replayed within 2 s' : 'replayed'} (${a['lab.replication.polls']} polls)`;
  if (a['lab.ring.hash'] !== undefined) return `hash ${a['lab.ring.hash']} → ${a['lab.ring.vnode'] || 'modulo'} → ${a['lab.shard']}`;
  if (a['lab.id'] !== undefined) return String(a['lab.id']);
  if (a['db.client.connection.pool.total'] !== undefined)
    return `${a['db.client.connection.pool.total']} open, ${a['db.client.connection.pool.idle']} idle, ${a['db.client.connection.pool.waiting']} queued`;
  if (a['server.port'] !== undefined) return `port ${a['server.port']}`;
  return '';
}

const SCENARIO_TITLES: Record<ScenarioRun['scenarios'][number]['scenario'], string> = {
  register: '1. Register a user',
  'get-by-id': '2. Get it by id',
  'list-all': '3. List all users',
};

/** The longest span that contains no other: where the time actually went. */
function slowestStep(t: Trace): Span | null {
  const parents = new Set(t.spans.map((s) => s.parent_id));
  return t.spans.filter((s) => !parents.has(s.span_id)).sort((a, b) => b.duration_ms - a.duration_ms)[0] ?? null;
}

/** One trace as a waterfall: a row per span, indented under its parent, its bar placed on the request's time line. */
export function Waterfall({ trace }: { trace: Trace }) {
  const [open, setOpen] = useState<string | null>(null);
  const depth = new Map<string, number>();
  const total = Math.max(trace.duration_ms, 0.001);
  return (
    <div className="waterfall" data-trace={trace.trace_id}>
      <p className="small">
        <strong>{trace.name}</strong> → {trace.status_code ?? '?'} in {ms(trace.duration_ms)} ms <span className="muted mono">trace {trace.trace_id}</span>
      </p>
      <ol>
        {trace.spans.map((s) => {
          const d = s.parent_id === null ? 0 : (depth.get(s.parent_id) ?? 0) + 1;
          depth.set(s.span_id, d);
          const shard = s.attributes['lab.shard'];
          const color = typeof shard === 'string' && s.name.startsWith(shard) ? shardColor(shard) : undefined;
          const text = detail(s.attributes);
          return (
            <li key={s.span_id} data-span={s.name} className={s.status === 'error' ? 'span-error' : undefined}>
              <button type="button" className="span-row" aria-expanded={open === s.span_id} onClick={() => setOpen(open === s.span_id ? null : s.span_id)}>
                <span className="span-name" style={{ paddingLeft: `${d * 0.9}em` }}>
                  {s.name}
                </span>
                <span className="span-ms">{ms(s.duration_ms)} ms</span>
                <span className="span-track">
                  <span
                    className="span-bar"
                    style={{
                      left: `${(s.start_ms / total) * 100}%`,
                      width: `max(2px, ${(s.duration_ms / total) * 100}%)`,
                      ...(color ? { background: color } : {}),
                    }}
                  />
                </span>
                <span className="span-detail muted small">{text}</span>
              </button>
              {open === s.span_id && (
                <table className="span-attrs small">
                  <tbody>
                    <tr>
                      <th>started</th>
                      <td>{ms(s.start_ms)} ms after the request arrived</td>
                    </tr>
                    {s.error && (
                      <tr>
                        <th>error</th>
                        <td>{s.error}</td>
                      </tr>
                    )}
                    {Object.entries(s.attributes).map(([k, v]) => (
                      <tr key={k}>
                        <th className="mono">{k}</th>
                        <td className="mono">{String(v)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

const SAMPLE_PERCENTS = [0, 1, 10, 100] as const;

/** The one shard a trace's statements ran on; null when none ran or several did (a listing asks every shard). */
function shardOf(t: Trace): string | null {
  const byId = new Map(t.spans.map((s) => [s.span_id, s]));
  const shards = new Set(t.spans.filter((s) => s.name === 'query').map((s) => byId.get(s.parent_id ?? '')?.attributes['lab.shard']));
  const [only] = shards;
  return shards.size === 1 && typeof only === 'string' ? only : null;
}

/**
 * Live traffic: trace a share of the requests nobody asked to trace (a load test's, the messenger's), and pick
 * one of the newest samples to draw.
 */
function LiveSamples({ shown, onPick }: { shown: string | null; onPick(t: Trace): void }) {
  const [list, setList] = useState<TraceList | null>(null);
  const id = useId();
  const refresh = useCallback(async () => setList(await api<TraceList>('GET', '/lab/v1/traces?source=sampled')), []);
  const load = usePolled(refresh, 2_000);
  const set = useAction(async (percent: number) => {
    await api<TraceSampling>('PUT', '/lab/v1/traces/sampling', { percent });
    await refresh();
  });
  const percent = list?.sample_percent ?? 0;
  const newest = list?.traces.slice(0, 12) ?? [];
  return (
    <div className="live-samples">
      <div className="row">
        <span className="field">
          <label htmlFor={id}>Sample live traffic</label>
          <select id={id} value={percent} disabled={set.busy || !list} onChange={(e) => void set.run(Number(e.target.value))}>
            {[...new Set([...SAMPLE_PERCENTS, percent])].map((p) => (
              <option key={p} value={p}>
                {p === 0 ? 'off' : `${p} % of requests`}
              </option>
            ))}
          </select>
        </span>
        <span className="muted small">
          {percent === 0
            ? 'Turn it on, then start a load test in the dock: the lab traces that share of the requests nobody asked to trace.'
            : `${list?.traces.length ?? 0} sampled requests kept (the last ${list?.kept ?? 0}). Pick one:`}
        </span>
      </div>
      <ErrorNote error={set.error ?? load.error} />
      {newest.length > 0 && (
        <ul className="sampled-list small" aria-label="Sampled from live traffic">
          {newest.map((t) => {
            const shard = shardOf(t);
            return (
              <li key={t.trace_id}>
                <button type="button" aria-pressed={shown === t.trace_id} onClick={() => onPick(t)}>
                  <span className="mono">{t.started_at.slice(11, 23)}</span> {t.name} → {t.status_code ?? '?'}{' '}
                  <span className="num">{ms(t.duration_ms)} ms</span>
                  {shard && <span style={{ color: shardColor(shard) }}> {shard}</span>}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

/** The request tracer: send a messenger request traced (or pick a kept trace) and see where its time went. */
export default function Tracer() {
  const [method, setMethod] = useState<Preset['method']>('POST');
  const [path, setPath] = useState(PRESETS[0]!.path);
  const [body, setBody] = useState(PRESETS[0]!.body ?? '');
  const [shown, setShown] = useState<Trace | null>(null);
  const [answer, setAnswer] = useState<TracedRequest['response'] | null>(null);
  const [kept, setKept] = useState<TraceList | null>(null);
  const [lastId, setLastId] = useState<string | null>(null);
  const [scenarios, setScenarios] = useState<ScenarioRun | null>(null);
  const ids = { method: useId(), path: useId(), body: useId(), kept: useId() };

  const refresh = useCallback(async () => setKept(await api<TraceList>('GET', '/lab/v1/traces')), []);
  useEffect(() => {
    void refresh().catch(() => undefined);
  }, [refresh]);

  const send = useAction(async (e?: FormEvent) => {
    e?.preventDefault();
    let parsed: Record<string, unknown> | undefined;
    if ((method === 'POST' || method === 'PUT') && body.trim()) {
      try {
        parsed = JSON.parse(body) as Record<string, unknown>;
      } catch {
        throw new Error('The body is not JSON.');
      }
    }
    const r = await api<TracedRequest>('POST', '/lab/v1/traces', { method, path, ...(parsed ? { body: parsed } : {}) });
    setShown(r.trace);
    setAnswer(r.response);
    const id = (r.response.body as { id?: unknown } | null)?.id;
    if (method === 'POST' && typeof id === 'string') setLastId(id);
    await refresh();
  });

  const runScenarios = useAction(async () => {
    const r = await api<ScenarioRun>('POST', '/lab/v1/traces/scenarios');
    setScenarios(r);
    setShown(r.scenarios[0]?.trace ?? null);
    setAnswer(null);
    await refresh();
  });

  const pick = (p: Preset) => {
    setMethod(p.method);
    setPath(p.path);
    setBody(p.body ?? '');
  };

  return (
    <Panel title="Request tracer" className="tracer">
      <div className="row">
        {PRESETS.map((p) => (
          <button key={p.label} type="button" onClick={() => pick(p)}>
            {p.label}
          </button>
        ))}
        <button type="button" disabled={!lastId} onClick={() => pick({ label: '', method: 'GET', path: `/api/v1/users/${lastId}` })}>
          Read the user just created
        </button>
      </div>
      <form className="row" onSubmit={(e) => void send.run(e)}>
        <span className="field">
          <label htmlFor={ids.method}>Method</label>
          <select id={ids.method} value={method} onChange={(e) => setMethod(e.target.value as Preset['method'])}>
            {['GET', 'POST', 'PUT', 'DELETE'].map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </span>
        <span className="field grow">
          <label htmlFor={ids.path}>Path</label>
          <input id={ids.path} className="mono" value={path} onChange={(e) => setPath(e.target.value)} autoComplete="off" />
        </span>
        {(method === 'POST' || method === 'PUT') && (
          <span className="field grow">
            <label htmlFor={ids.body}>JSON body</label>
            <input id={ids.body} className="mono" value={body} onChange={(e) => setBody(e.target.value)} autoComplete="off" />
          </span>
        )}
        <button type="submit" className="primary" disabled={send.busy}>
          Trace
        </button>
      </form>
      <ErrorNote error={send.error} />
      <div className="row">
        <button type="button" onClick={() => void runScenarios.run()} disabled={runScenarios.busy}>
          Run scenarios 1–3
        </button>
        <span className="muted small">register, read back by id, list a page: three real requests, each traced</span>
      </div>
      <ErrorNote error={runScenarios.error} />
      <LiveSamples
        shown={shown?.trace_id ?? null}
        onPick={(t) => {
          setShown(t);
          setAnswer(null);
        }}
      />
      {scenarios && (
        <table className="small scenarios">
          <thead>
            <tr>
              <th>scenario</th>
              <th>request</th>
              <th>status</th>
              <th>shard</th>
              <th>took (ms)</th>
              <th>slowest step</th>
            </tr>
          </thead>
          <tbody>
            {scenarios.scenarios.map((s) => {
              const slow = slowestStep(s.trace);
              return (
                <tr key={s.scenario} data-scenario={s.scenario} aria-selected={shown?.trace_id === s.trace.trace_id}>
                  <td>
                    <button type="button" onClick={() => setShown(s.trace)}>
                      {SCENARIO_TITLES[s.scenario]}
                    </button>
                  </td>
                  <td className="mono">{s.trace.name}</td>
                  <td>{s.response.status}</td>
                  <td>{s.response.shard ? <span style={{ color: shardColor(s.response.shard) }}>{s.response.shard}</span> : 'every shard'}</td>
                  <td className="num">{ms(s.trace.duration_ms)}</td>
                  <td>{slow ? `${slow.name} (${ms(slow.duration_ms)} ms)` : '–'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {answer && shown && (
        <p className="small" aria-live="polite">
          Answered <strong>{answer.status}</strong>
          {answer.shard && (
            <>
              {' '}
              from <strong style={{ color: shardColor(answer.shard) }}>{answer.shard}</strong>
            </>
          )}
          . Click a span for its attributes.
        </p>
      )}
      {shown && <RequestPath trace={shown} />}
      {shown && <Waterfall trace={shown} />}
      {kept && kept.traces.length > 0 && (
        <p className="field">
          <label htmlFor={ids.kept}>Kept traces (the last {kept.kept} asked for, including any sent with a traceparent header, and the last sampled)</label>
          <select
            id={ids.kept}
            value={shown?.trace_id ?? ''}
            onChange={(e) => {
              setShown(kept.traces.find((t) => t.trace_id === e.target.value) ?? null);
              setAnswer(null);
            }}
          >
            {!shown && <option value="">choose…</option>}
            {kept.traces.map((t) => (
              <option key={t.trace_id} value={t.trace_id}>
                {t.started_at.slice(11, 23)} {t.source === 'sampled' ? '[sampled] ' : ''}
                {t.name} → {t.status_code ?? '?'} ({ms(t.duration_ms)} ms)
              </option>
            ))}
          </select>
        </p>
      )}
    </Panel>
  );
}
