import { useState } from 'react';
import { api } from '../api';
import { fmt } from '../format';
import type { IdLocality } from '../types';
import { ErrorNote, Panel, useAction } from './common';

/** UUIDv4 against UUIDv7 inserted into a B-tree on a shard (POST /lab/v1/ids/locality): index pages and insert rate, measured. */
export function IdLocalityWidget({ attrs }: { attrs: Record<string, string> }) {
  const rows = Number(attrs.rows ?? 20_000);
  const [report, setReport] = useState<IdLocality | null>(null);
  const run = useAction(async () => setReport(await api<IdLocality>('POST', '/lab/v1/ids/locality', { rows })));
  const most = report ? Math.max(...report.runs.map((r) => r.index_pages)) : 1;
  return (
    <Panel title="Ids in a B-tree: random against time-ordered" className="id-locality">
      <div className="row">
        <button type="button" className="primary" onClick={() => void run.run()} disabled={run.busy}>
          {run.busy ? 'Inserting…' : `Insert ${fmt(rows)} of each`}
        </button>
        <span className="muted small">into a temporary table with a B-tree primary key on the first shard, 1,000 rows per INSERT</span>
      </div>
      <ErrorNote error={run.error} />
      {report && (
        <div data-extra={report.v4_extra_pages_percent}>
          <table className="small">
            <thead>
              <tr>
                <th>ids</th>
                <th className="num">index pages</th>
                <th>size</th>
                <th className="num">rows per page</th>
                <th className="num">rows/s</th>
              </tr>
            </thead>
            <tbody>
              {report.runs.map((r) => (
                <tr key={r.kind} data-kind={r.kind}>
                  <td>{r.kind === 'uuidv4' ? 'UUIDv4 (random)' : 'UUIDv7 (time first)'}</td>
                  <td className="num">{fmt(r.index_pages)}</td>
                  <td>
                    <span className="locality-bar" style={{ width: `${(r.index_pages / most) * 100}%` }} />
                  </td>
                  <td className="num">{r.rows_per_page}</td>
                  <td className="num">{fmt(r.rows_per_s)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="small" aria-live="polite">
            On {report.shard}: random ids needed <strong>{report.v4_extra_pages_percent} %</strong> more index pages; UUIDv7 went in at {report.v7_rate_ratio}×
            the rate (the rate moves with this machine's load; the pages do not).
          </p>
        </div>
      )}
    </Panel>
  );
}
