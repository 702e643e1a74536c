import { useCallback, useEffect, useId, useState } from 'react';
import { api } from '../api';
import { shardColor } from '../colors';
import type { components } from '../generated/api';
import { ErrorNote, Panel, ShardSelect, useAction } from './common';

type FkDemoResult = components['schemas']['FkDemoResult'];
type FkAttempts = components['schemas']['FkAttempts'];
type Action = NonNullable<FkDemoResult['on_delete']>;
type Scenario = FkDemoResult['scenario'];

const ACTIONS: { value: Action; label: string }[] = [
  { value: 'no-action', label: 'NO ACTION (the default)' },
  { value: 'restrict', label: 'RESTRICT' },
  { value: 'cascade', label: 'CASCADE' },
  { value: 'set-null', label: 'SET NULL' },
  { value: 'set-default', label: 'SET DEFAULT' },
];
const actionLabel = (a: string | null) => (a ? a.toUpperCase().replace('-', ' ') : '—');

/**
 * The lab's fixed foreign-key demonstrations (POST /lab/v1/references/fk-demo): the statements it ran and
 * PostgreSQL's own answer — its SQLSTATE, message, detail and constraint — then the rows left behind.
 */
export function ForeignKeys() {
  const [onDelete, setOnDelete] = useState<Action>('no-action');
  const [shard, setShard] = useState('');
  const [result, setResult] = useState<FkDemoResult | null>(null);
  const [history, setHistory] = useState<FkAttempts['attempts']>([]);
  const actionId = useId();
  const refresh = useCallback(async () => setHistory((await api<FkAttempts>('GET', '/lab/v1/references/fk-demo')).attempts), []);
  useEffect(() => {
    void refresh().catch(() => undefined);
  }, [refresh]);
  const run = useAction(async (scenario: Scenario) => {
    const body = scenario === 'cross-shard' ? { scenario } : { scenario, on_delete: onDelete, ...(shard ? { shard } : {}) };
    setResult(await api<FkDemoResult>('POST', '/lab/v1/references/fk-demo', body));
    await refresh();
  });
  const button = (scenario: Scenario, label: string) => (
    <button type="button" onClick={() => void run.run(scenario)} disabled={run.busy} data-scenario={scenario}>
      {label}
    </button>
  );
  return (
    <Panel title="Foreign keys, enforced by PostgreSQL" className="foreign-keys">
      <div className="row">
        <span className="field">
          <label htmlFor={actionId}>ON DELETE</label>
          <select id={actionId} value={onDelete} onChange={(e) => setOnDelete(e.target.value as Action)}>
            {ACTIONS.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </select>
        </span>
        <ShardSelect value={shard} onChange={setShard} label="Demo shard" />
      </div>
      <div className="row">
        {button('orphan-message', 'Insert an orphan message')}
        {button('delete-conversation', 'Delete the conversation')}
        {button('delete-and-restore', 'Delete and restore (deferred)')}
        {button('cross-shard', 'Reference a user on another shard')}
      </div>
      <ErrorNote error={run.error} />
      {result && <DemoResult r={result} />}
      {history.length > 0 && (
        <details className="fk-history">
          <summary>
            {history.length} run{history.length === 1 ? '' : 's'} recorded (the exercises check these)
          </summary>
          <table>
            <thead>
              <tr>
                <th>shard</th>
                <th>scenario</th>
                <th>ON DELETE</th>
                <th>outcome</th>
                <th>SQLSTATE</th>
                <th>messages left</th>
              </tr>
            </thead>
            <tbody>
              {history.map((a) => (
                <tr key={`${a.shard}-${a.at}-${a.scenario}`}>
                  <td>{a.shard}</td>
                  <td>{a.scenario}</td>
                  <td>{actionLabel(a.on_delete)}</td>
                  <td>{a.outcome}</td>
                  <td className="mono">{a.sqlstate ?? '—'}</td>
                  <td>{a.messages_left ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </Panel>
  );
}

function DemoResult({ r }: { r: FkDemoResult }) {
  const x = r.cross_shard;
  return (
    <div className="fk-result" aria-live="polite" data-outcome={r.outcome}>
      <p>
        On <strong style={{ color: shardColor(r.shard) }}>{r.shard}</strong>
        {r.on_delete ? (
          <>
            {' '}
            with <code>ON DELETE {actionLabel(r.on_delete)}</code>
          </>
        ) : null}
        : {r.outcome === 'refused' ? <strong className="bad">PostgreSQL refused</strong> : <strong className="good">PostgreSQL let it through</strong>}
      </p>
      {r.error && (
        <pre className="db-error">
          ERROR: {r.error.message}
          {'\n'}SQLSTATE: {r.error.sqlstate}
          {r.error.detail ? `\nDETAIL: ${r.error.detail}` : ''}
          {r.error.constraint ? `\nCONSTRAINT: ${r.error.constraint}` : ''}
        </pre>
      )}
      <details>
        <summary>The statements (the lab's own, fixed)</summary>
        <pre className="sql">{[...r.setup.map((s) => `${s};`), '-- then, in a savepoint:', ...r.attempted.map((s) => `${s};`)].join('\n')}</pre>
      </details>
      {x ? (
        <ul>
          <li>
            The sender <span className="mono">{x.sender_id}</span> lives on <strong style={{ color: shardColor(x.sender_shard) }}>{x.sender_shard}</strong>:{' '}
            {x.sender_visible_on_sender_shard ? 'its row is there' : 'no row there'}; on {r.shard}{' '}
            {x.sender_visible_here ? 'a row is visible' : 'no row is visible'}.
          </li>
          {x.foreign_table && (
            <li>
              A foreign key onto a <code>postgres_fdw</code> foreign table over {x.sender_shard}:{' '}
              {x.foreign_table.error ? (
                <>
                  refused — <code>{x.foreign_table.error.message}</code> (SQLSTATE {x.foreign_table.error.sqlstate}). Rolled back.
                </>
              ) : (
                'accepted (rolled back).'
              )}
            </li>
          )}
        </ul>
      ) : (
        <table className="fk-rows">
          <caption>After: conversations {r.conversations_after.join(', ') || 'none'}; messages</caption>
          <thead>
            <tr>
              <th>message id</th>
              <th>conversation_id</th>
            </tr>
          </thead>
          <tbody>
            {r.messages_after.map((m) => (
              <tr key={m.id}>
                <td>{m.id}</td>
                <td className="mono">{m.conversation_id ?? 'NULL'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
