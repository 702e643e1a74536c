import { useCallback, useState } from 'react';
import { api } from '../api';
import type { Body } from '../types';
import { ErrorNote, Panel, useAction, usePolled } from './common';
import { CompactTable } from './parts/CompactTable';

type Status = Body<'/lab/v1/migration-drill', 'get'>;
type Shard = Status['shards'][number];
type Step = NonNullable<Shard['phase']>['step'];

/** Fast enough to see each step of a slow-motion run (a second per migration). */
const REFRESH_MS = 300;
/** Slow motion: each drill migration waits this long inside its Up, so the flow can be followed. */
const SLOW_S = 1;

/** The runner's flow, in order; `record` and `apply` repeat for each pending migration. */
const FLOW: { step: Step; label: string }[] = [
  { step: 'connect', label: '1 connect, create the tracking table' },
  { step: 'lock', label: '2 take the lock, pending = known − applied' },
  { step: 'apply', label: '3 BEGIN, run the Up' },
  { step: 'record', label: '4 insert the tracking row, COMMIT' },
  { step: 'released', label: '5 release the lock' },
];

const short = (m: string | null | undefined) => (m ? m.replace(/^(\d+)_.*/, '$1') : '');
const clock = (iso: string) => iso.slice(11, 23);

/** Where each shard's runner is in the flow now: the cell of its current step is lit (red when it failed). */
function Flow({ shards }: { shards: Shard[] }) {
  return (
    <CompactTable head={['shard', ...FLOW.map((f) => f.label)]} className="drill-flow" label="The runner's flow on each shard">
      {shards.map((s) => (
        <tr key={s.shard} data-shard={s.shard} data-phase={s.phase?.step ?? 'idle'}>
          <th scope="row">{s.shard}</th>
          {FLOW.map((f) => {
            const here = s.phase?.step === f.step || (s.phase?.step === 'failed' && f.step === 'apply');
            const failed = here && s.phase?.step === 'failed';
            return (
              <td key={f.step} className={here ? (failed ? 'flow-here flow-failed' : 'flow-here') : ''}>
                {here ? (failed ? `failed ${short(s.phase?.migration) || 'before any migration'}` : short(s.phase?.migration) || '●') : ''}
              </td>
            );
          })}
        </tr>
      ))}
    </CompactTable>
  );
}

/**
 * Each shard's schema history on one time axis: every applied drill migration at the moment its tracking row
 * was written, then what is still pending (or failed). Shards that disagree show it as different lines.
 */
function Timeline({ status }: { status: Status }) {
  const times = status.shards.flatMap((s) => s.cells.flatMap((c) => (c.run_on ? [Date.parse(c.run_on)] : [])));
  const from = Math.min(...times);
  const span = Math.max(1, Math.max(...times) - from);
  const at = (iso: string) => `${(((Date.parse(iso) - from) / span) * 80).toFixed(1)}%`;
  return (
    <ul className="drill-timeline" aria-label="Schema history per shard">
      {status.shards.map((s) => (
        <li key={s.shard} data-shard={s.shard} data-applied={s.applied}>
          <span className="timeline-shard">{s.shard}</span>
          <span className="timeline-line">
            {s.cells
              .filter((c) => c.run_on)
              .map((c) => (
                <span key={c.migration} className="timeline-event" style={{ left: at(c.run_on!) }} title={`${c.migration} applied ${c.run_on}`}>
                  {short(c.migration)}
                </span>
              ))}
            <span className="timeline-rest">
              {s.cells
                .filter((c) => !c.run_on)
                .map((c) => (
                  <span key={c.migration} className={`timeline-${c.state}`} title={c.error ?? c.state}>
                    {short(c.migration)} {c.state}
                  </span>
                ))}
            </span>
          </span>
          <span className="muted timeline-last">
            {s.cells
              .filter((c) => c.run_on)
              .map((c) => c.run_on!)
              .sort()
              .map(clock)
              .at(-1) ?? 'nothing applied'}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The Migrations chapter's live diagrams: the runner's flow per shard as it runs, and each shard's schema history. */
export function DrillTimeline() {
  const [status, setStatus] = useState<Status | null>(null);
  const refresh = useCallback(async () => setStatus(await api<Status>('GET', '/lab/v1/migration-drill')), []);
  const load = usePolled(refresh, REFRESH_MS);
  const act = useAction(async (action: 'latest' | 'down') => {
    try {
      await api('POST', '/lab/v1/migration-drill/run', { action, pause_s: SLOW_S });
    } finally {
      await refresh();
    }
  });
  return (
    <Panel
      title="The runner, step by step"
      className="drill-timeline-panel"
      actions={
        <>
          <button type="button" onClick={() => void act.run('down')} disabled={act.busy}>
            Down
          </button>
          <button type="button" onClick={() => void act.run('latest')} disabled={act.busy}>
            Latest, in slow motion
          </button>
        </>
      }
    >
      {status && (
        <>
          <Flow shards={status.shards} />
          <Timeline status={status} />
        </>
      )}
      <ErrorNote error={load.error ?? act.error} />
    </Panel>
  );
}
