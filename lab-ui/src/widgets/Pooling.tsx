import { useCallback, useState } from 'react';
import { api } from '../api';
import { fmt } from '../format';
import type { PoolingClients, PoolingDemo, PoolingStatements, PoolingStatus } from '../types';
import { ActionForm, Choices, ErrorNote, NumberField, Panel, useAction, usePolled } from './common';
import { TableHead } from './parts/TableHead';

const MODES = [
  { value: 'off', label: 'off (direct)', title: 'the API connects straight to each shard' },
  { value: 'session', label: 'session', title: 'a client keeps its server connection until it disconnects' },
  { value: 'transaction', label: 'transaction', title: 'a client holds a server connection for one transaction only' },
] as const;
const REFRESH_MS = 1000;

/**
 * PgBouncer in front of every shard, when installed: the pool mode and size, client against server connections
 * per shard (SHOW POOLS, SHOW STATS, live), and the features transaction pooling breaks, reproduced.
 */
export default function Pooling() {
  const [status, setStatus] = useState<PoolingStatus | null>(null);
  const [demo, setDemo] = useState<PoolingDemo | null>(null);
  const [size, setSize] = useState('10');
  const [clients, setClients] = useState('2000');
  const [ran, setMany] = useState<PoolingClients | null>(null);
  const [prepared, setPrepared] = useState<boolean | null>(null);

  const refresh = useCallback(async () => {
    setStatus(await api<PoolingStatus>('GET', '/lab/v1/pooling'));
    setPrepared((await api<{ prepared_statements: boolean }>('GET', '/lab/v1/settings')).prepared_statements);
  }, []);
  const load = usePolled(refresh, REFRESH_MS);
  const change = useAction(async (mode: string) => {
    setDemo(null);
    setStatus(await api<PoolingStatus>('PUT', '/lab/v1/pooling', { mode, pool_size: Number(size) }));
  });
  const reproduce = useAction(async () => setDemo(await api<PoolingDemo>('POST', '/lab/v1/pooling/demo')));
  const open = useAction(async () => setMany(await api<PoolingClients>('POST', '/lab/v1/pooling/clients', { clients: Number(clients) })));
  const trial = useAction(async () => {
    await api<PoolingStatements>('POST', '/lab/v1/pooling/statements', { requests: 300 });
    await refresh();
  });
  const unname = useAction(async (on: boolean) => {
    setPrepared((await api<{ prepared_statements: boolean }>('PUT', '/lab/v1/settings', { prepared_statements: on })).prepared_statements);
  });
  // The last runs under this pool mode, kept by the lab: a reload shows them again.
  const many = ran ?? status?.last_clients ?? null;
  const statements = status?.last_statements ?? null;

  if (status?.install_hint) {
    return (
      <Panel title="Connection pooling (PgBouncer)" className="pooling">
        <p className="error" role="note" data-pgbouncer="missing">
          {status.install_hint}
        </p>
        <p className="muted">
          Without it this panel cannot start a PgBouncer per shard, show client against server connections, or reproduce what transaction pooling breaks.
          Everything else in the lab works as before.
        </p>
      </Panel>
    );
  }
  const busy = change.busy || reproduce.busy || open.busy || trial.busy;
  return (
    <Panel title={`Connection pooling (PgBouncer${status?.version ? ` ${status.version}` : ''})`} className="pooling">
      <div className="row">
        <Choices legend="Pool mode" aria="Pool mode" choices={MODES} checked={status?.mode} disabled={busy || !status} onChoose={(m) => void change.run(m)} />
        <NumberField label="Server connections per shard" value={size} onChange={setSize} min={2} max={90} />
      </div>
      <ErrorNote error={load.error ?? change.error} />
      {change.busy && <p className="muted">Starting PgBouncers…</p>}
      {status && status.mode !== 'off' && (
        <div className="table-wrap">
          <table className="compact" data-pool-mode={status.mode}>
            <caption>
              {status.mode} mode, {status.pool_size} server connections per shard: the API's queries go through these (SHOW POOLS, SHOW STATS)
            </caption>
            <TableHead columns={['shard', 'port · pid', 'clients active', 'clients waiting', 'servers active', 'servers idle', 'queries']} />
            <tbody>
              {status.bouncers.map((b) => (
                <tr key={b.shard} data-shard={b.shard}>
                  <th scope="row">{b.shard}</th>
                  <td className="mono">
                    :{b.port} · {b.pid ?? '–'}
                  </td>
                  <td className="num">{fmt(b.clients_active)}</td>
                  <td className="num">{fmt(b.clients_waiting)}</td>
                  <td className="num">{fmt(b.servers_active)}</td>
                  <td className="num">{fmt(b.servers_idle)}</td>
                  <td className="num">{fmt(b.queries)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ActionForm onSubmit={() => void open.run()}>
        <NumberField label="Clients" value={clients} onChange={setClients} min={1} max={5000} />
        <button type="submit" disabled={busy || !status || status.mode === 'off'}>
          {open.busy ? 'Opening clients…' : 'Open them on shard-0, straight and through PgBouncer'}
        </button>
      </ActionForm>
      <ErrorNote error={open.error} />
      {many && (
        <ul className="small" data-clients={many.clients} aria-live="polite">
          <li>
            Straight to the server (max_connections = {fmt(many.max_connections)}): <strong>{fmt(many.direct.connected)}</strong> of {fmt(many.direct.tried)}{' '}
            connected, <strong>{fmt(many.direct.refused)}</strong> refused{many.direct.error ? ` — “${many.direct.error}”` : ''}.
          </li>
          <li>
            Through PgBouncer ({many.mode} mode): <strong>{fmt(many.pooled.connected)}</strong> of {fmt(many.clients)} connected;{' '}
            <strong>{fmt(many.pooled.queries_ok)}</strong> queries answered while all stayed connected, on {fmt(many.pooled.server_connections)} server
            connections, in {fmt(many.pooled.ms)} ms{many.pooled.error ? ` — first failure: “${many.pooled.error}”` : ''}.
          </li>
        </ul>
      )}
      <p className="row">
        <button type="button" disabled={busy || !status || status.mode === 'off'} onClick={() => void trial.run()}>
          {trial.busy ? 'Running the API’s requests…' : 'Run the API’s statements, named and unnamed'}
        </button>
        <span className="muted small">
          300 create–read–delete requests through the PgBouncers, with the API's statements named, then unnamed (
          {prepared === null ? '…' : prepared ? 'the API names them now' : 'the API sends them unnamed now'}).
        </span>
      </p>
      <ErrorNote error={trial.error ?? unname.error} />
      {statements && (
        <div className="table-wrap">
          <table className="compact" data-statements-mode={statements.mode}>
            <caption>
              The API's requests in {statements.mode} mode, PgBouncer {statements.pgbouncer_version ?? '?'}
              {statements.tracks_prepared_statements
                ? ' (1.21 or later: it could follow named statements itself with max_prepared_statements)'
                : ' (before 1.21: it cannot follow named statements across server connections)'}
            </caption>
            <TableHead columns={['statements', 'requests', 'failed', 'first failure']} />
            <tbody>
              {statements.results.map((r) => (
                <tr key={r.statements} data-statements={r.statements} data-failed={r.failed}>
                  <th scope="row">{r.statements}</th>
                  <td className="num">{fmt(r.requests)}</td>
                  <td className={r.failed ? 'num status status-down' : 'num status status-up'}>{fmt(r.failed)}</td>
                  <td className="small">{r.error ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {prepared !== null && (
        <p className="row">
          <button type="button" disabled={unname.busy} onClick={() => void unname.run(!prepared)}>
            {prepared ? 'Fix it: send the API’s statements unnamed' : 'Name the API’s statements again'}
          </button>
        </p>
      )}
      <p className="row">
        <button type="button" disabled={busy || !status || status.mode === 'off'} onClick={() => void reproduce.run()}>
          {reproduce.busy ? 'Reproducing…' : 'Reproduce what transaction mode breaks'}
        </button>
        <span className="muted small">Two clients on shard-0's PgBouncer: one uses a session feature, the other holds the server connection it used.</span>
      </p>
      <ErrorNote error={reproduce.error} />
      {demo && (
        <div className="table-wrap">
          <table className="compact">
            <caption>In {demo.results[0]?.mode} mode</caption>
            <TableHead columns={['feature', 'result', 'what the lab saw', 'the fix']} />
            <tbody>
              {demo.results.map((r) => (
                <tr key={r.feature} data-feature={r.feature} data-broke={r.broke}>
                  <th scope="row">{r.feature}</th>
                  <td className={r.broke ? 'status status-down' : 'status status-up'}>{r.broke ? 'broke' : 'works'}</td>
                  <td>{r.observed}</td>
                  <td>{r.fix}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
