import { useCallback, useId, useState } from 'react';
import { api } from '../api';
import { fmt } from '../format';
import type { Ladder as LadderView } from '../types';
import { ActionForm, ErrorNote, NumberField, Panel, useAction, usePolled } from './common';

const RUNGS = [
  {
    value: 'baseline',
    label: 'baseline',
    title: 'reads and writes on the primaries, no PgBouncer, no cache (and no list index when the indexes rung is ticked)',
  },
  { value: 'indexes', label: 'indexes', title: 'the user list’s index (created_at) on every shard' },
  { value: 'replicas', label: 'replicas', title: 'a streaming replica per shard serving reads' },
  { value: 'pooling', label: 'pooling', title: 'a PgBouncer in transaction mode per shard, the API’s statements unnamed' },
  { value: 'cache', label: 'cache', title: 'cache-aside for users by id, invalidated on write' },
  { value: 'shards', label: 'more shards', title: 'one more shard, added online (its share of the rows moved to it), removed after the climb' },
] as const;
type Rung = (typeof RUNGS)[number]['value'];
const SCENARIOS = ['read-heavy', 'standard', 'smoke', 'write-heavy', 'crud'] as const;
const REFRESH_MS = 1000;

const times = (r: number | null) => (r === null ? '–' : `${r.toFixed(2)}×`);

/** One horizontal bar per measured rung, its width against the largest value, labelled with the value and the ratio. */
function Bars({ title, rows, unit }: { title: string; rows: { rung: string; value: number | null; ratio: number | null }[]; unit: string }) {
  const max = Math.max(1, ...rows.map((r) => r.value ?? 0));
  return (
    <figure className="ladder-bars">
      <figcaption>{title}</figcaption>
      {rows.map((r) => (
        <div key={r.rung} className="ladder-bar-row">
          <span className="ladder-bar-label">{r.rung}</span>
          <span className="ladder-bar-track">
            <span className="ladder-bar" style={{ width: `${((r.value ?? 0) / max) * 100}%` }} />
          </span>
          <span className="num">
            {r.value === null ? '–' : `${fmt(r.value)} ${unit}`} · {times(r.ratio)}
          </span>
        </div>
      ))}
    </figure>
  );
}

/**
 * The scaling ladder in one run: the same load test on each rung the learner picks, each keeping the rungs below,
 * drawn as bars of req/s and p99 with ratios against the first rung; the lab is put back afterwards.
 */
