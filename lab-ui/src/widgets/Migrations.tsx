import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import type { Body } from '../types';
import { ErrorNote, Panel, useAction } from './common';
import { CompactTable } from './parts/CompactTable';

type Status = Body<'/lab/v1/migrations', 'get'>;
type Report = Body<'/lab/v1/migrations/{action}', 'post'>;

/** Applied and pending migrations per shard, with up / down / latest on every shard. */
export function Migrations() {
  const [status, setStatus] = useState<Status | null>(null);
  const [report, setReport] = useState<string | null>(null);
  const refresh = useCallback(async () => setStatus(await api<Status>('GET', '/lab/v1/migrations')), []);
  const load = useAction(refresh);
  // biome-ignore lint/correctness/useExhaustiveDependencies: load is a new object each render; refresh is the stable thing to load once for
  useEffect(() => void load.run(), [refresh]);
  const act = useAction(async (action: 'up' | 'down' | 'latest') => {
    setReport(null);
    try {
      const r = await api<Report>('POST', `/lab/v1/migrations/${action}`);
      const ran = r.shards.flatMap((s) => s.ran.map((m) => `${s.shard}: ${action === 'down' ? 'rolled back' : 'applied'} ${m}`));
      setReport(ran.length ? ran.join('\n') : action === 'down' ? 'Nothing to roll back.' : 'Every shard is up to date.');
    } finally {
      await refresh();
    }
  });
  return (
    <Panel
      title="Migrations"
      className="migrations"
      actions={
        <>
          <button type="button" onClick={() => void act.run('up')} disabled={act.busy}>
            Up (next one)
          </button>
          <button type="button" onClick={() => void act.run('latest')} disabled={act.busy}>
            Latest
          </button>
          <button type="button" onClick={() => void act.run('down')} disabled={act.busy}>
            Down (last one)
          </button>
        </>
      }
    >
      {status && (
        <CompactTable head={['shard', 'applied', 'last applied', 'pending']}>
          {status.shards.map((s) => (
            <tr key={s.shard} data-shard={s.shard} data-applied={s.applied.length} data-pending={s.pending.length}>
              <th scope="row">{s.shard}</th>
              <td>{s.applied.length}</td>
              <td className="mono">{s.applied.at(-1)?.name ?? '–'}</td>
              <td className="mono">{s.error ? <span className="error">{s.error}</span> : s.pending.length ? s.pending.join(', ') : 'none'}</td>
            </tr>
          ))}
        </CompactTable>
      )}
      {report && (
        <pre className="report" aria-live="polite">
          {report}
        </pre>
      )}
      <ErrorNote error={load.error ?? act.error} />
    </Panel>
  );
}
