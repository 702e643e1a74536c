import { useCallback, useId, useState, type FormEvent } from 'react';
import { api, ApiError, request } from '../api';
import { shardColor } from '../colors';
import { fmt, pct } from '../format';
import { useChannel, useJob, useLive } from '../live';
import type { JobView, PlacementReport, ShardStats as Stats } from '../types';
import { ErrorNote, Panel, RefreshButton, useAction, usePolled } from './common';

const REFRESH_MS = 5000;

/** Users per shard (counted now), the ring's predicted share beside each, orphans, and a seed form. */
export function ShardStats({ attrs }: { attrs: Record<string, string> }) {
  const { topology } = useLive();
  const [stats, setStats] = useState<Stats | null>(null);
  const [placement, setPlacement] = useState<PlacementReport | null>(null);
  const [users, setUsers] = useState(attrs.seed ?? '20000');
  const [seedJob, setSeedJob] = useState<string | null>(null);
  const [probes, setProbes] = useState<Record<string, string>>({});
  const job = useJob(seedJob);
  const seedId = useId();

  const refresh = useCallback(async () => {
    const [s, p] = await Promise.all([api<Stats>('GET', '/api/v1/shards/stats'), api<PlacementReport>('GET', '/lab/v1/placement')]);
    setStats(s);
    setPlacement(p);
  }, []);
  const load = usePolled(refresh, REFRESH_MS);

  useChannel<JobView>('job', (j) => {
    if (!['queued', 'running'].includes(j.state)) void refresh().catch(() => undefined);
  });
  useChannel('topology', () => void refresh().catch(() => undefined));
  useChannel('progress', () => void refresh().catch(() => undefined));

  const seed = useAction(async (e: FormEvent) => {
    e.preventDefault();
    const n = Number(users);
    if (!Number.isInteger(n) || n < 1) throw new Error('Enter a whole number of users, at least 1.');
    const r = await api<{ job_id: string }>('POST', '/lab/v1/seed', { users: n });
    setSeedJob(r.job_id);
  });

  async function getUser(id: string) {
    try {
      const r = await request<unknown>('GET', `/api/v1/users/${id}`);
      setProbes((p) => ({ ...p, [id]: `${r.status} from ${r.headers.get('x-lab-shard') ?? '?'}` }));
    } catch (err) {
      setProbes((p) => ({ ...p, [id]: err instanceof ApiError ? `${err.status} ${err.code}` : String(err) }));
    }
  }

  const ringShare = new Map((topology?.ring.shards ?? []).map((n, i) => [n, topology?.ring.shares[i] ?? 0]));
  const misplaced = new Map(placement?.shards.map((s) => [s.shard_name, s]) ?? []);
  const total = stats?.total_users ?? 0;
  const max = Math.max(0.0001, ...(stats?.shards.map((s) => (s.user_count ?? 0) / Math.max(1, total)) ?? []), ...ringShare.values());
  const seeding = job !== null && ['queued', 'running'].includes(job.state);

  return (
    <Panel title="Users per shard" className="shard-stats" actions={<RefreshButton load={load} />}>
      {stats ? (
        <table className="bars" data-total={total}>
          <caption className="sr-only">Users counted on each shard now, with the ring's share for comparison</caption>
          <thead>
            <tr>
              <th scope="col">shard</th>
              <th scope="col">users (share)</th>
              <th scope="col" className="num">
                orphans
              </th>
            </tr>
          </thead>
          <tbody>
            {stats.shards.map((s) => {
              const share = total ? (s.user_count ?? 0) / total : 0;
              const ring = ringShare.get(s.shard_name);
              const p = misplaced.get(s.shard_name);
              return (
                <tr key={s.shard_name} data-shard={s.shard_name} data-users={s.user_count ?? ''} data-orphans={p?.misplaced ?? 0}>
                  <th scope="row">
                    <span className="swatch" style={{ background: shardColor(s.shard_name) }} aria-hidden="true" /> {s.shard_name}
                  </th>
                  <td className="bar-cell">
                    <span className="bar-track">
                      <span className="bar" style={{ width: `${(share / max) * 100}%`, background: shardColor(s.shard_name) }} />
                      {ring !== undefined && <span className="bar-marker" style={{ left: `${(ring / max) * 100}%` }} title={`ring share ${pct(ring)}`} />}
                    </span>
                    <span className="bar-label">
                      {s.user_count === null ? 'down' : `${fmt(s.user_count)} (${pct(share)})`}
                      {ring !== undefined && <span className="muted"> · ring {pct(ring)}</span>}
                    </span>
                  </td>
                  <td className="num">
                    {p && p.misplaced > 0 ? (
                      <details>
                        <summary>{fmt(p.misplaced)}</summary>
                        <ul className="orphans">
                          {p.sample.map((o) => (
                            <li key={o.id}>
                              <span className="mono">{o.id.slice(0, 13)}…</span> → ring says {o.routes_to}{' '}
                              <button type="button" onClick={() => void getUser(o.id)} aria-label={`GET user ${o.id}`}>
                                GET
                              </button>{' '}
                              {probes[o.id] && <span className="probe">{probes[o.id]}</span>}
                            </li>
                          ))}
                        </ul>
                      </details>
                    ) : (
                      fmt(p?.misplaced ?? 0)
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">total</th>
              <td>{fmt(total)} users</td>
              <td className="num">{fmt(placement?.total_misplaced ?? 0)}</td>
            </tr>
          </tfoot>
        </table>
      ) : (
        <p className="muted">Counting…</p>
      )}
      <p className="muted small">
        Counted on each shard just now. The thin mark in each bar is the ring's share: what the arcs predict. Orphans are rows on a shard the ring does not send
        their id to.
      </p>
      <ErrorNote error={load.error} />
      <form className="row" onSubmit={(e) => void seed.run(e)}>
        <span className="field">
          <label htmlFor={seedId}>Users to load</label>
          <input id={seedId} type="number" min={1} max={10000000} value={users} onChange={(e) => setUsers(e.target.value)} />
        </span>
        <button type="submit" className="primary" disabled={seed.busy || seeding}>
          {seeding ? 'Seeding…' : 'Seed'}
        </button>
        {job && (
          <span className="job-line" aria-live="polite" data-job-state={job.state}>
            seed {job.state} {job.progress.total ? `${Math.floor((100 * job.progress.done) / job.progress.total)} %` : ''}
            {job.state === 'succeeded' && job.result ? ` — ${fmt(Number(job.result.rows_per_s ?? 0))} rows/s` : ''}
            {job.error ? ` — ${job.error.message}` : ''}
          </span>
        )}
      </form>
      <ErrorNote error={seed.error} />
    </Panel>
  );
}