export default function Ladder() {
  const [view, setView] = useState<LadderView | null>(null);
  const [scenario, setScenario] = useState<(typeof SCENARIOS)[number]>('read-heavy');
  const [seconds, setSeconds] = useState('4');
  const [repeats, setRepeats] = useState('3');
  const [connections, setConnections] = useState('50');
  // More shards is a reshard there and back: ticked on purpose, not by default.
  const [rungs, setRungs] = useState<Rung[]>(RUNGS.map((r) => r.value).filter((r) => r !== 'shards'));
  const [replicaReads, setReplicaReads] = useState<'read-your-writes' | 'replica'>('read-your-writes');
  const ids = { scenario: useId(), reads: useId() };
  const refresh = useCallback(async () => setView(await api<LadderView>('GET', '/lab/v1/ladder')), []);
  const load = usePolled(refresh, REFRESH_MS);
  const climb = useAction(async () =>
    setView(
      await api<LadderView>('POST', '/lab/v1/ladder', {
        scenario,
        duration_s: Number(seconds),
        repeats: Number(repeats),
        connections: Number(connections),
        rungs: RUNGS.map((r) => r.value).filter((r) => rungs.includes(r)),
        replica_reads: replicaReads,
      }),
    ),
  );
  const cancel = useAction(async () => setView(await api<LadderView>('DELETE', '/lab/v1/ladder')));
  const running = view?.state === 'running';
  const measured = view?.steps.filter((s) => !s.skipped) ?? [];
  const toggle = (r: Rung, on: boolean) => setRungs((now) => (on ? [...now, r] : now.filter((x) => x !== r)));

  return (
    <Panel title="The scaling ladder, measured" className="ladder">
      <ActionForm onSubmit={() => void climb.run()}>
        <fieldset className="row" disabled={running || climb.busy}>
          <legend>Rungs</legend>
          {RUNGS.map((r) => (
            <label key={r.value} title={r.title}>
              <input type="checkbox" aria-label={`Rung ${r.value}`} checked={rungs.includes(r.value)} onChange={(e) => toggle(r.value, e.target.checked)} />{' '}
              {r.label}
            </label>
          ))}
        </fieldset>
        <span className="field">
          <label htmlFor={ids.scenario}>Scenario</label>
          <select id={ids.scenario} value={scenario} onChange={(e) => setScenario(e.target.value as (typeof SCENARIOS)[number])}>
            {SCENARIOS.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </span>
        <NumberField label="Seconds per run" value={seconds} onChange={setSeconds} min={2} max={120} />
        <NumberField label="Runs per rung" value={repeats} onChange={setRepeats} min={1} max={5} />
        <NumberField label="Connections" value={connections} onChange={setConnections} min={1} max={1000} />
        <span className="field">
          <label htmlFor={ids.reads}>Replica reads</label>
          <select id={ids.reads} value={replicaReads} onChange={(e) => setReplicaReads(e.target.value as typeof replicaReads)}>
            <option value="read-your-writes">read-your-writes</option>
            <option value="replica">replica (the original’s)</option>
          </select>
        </span>
        <button type="submit" disabled={running || climb.busy || rungs.length < 2}>
          {running ? `Climbing… (${view?.current ?? 'starting'})` : 'Climb the ladder'}
        </button>
        {running && (
          <button type="button" onClick={() => void cancel.run()} disabled={cancel.busy}>
            Cancel
          </button>
        )}
      </ActionForm>
      <ErrorNote error={load.error ?? climb.error ?? cancel.error ?? view?.error ?? null} />
      {view?.request && measured.length > 0 && (
        <div data-ladder-state={view.state}>
          <p className="small muted">
            {view.request.scenario}, {fmt(view.request.connections)} connections, {fmt(view.request.repeats)} runs of {fmt(view.request.duration_s)} s per rung;
            each rung keeps the ones above it switched on. Bars are each rung’s median run; ratios are against the first rung, in the same climb. A rung marked
            “within noise” ran in the same req/s range as the first: on this machine, now, its difference is not a measured gain.
          </p>
          <div className="ladder-charts">
            <Bars title="req/s (higher is better)" unit="req/s" rows={measured.map((s) => ({ rung: s.rung, value: s.requests_per_s, ratio: s.rps_ratio }))} />
            <Bars title="p99 latency (lower is better)" unit="ms" rows={measured.map((s) => ({ rung: s.rung, value: s.p99_ms, ratio: s.p99_ratio }))} />
          </div>
          <div className="table-wrap">
            <table className="compact">
              <caption>Each rung as measured</caption>
              <thead>
                <tr>
                  <th scope="col">rung</th>
                  <th scope="col">switched on</th>
                  <th scope="col">req/s</th>
                  <th scope="col">runs (spread)</th>
                  <th scope="col">p50</th>
                  <th scope="col">p99</th>
                  <th scope="col">errors</th>
                  <th scope="col">stale replica reads</th>
                  <th scope="col">max replica lag</th>
                </tr>
              </thead>
              <tbody>
                {view.steps.map((s) => (
                  <tr key={s.rung} data-rung={s.rung} data-errors={s.errors} data-within-noise={s.within_noise ?? ''}>
                    <th scope="row">{s.rung}</th>
                    {s.skipped ? (
                      <td colSpan={8} className="muted">
                        skipped: {s.skipped}
                      </td>
                    ) : (
                      <>
                        <td>{s.setup.join(', ')}</td>
                        <td className="num">{fmt(s.requests_per_s)}</td>
                        <td className="num">
                          {s.runs_rps.length < 2 ? '–' : `${s.runs_rps.map(fmt).join(' · ')} (spread ${fmt(s.spread_percent ?? 0)} %)`}
                          {s.within_noise ? ' · within noise' : ''}
                        </td>
                        <td className="num">{s.p50_ms === null ? '–' : `${s.p50_ms} ms`}</td>
                        <td className="num">{s.p99_ms === null ? '–' : `${s.p99_ms} ms`}</td>
                        <td className={s.errors ? 'num status status-down' : 'num'}>
                          {fmt(s.errors)} of {fmt(s.requests)}
                        </td>
                        <td className={s.stale_reads ? 'num status status-down' : 'num'}>
                          {s.replica_reads ? `${fmt(s.stale_reads)} of ${fmt(s.replica_reads)}` : '–'}
                        </td>
                        <td className="num">
                          {s.lag_bytes_max === null ? '–' : `${fmt(s.lag_bytes_max)} B`}
                          {s.lag_ms_max === null ? '' : ` · ${fmt(Math.round(s.lag_ms_max))} ms`}
                        </td>
                      </>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <details>
            <summary>What the climb switched</summary>
            <ul className="small">
              {view.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          </details>
        </div>
      )}
    </Panel>
  );
}
