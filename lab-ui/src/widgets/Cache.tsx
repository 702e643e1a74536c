import { useCallback, useState } from 'react';
import { api } from '../api';
import { fmt } from '../format';
import type { CacheStatus } from '../types';
import { Choices, ErrorNote, NumberField, Panel, useAction, usePolled } from './common';

const MODES = [
  { value: 'off', label: 'off', title: 'every read by id goes to the database' },
  { value: 'ttl-only', label: 'no invalidation', title: 'an entry lives until it expires, whatever is written meanwhile' },
  { value: 'invalidate', label: 'invalidate on write', title: 'a write also deletes the entry, so the next read fetches the new row' },
] as const;
const REFRESH_MS = 1000;

/** Cache-aside for users by id: the mode and its counts (live), and a trial without and with invalidation. */
export default function Cache() {
  const [status, setStatus] = useState<CacheStatus | null>(null);
  const [ttl, setTtl] = useState('900');
  const refresh = useCallback(async () => setStatus(await api<CacheStatus>('GET', '/lab/v1/cache')), []);
  const load = usePolled(refresh, REFRESH_MS);
  // The mode asked for shows at once; the lab's answer (or a failure) then decides.
  const [asked, setAsked] = useState<string | null>(null);
  const change = useAction(async (mode: string) => {
    setAsked(mode);
    try {
      setStatus(await api<CacheStatus>('PUT', '/lab/v1/cache', { mode, ttl_s: Number(ttl) }));
    } finally {
      setAsked(null);
    }
  });
  const trial = useAction(async () => {
    await api('POST', '/lab/v1/cache/trial', { users: 20, rounds: 10 });
    await refresh();
  });
  const busy = change.busy || trial.busy;
  const t = status?.last_trial ?? null;
  return (
    <Panel title="Cache-aside for users by id" className="cache">
      <div className="row">
        <Choices legend="Cache" aria="Cache" choices={MODES} checked={asked ?? status?.mode} disabled={busy || !status} onChoose={(m) => void change.run(m)} />
        <NumberField label="Expiry (s)" value={ttl} onChange={setTtl} min={1} max={86400} />
      </div>
      <ErrorNote error={load.error ?? change.error} />
      {status && (
        <p className="small" data-cache-mode={status.mode}>
          {status.mode === 'off'
            ? 'Off: every GET /api/v1/users/:id reads the database.'
            : `${fmt(status.entries)} entries, ${fmt(status.hits)} hits, ${fmt(status.misses)} misses, ${fmt(status.invalidations)} invalidations.`}{' '}
          <span className="muted">The cache is {status.backend}.</span>
        </p>
      )}
      <p className="row">
        <button type="button" disabled={busy || !status} onClick={() => void trial.run()}>
          {trial.busy ? 'Running the trial…' : 'Run the trial: no invalidation, then invalidate on write'}
        </button>
        <span className="muted small">20 users read by id 10 times each; each round one is renamed and read back at once.</span>
      </p>
      <ErrorNote error={trial.error} />
      {t && (
        <div className="table-wrap">
          <table className="compact">
            <caption>
              {fmt(t.users)} users × {fmt(t.rounds)} rounds, expiry {fmt(t.ttl_s)} s
            </caption>
            <thead>
              <tr>
                <th scope="col">cache</th>
                <th scope="col">reads</th>
                <th scope="col">hit ratio</th>
                <th scope="col">stale reads after an update</th>
                <th scope="col">errors</th>
              </tr>
            </thead>
            <tbody>
              {t.results.map((r) => (
                <tr key={r.mode} data-cache-trial={r.mode} data-stale={r.stale_reads}>
                  <th scope="row">{r.mode === 'ttl-only' ? 'no invalidation' : 'invalidate on write'}</th>
                  <td className="num">{fmt(r.reads)}</td>
                  <td className="num">{r.hit_percent} %</td>
                  <td className={r.stale_reads ? 'num status status-down' : 'num status status-up'}>
                    {fmt(r.stale_reads)} of {fmt(r.updates)}
                  </td>
                  <td className="num">{fmt(r.errors)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
