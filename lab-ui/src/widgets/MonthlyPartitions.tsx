import { useCallback, useState } from 'react';
import { api } from '../api';
import { bytes, fmt } from '../format';
import type { MonthlyReport, RetireReport } from '../types';
import { ErrorNote, Panel, RefreshButton, useAction, usePolled } from './common';
import { num, TableHead } from './parts/TableHead';

const REFRESH_MS = 10_000;

/**
 * The messenger's messages, range-partitioned by month on every shard: rows and bytes per month summed over
 * the shards; partition them, and retire the oldest month by DROP of its partition or by DELETE of its rows, with
 * each retirement's time, WAL and bytes freed side by side.
 */
export function MonthlyPartitions() {
  const [report, setReport] = useState<MonthlyReport | null>(null);
  const [retired, setRetired] = useState<RetireReport[]>([]);
  const refresh = useCallback(async () => setReport(await api<MonthlyReport>('GET', '/lab/v1/partitions/months')), []);
  const load = usePolled(refresh, REFRESH_MS);
  const build = useAction(async () => {
    await api('POST', '/lab/v1/partitions/months', { months_ahead: 3 });
    setRetired([]);
    await refresh();
  });
  const retire = useAction(async (how: RetireReport['how']) => {
    const r = await api<RetireReport>('POST', '/lab/v1/partitions/months/retire', { how });
    setRetired((all) => [...all, r]);
    await refresh();
  });
  const busy = build.busy || retire.busy;

  const months = new Map<string, { rows: number; bytes: number }>();
  for (const s of report?.shards ?? [])
    for (const p of s.partitions) {
      const key = p.month ?? 'DEFAULT';
      const m = months.get(key) ?? { rows: 0, bytes: 0 };
      months.set(key, { rows: m.rows + p.rows, bytes: m.bytes + p.bytes });
    }
  const max = Math.max(1, ...[...months.values()].map((m) => m.rows));
  const built = report?.shards.some((s) => s.built) ?? false;

  return (
    <Panel title="Messages by month" className="monthly-partitions" actions={<RefreshButton load={load} />}>
      <div className="row">
        <button type="button" className="primary" onClick={() => void build.run()} disabled={busy}>
          Build monthly partitions
        </button>
        <button type="button" onClick={() => void retire.run('drop')} disabled={busy || !built}>
          Retire oldest month — DROP
        </button>
        <button type="button" onClick={() => void retire.run('delete')} disabled={busy || !built}>
          Retire oldest month — DELETE
        </button>
      </div>
      <ErrorNote error={build.error ?? retire.error ?? load.error} />
      {retired.length > 0 && (
        <table className="compact monthly-retired">
          <caption className="sr-only">Each retirement, summed over the shards</caption>
          <TableHead columns={['month', 'how', num('rows'), num('slowest shard (ms)'), num('WAL written'), num('space freed'), 'partition']} />
          <tbody>
            {retired.map((r) => (
              <tr key={`${r.month}-${r.how}`} data-how={r.how}>
                <td>{r.month}</td>
                <td>{r.how === 'drop' ? 'DETACH + DROP' : 'DELETE'}</td>
                <td className="num">{fmt(r.shards.reduce((n, s) => n + s.rows, 0))}</td>
                <td className="num">{Math.max(0, ...r.shards.map((s) => s.ms)).toFixed(2)}</td>
                <td className="num">{bytes(r.shards.reduce((n, s) => n + s.wal_bytes, 0))}</td>
                <td className="num">{bytes(r.shards.reduce((n, s) => n + s.bytes_freed, 0))}</td>
                <td>{r.shards.some((s) => s.partition_left) ? 'still there, with dead rows' : 'gone'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {built ? (
        <table className="compact monthly-table">
          <caption className="sr-only">Rows and bytes per month partition, summed over the shards</caption>
          <TableHead columns={['month', 'rows', num('size')]} />
          <tbody>
            {[...months].map(([month, m]) => (
              <tr key={month} data-month={month} data-rows={m.rows}>
                <td>{month}</td>
                <td>
                  <span className="month-bar" style={{ width: `${(100 * m.rows) / max}%` }} /> {fmt(m.rows)}
                </td>
                <td className="num">{bytes(m.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        report && <p className="muted small">messages is a plain table on every shard: “Build monthly partitions” partitions it by month.</p>
      )}
    </Panel>
  );
}
