import { useCallback, useState } from 'react';
import { api } from '../api';
import { fmt, ms } from '../format';
import type { Body } from '../types';
import { ErrorNote, Panel, useAction, usePolled } from './common';
import { CompactTable } from './parts/CompactTable';

type Status = Body<'/lab/v1/migration-drill', 'get'>;
type Report = Body<'/lab/v1/migration-drill/rename', 'post'>;
type Mode = Report['mode'];

/** Reports only change when a rename runs; a run shows its result on return. */
const REFRESH_MS = 3_000;

const TITLE: Record<Mode, string> = { 'one-step': 'In one step', 'expand-contract': 'Expand and contract' };

function Steps({ report }: { report: Report }) {
  return (
    <div className="report" data-rename={report.mode} data-failed={report.failed}>
      <p>
        <strong>{TITLE[report.mode]}:</strong> {report.verdict}
        {report.backfill && ` The backfill updated ${fmt(report.backfill.rows)} rows in ${fmt(report.backfill.batches)} batches.`}
      </p>
      <CompactTable head={['step', 'what changed', 'app version after', 'requests', 'failed', 'took']}>
        {report.steps.map((s) => (
          <tr key={s.step} data-step={s.step} data-failed={s.failed}>
            <th scope="row">{s.step}</th>
            <td className="mono">{s.did}</td>
            <td>{s.app_version}</td>
            <td>{fmt(s.requests)}</td>
            <td className={s.failed > 0 ? 'error' : ''} title={s.errors.join('\n')}>
              {fmt(s.failed)}
              {s.errors[0] ? ` — ${s.errors[0]}` : ''}
            </td>
            <td>
              {ms(s.ms)} ms{s.ddl_tries !== null && s.ddl_tries > 1 ? ` (${fmt(s.ddl_tries)} lock tries)` : ''}
            </td>
          </tr>
        ))}
      </CompactTable>
    </div>
  );
}

/**
 * The Migrations chapter's rename drill: `lab_drill.notes.body` becomes `text` on every shard while a client per
 * shard keeps using the notes API (/api/v1/users/:id/notes); in one step, or by expand and contract.
 */
export function RenameDrill() {
  const [renames, setRenames] = useState<Status['renames'] | null>(null);
  const refresh = useCallback(async () => setRenames((await api<Status>('GET', '/lab/v1/migration-drill')).renames), []);
  const load = usePolled(refresh, REFRESH_MS);
  const act = useAction(async (mode: Mode) => {
    try {
      await api<Report>('POST', '/lab/v1/migration-drill/rename', { mode });
    } finally {
      await refresh();
    }
  });
  return (
    <Panel
      title="Rename a column under traffic"
      className="rename-drill"
      actions={
        <>
          <button type="button" onClick={() => void act.run('one-step')} disabled={act.busy}>
            Rename — one step
          </button>
          <button type="button" onClick={() => void act.run('expand-contract')} disabled={act.busy}>
            Rename — expand/contract
          </button>
        </>
      }
    >
      {act.busy && <p className="muted">Renaming on every shard while the notes API is in use…</p>}
      {(['one-step', 'expand-contract'] as const).map((m) => {
        const r = renames?.[m];
        return r ? <Steps key={m} report={r} /> : null;
      })}
      {renames && !renames['one-step'] && !renames['expand-contract'] && !act.busy && (
        <p className="muted">Not run yet. The drill migrations must be at the latest on every shard first (Migration drill, Latest).</p>
      )}
      <ErrorNote error={load.error ?? act.error} />
    </Panel>
  );
}
