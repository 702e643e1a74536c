import { useId, useState } from 'react';
import { api } from '../api';
import { shardColor } from '../colors';
import type { components } from '../generated/api';
import { ErrorNote, Panel, useAction } from './common';

type Walkthrough = components['schemas']['ClaimWalkthrough'];
type Crash = Walkthrough['crash'];
type Who = NonNullable<Walkthrough['holder']>;

const CRASHES: { value: Crash; label: string }[] = [
  { value: 'none', label: 'no crash' },
  { value: 'after-claim', label: 'crash after the claim' },
  { value: 'after-create', label: 'crash after the create' },
];
const WHO: Record<Who, string> = { first: 'first sign-up', second: 'second user', other: 'someone else' };

const Shard = ({ name }: { name: string }) => <strong style={{ color: shardColor(name) }}>{name}</strong>;

/**
 * The username protocol one step at a time (POST /lab/v1/references/claim-walkthrough): claim → create →
 * confirm, a crash where the learner puts it, and the next claimant settling it; after each step the lookup
 * row, the accounts carrying the name and the fence, as the shards hold them.
 */
export function ClaimWalkthrough() {
  const [crash, setCrash] = useState<Crash>('after-claim');
  const [username, setUsername] = useState('');
  const [run, setRun] = useState<Walkthrough | null>(null);
  const ids = { name: useId(), crash: useId() };
  const go = useAction(async () => {
    setRun(await api<Walkthrough>('POST', '/lab/v1/references/claim-walkthrough', { crash, ...(username.trim() ? { username: username.trim() } : {}) }));
  });
  return (
    <Panel title="Claim → create → confirm, and a crash in between" className="claim-walkthrough">
      <div className="row">
        <span className="field">
          <label htmlFor={ids.crash}>The first sign-up</label>
          <select id={ids.crash} value={crash} onChange={(e) => setCrash(e.target.value as Crash)}>
            {CRASHES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </span>
        <span className="field">
          <label htmlFor={ids.name}>Username (empty: a new one)</label>
          <input id={ids.name} value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
        </span>
        <button type="button" className="primary" onClick={() => void go.run()} disabled={go.busy}>
          Run the walkthrough
        </button>
      </div>
      <ErrorNote error={go.error} />
      {run && (
        <>
          <p>
            “{run.username}” is claimed on <Shard name={run.lookup_shard} /> (the name's shard). The first user lives on <Shard name={run.first.user_shard} />,
            the second on <Shard name={run.second.user_shard} />: their accounts go there.
          </p>
          <div className="table-wrap">
            <table data-settled={run.settled} data-crash={run.crash}>
              <thead>
                <tr>
                  <th>step</th>
                  <th>what happened</th>
                  <th>lookup row on {run.lookup_shard}</th>
                  <th>accounts with the name</th>
                  <th>first fenced</th>
                </tr>
              </thead>
              <tbody>
                {run.steps.map((s, i) => (
                  <tr key={`${s.step}-${i}`} data-step={s.step} data-outcome={s.outcome} className={`claim-${s.outcome}`}>
                    <td>
                      <code>{s.step}</code>
                    </td>
                    <td>
                      {s.what}
                      {s.error && <div className="small bad">{s.error}</div>}
                    </td>
                    <td>
                      {s.state.lookup
                        ? `${WHO[s.state.lookup.holder]}, ${s.state.lookup.confirmed ? 'confirmed' : 'pending'}, ${Math.round(s.state.lookup.age_ms / 1000)} s old`
                        : 'none'}
                    </td>
                    <td>
                      {s.state.accounts.length === 0
                        ? 'none'
                        : s.state.accounts.map((a) => (
                            <div key={a.account_id}>
                              {WHO[a.holder]} on <Shard name={a.shard} />
                            </div>
                          ))}
                    </td>
                    <td>{s.state.first_fenced ? 'yes' : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p aria-live="polite" className={run.settled ? 'good' : 'bad'}>
            {run.settled
              ? `Settled: “${run.username}” belongs to the ${run.holder ? WHO[run.holder] : 'nobody'}, one account across all shards, and the confirmed lookup row names it.`
              : `Not settled: ${run.accounts_with_name} account(s) carry “${run.username}”.`}
          </p>
        </>
      )}
    </Panel>
  );
}
