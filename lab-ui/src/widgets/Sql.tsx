import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { api } from '../api';
import type { SqlRun } from '../types';
import { ErrorNote, Panel, ShardSelect, useAction } from './common';

/** SQL and EXPLAIN on one shard, under the console's statement timeout. Ctrl+Enter runs; `every=N` runs it again every N s (a live query). */
export function Sql({ attrs }: { attrs: Record<string, string> }) {
  const [shard, setShard] = useState(attrs.shard ?? 'shard-0');
  const [sql, setSql] = useState(attrs.sql ?? 'SELECT count(*) FROM users;');
  const [out, setOut] = useState<SqlRun | null>(null);
  const textId = useId();
  const run = useAction(async (explain: 'plan' | 'analyze' | null) => {
    // The previous result goes at once: an error must not sit above an answer to another statement.
    setOut(null);
    setOut(await api<SqlRun>('POST', '/lab/v1/sql', { shard, sql, explain }));
  });
  const every = Number(attrs.every ?? 0);
  const [live, setLive] = useState(every > 0);
  const liveId = useId();
  // A live query refreshes in place (no blank between answers); a refresh that fails keeps the last answer (Run shows the error).
  useEffect(() => {
    if (!live || every <= 0) return;
    const again = () => void api<SqlRun>('POST', '/lab/v1/sql', { shard, sql, explain: null }).then(setOut, () => undefined);
    again();
    const timer = setInterval(again, every * 1000);
    return () => clearInterval(timer);
  }, [live, every, shard, sql]);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void run.run(null);
    }
  };
  return (
    <Panel title="SQL on one shard" className="sql">
      <div className="row">
        <ShardSelect label="Shard" value={shard} onChange={setShard} />
      </div>
      <span className="field">
        <label htmlFor={textId}>Statement</label>
        <textarea id={textId} className="mono sql-text" rows={6} value={sql} onChange={(e) => setSql(e.target.value)} onKeyDown={onKey} spellCheck={false} />
      </span>
      <div className="row">
        <button type="button" className="primary" onClick={() => void run.run(null)} disabled={run.busy}>
          Run
        </button>
        <button type="button" onClick={() => void run.run('plan')} disabled={run.busy}>
          Explain
        </button>
        <button type="button" onClick={() => void run.run('analyze')} disabled={run.busy}>
          Explain analyze
        </button>
        {every > 0 && (
          <span className="field">
            <input id={liveId} type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} />
            <label htmlFor={liveId}>live, every {every} s</label>
          </span>
        )}
        <span className="muted small">One statement, on {shard} only, stopped after 10 s. Explain analyze executes it inside a transaction it rolls back.</span>
      </div>
      {run.busy && (
        <p className="muted small" role="status">
          Running on {shard}…
        </p>
      )}
      <ErrorNote error={run.error} />
      {out && (
        <div className="sql-out" aria-live="polite">
          {out.results.map((r, i) =>
            r.fields.length === 1 && r.command === 'EXPLAIN' ? (
              <pre key={i} className="plan">
                {r.rows.map((row) => row[0]).join('\n')}
              </pre>
            ) : r.fields.length > 0 ? (
              <div key={i} className="table-wrap">
                <table className="compact">
                  <thead>
                    <tr>
                      {r.fields.map((f, j) => (
                        <th key={j} scope="col">
                          {f}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {r.rows.map((row, j) => (
                      <tr key={j}>
                        {row.map((v, k) => (
                          <td key={k} className="mono">
                            {v}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <p key={i} className="mono">
                {r.command} {r.row_count}
              </p>
            ),
          )}
          <p className="muted small">
            {out.shard}, {out.results.reduce((n, r) => n + r.row_count, 0)} rows, {out.duration_ms.toFixed(1)} ms
            {out.results.some((r) => r.truncated) ? ' (first 500 rows shown)' : ''}
          </p>
        </div>
      )}
    </Panel>
  );
}
