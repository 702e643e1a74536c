import { useState } from 'react';
import { api } from '../api';
import { fmt } from '../format';
import type { PagingReport } from '../types';
import { ErrorNote, NumberField, Panel, useAction } from './common';

type Side = PagingReport['pages'][number]['offset'];

/** One way at one page: its totals, then each shard's time, rows sent and rows read. */
function SideRows({ page, side }: { page: number; side: Side }) {
  return (
    <tr data-page={page} data-way={side.way} data-rows-sent={side.rows_sent} data-rows-read={side.rows_read}>
      <td className="num">{fmt(page)}</td>
      <td>{side.way === 'offset' ? 'OFFSET (the original)' : 'keyset (the lab)'}</td>
      <td className="num">{side.total_ms}</td>
      <td className="num">{side.merge_ms}</td>
      <td className="num">{fmt(side.rows_sent)}</td>
      <td className="num">{fmt(side.rows_read)}</td>
      <td className="small">
        {side.shards.map((s) => `${s.shard}: ${s.ms} ms, ${fmt(s.rows_sent)} sent, ${fmt(s.rows_read)} read, ${fmt(s.buffers)} pages`).join(' · ')}
      </td>
    </tr>
  );
}

/** The original's OFFSET listing against the lab's keyset listing across the shards (POST /lab/v1/users/paging), at page 1 and a deep page. */
export function PagingWidget({ attrs }: { attrs: Record<string, string> }) {
  const [page, setPage] = useState(attrs.page ?? '1000');
  const [limit, setLimit] = useState(attrs.limit ?? '20');
  const [report, setReport] = useState<PagingReport | null>(null);
  const [plan, setPlan] = useState<'offset' | 'keyset'>('offset');
  const run = useAction(async () => setReport(await api<PagingReport>('POST', '/lab/v1/users/paging', { page: Number(page), limit: Number(limit) })));
  const deep = report?.pages[1];
  return (
    <Panel title="Paging across shards: OFFSET against a cursor" className="paging">
      <div className="row">
        <NumberField label="page" value={page} onChange={setPage} min={2} max={5000} />
        <NumberField label="users a page" value={limit} onChange={setLimit} min={1} max={100} />
        <button type="button" className="primary" onClick={() => void run.run()} disabled={run.busy}>
          {run.busy ? 'Measuring…' : 'Measure page 1 and this page'}
        </button>
        <span className="muted small">reads only; the shards must hold at least page × users a page</span>
      </div>
      <ErrorNote error={run.error} />
      {report && deep && (
        <div data-read-ratio={report.deep_read_ratio}>
          <table className="small">
            <thead>
              <tr>
                <th className="num">page</th>
                <th>way</th>
                <th className="num">total ms</th>
                <th className="num">merge ms</th>
                <th className="num">rows sent</th>
                <th className="num">rows read</th>
                <th>each shard</th>
              </tr>
            </thead>
            <tbody>
              {report.pages.flatMap((p) => [
                <SideRows key={`${p.page}-o`} page={p.page} side={p.offset} />,
                <SideRows key={`${p.page}-k`} page={p.page} side={p.keyset} />,
              ])}
            </tbody>
          </table>
          <p className="small" aria-live="polite">
            {fmt(report.users)} users. Both ways returned the same {report.limit} users at page {fmt(deep.page)}; OFFSET had the shards read{' '}
            <strong>{report.deep_read_ratio}×</strong> the rows and took <strong>{report.deep_ms_ratio}×</strong> the time (the time moves with this machine's
            load; the rows do not).
          </p>
          <div className="row small">
            <span>
              Plan on {deep.offset.shards[0]?.shard} at page {fmt(deep.page)}:
            </span>
            {(['offset', 'keyset'] as const).map((w) => (
              <label key={w}>
                <input type="radio" name="paging-plan" checked={plan === w} onChange={() => setPlan(w)} /> {w}
              </label>
            ))}
          </div>
          <pre className="small paging-plan">{`${deep[plan].sql}\n\n${deep[plan].plan}`}</pre>
        </div>
      )}
    </Panel>
  );
}
