import { useEffect, useId, useState } from 'react';
import { api } from '../api';
import type { components } from '../generated/api';
import { ErrorNote, Panel, useAction } from './common';

type RaceResult = components['schemas']['RaceResult'];
type RaceList = components['schemas']['RaceList'];

/** Check-then-write against a concurrent delete (POST /lab/v1/references/race), naive and the messenger path, and every run so far. */
export function ReferenceRace() {
  const [rounds, setRounds] = useState('10');
  const [windowMs, setWindowMs] = useState('200');
  const [last, setLast] = useState<RaceResult | null>(null);
  const [runs, setRuns] = useState<RaceList['runs']>([]);
  const ids = { rounds: useId(), window: useId() };
  useEffect(() => {
    void api<RaceList>('GET', '/lab/v1/references/race').then(
      (r) => setRuns(r.runs),
      () => undefined,
    );
  }, []);
  const race = useAction(async (mode: RaceResult['mode']) => {
    setLast(await api<RaceResult>('POST', '/lab/v1/references/race', { mode, rounds: Number(rounds), window_ms: Number(windowMs) }));
    setRuns((await api<RaceList>('GET', '/lab/v1/references/race')).runs);
  });
  return (
    <Panel title="Check, then write — against a delete" className="reference-race">
      <div className="row">
        <span className="field">
          <label htmlFor={ids.rounds}>Rounds at once</label>
          <input id={ids.rounds} type="number" min={1} max={50} value={rounds} onChange={(e) => setRounds(e.target.value)} />
        </span>
        <span className="field">
          <label htmlFor={ids.window}>Window (ms, naive)</label>
          <input id={ids.window} type="number" min={0} max={2000} value={windowMs} onChange={(e) => setWindowMs(e.target.value)} />
        </span>
        <button type="button" onClick={() => void race.run('naive')} disabled={race.busy}>
          Run naive
        </button>
        <button type="button" onClick={() => void race.run('correct')} disabled={race.busy}>
          Run the messenger path
        </button>
        {race.busy && <span className="muted">racing, then waiting for the outbox…</span>}
      </div>
      <ErrorNote error={race.error} />
      {last && (
        <p aria-live="polite" data-race-orphans={last.orphans}>
          {last.mode === 'naive' ? 'Naive' : 'The messenger path'}: {last.created} conversation(s) written, {last.refused} refused,{' '}
          <strong className={last.orphans > 0 ? 'bad' : 'good'}>{last.orphans} orphan(s)</strong>; the outbox drained in {last.drain_ms} ms.
        </p>
      )}
      {runs.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>path</th>
                <th>rounds</th>
                <th>window</th>
                <th>written</th>
                <th>refused</th>
                <th>orphans</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r, i) => (
                <tr key={i}>
                  <td>{r.mode === 'naive' ? 'naive' : 'messenger'}</td>
                  <td>{r.rounds}</td>
                  <td>{r.mode === 'naive' ? `${r.window_ms} ms` : '—'}</td>
                  <td>{r.created}</td>
                  <td>{r.refused}</td>
                  <td>{r.orphans}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
