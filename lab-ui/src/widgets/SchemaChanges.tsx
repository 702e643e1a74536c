import { useCallback, useState } from 'react';
import { api } from '../api';
import { fmt, ms } from '../format';
import type { Body } from '../types';
import { ErrorNote, Panel, ShardSelect, useAction, usePolled } from './common';
import { CompactTable } from './parts/CompactTable';

type Status = Body<'/lab/v1/migration-drill', 'get'>;
type Report = Body<'/lab/v1/migration-drill/ddl', 'post'>;
type Change = Report['change'];

/** Reports only change when a button here (or the terminal) runs a change. */
const REFRESH_MS = 3_000;

/** In pairs: the risky change, then the one the original's docs recommend instead. */
const CHANGES: { change: Change; label: string }[] = [
  { change: 'create-index', label: 'CREATE INDEX' },
  { change: 'create-index-concurrently', label: 'CREATE INDEX CONCURRENTLY' },
  { change: 'add-column-rewrite', label: 'ADD COLUMN … DEFAULT clock_timestamp() (rewrite)' },
  { change: 'add-column-default', label: 'ADD COLUMN … DEFAULT 0 (constant)' },
];

/**
 * The Migrations chapter's schema-change drill: four changes on a probe table under a stream of inserts, the
 * lock each held, whether it rewrote the table, and how long the inserts around it waited.
 */
export function SchemaChanges() {
  const [reports, setReports] = useState<Status['ddl'] | null>(null);
  const [shard, setShard] = useState('shard-1');
  const refresh = useCallback(async () => setReports((await api<Status>('GET', '/lab/v1/migration-drill')).ddl), []);
  const load = usePolled(refresh, REFRESH_MS);
  const act = useAction(async (changes: Change[]) => {
    try {
      for (const change of changes) await api<Report>('POST', '/lab/v1/migration-drill/ddl', { shard, change });
    } finally {
      await refresh();
    }
  });

  return (
    <Panel
      title="Schema changes under writes"
      className="schema-changes"
      actions={
        <>
          <ShardSelect value={shard} onChange={setShard} label="Shard" />
          <button type="button" onClick={() => void act.run(CHANGES.map((c) => c.change))} disabled={act.busy}>
            Run all four
          </button>
        </>
      }
    >
      <CompactTable head={['change (press to run it)', 'took', 'rewrote', 'lock held', 'inserts during / blocked ≥ 100 ms', 'longest insert (usual)']}>
        {CHANGES.map(({ change, label }) => {
          const r = reports?.[change] ?? null;
          return (
            <tr key={change} data-change={change} data-rewrote={r ? String(r.rewrote) : undefined}>
              <th scope="row">
                <button type="button" className="mono" onClick={() => void act.run([change])} disabled={act.busy} aria-label={`Run ${label}`}>
                  {label}
                </button>
              </th>
              {r ? (
                <>
                  <td>{ms(r.ddl_ms)} ms</td>
                  <td>{r.rewrote ? `yes, ${fmt(r.rows)} rows` : 'no'}</td>
                  <td className={r.lock_blocks_writes ? 'error' : ''}>{r.lock_mode ?? 'too brief to see'}</td>
                  <td>
                    {fmt(r.writes.during)} / {fmt(r.writes.blocked)}
                  </td>
                  <td className={r.writes.blocked > 0 ? 'error' : ''}>
                    {ms(r.writes.longest_ms)} ms ({ms(r.writes.usual_ms)} ms)
                  </td>
                </>
              ) : (
                <td colSpan={5} className="muted">
                  not run yet
                </td>
              )}
            </tr>
          );
        })}
      </CompactTable>
      {CHANGES.map(({ change }) => reports?.[change]).some(Boolean) && (
        <ul className="muted" aria-live="polite">
          {CHANGES.map(({ change }) => reports?.[change]).map((r) => r && <li key={r.change}>{`${r.shard}: ${r.verdict}`}</li>)}
        </ul>
      )}
      <ErrorNote error={load.error ?? act.error} />
    </Panel>
  );
}
