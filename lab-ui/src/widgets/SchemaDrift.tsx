import { useCallback, useState } from 'react';
import { api } from '../api';
import { fmt } from '../format';
import type { Body } from '../types';
import { ErrorNote, Panel, useAction, usePolled } from './common';
import { CompactTable } from './parts/CompactTable';

type Drift = Body<'/lab/v1/migration-drill/drift', 'get'>;

/** The catalogs change only when someone changes a shard: a slow refresh is enough, and each one reads every shard's catalog. */
const REFRESH_MS = 5_000;

/** Schema drift: every shard's messenger schema and applied migrations against what most shards have, each difference named. */
export function SchemaDrift() {
  const [drift, setDrift] = useState<Drift | null>(null);
  const refresh = useCallback(async () => setDrift(await api<Drift>('GET', '/lab/v1/migration-drill/drift')), []);
  const load = usePolled(refresh, REFRESH_MS);
  const act = useAction(async () => {
    try {
      await api('POST', '/lab/v1/migration-drill/drift', {});
    } finally {
      await refresh();
    }
  });

  return (
    <Panel
      title="Schema drift"
      className="schema-drift"
      actions={
        <>
          <button type="button" onClick={() => void act.run()} disabled={act.busy}>
            Someone changes one shard
          </button>
          <button type="button" onClick={() => void load.run()} disabled={load.busy}>
            Compare now
          </button>
        </>
      }
    >
      {drift && (
        <>
          <p aria-live="polite">
            <strong>{drift.verdict}</strong>
          </p>
          <ul className="muted">
            {drift.shards.map((s) => (
              <li key={s.shard} data-drift-shard={s.shard} data-differences={s.differences}>
                {s.error ?? `${s.shard}: ${fmt(s.items)} items compared, ${fmt(s.differences)} difference(s)`}
              </li>
            ))}
          </ul>
          {drift.differences.length > 0 && (
            <CompactTable head={['shard', 'problem', 'kind', 'name', 'expected', 'found']}>
              {drift.differences.map((d) => (
                <tr key={`${d.shard}-${d.kind}-${d.name}`}>
                  <th scope="row">{d.shard}</th>
                  <td className="error">{d.problem}</td>
                  <td>{d.kind}</td>
                  <td className="mono">{d.name}</td>
                  <td className="mono">{d.expected ?? '–'}</td>
                  <td className="mono">{d.found ?? '–'}</td>
                </tr>
              ))}
            </CompactTable>
          )}
        </>
      )}
      <ErrorNote error={load.error ?? act.error} />
    </Panel>
  );
}
