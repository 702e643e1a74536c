import { useEffect, useState } from 'react';
import { api } from '../api';
import { fmt, ms } from '../format';
import type { components } from '../generated/api';
import { useLive, waitForJob } from '../live';
import { ActionForm, ErrorNote, NumberField, Panel, useAction } from './common';
import { CompactTable } from './parts/CompactTable';

type Result = components['schemas']['StarvationResult'];
type Side = Result['before'];

/**
 * The original's pool starvation at this lab's scale (POST /lab/v1/tuning/starvation): 200 users per pool
 * connection with pool_max 1, then the fix (×4), as two load tests; the rule and both runs beside the original's.
 */
export default function StarvationWidget() {
  const live = useLive();
  const [seconds, setSeconds] = useState('12');
  const [result, setResult] = useState<Result | null>(null);
  const last = useAction(async () => setResult((await api<{ result: Result | null }>('GET', '/lab/v1/tuning/starvation')).result));
  const run = useAction(async () => {
    const { job_id } = await api<{ job_id: string }>('POST', '/lab/v1/tuning/starvation', { duration_s: Number(seconds) });
    const done = await waitForJob(live, job_id);
    if (done.state !== 'succeeded') throw new Error(done.error?.message ?? `The runs ended ${done.state}.`);
    await last.run();
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: one first load; last is a new object each render
  useEffect(() => {
    void last.run();
  }, []);
  const row = (label: string, s: Side, original: number) => (
    <tr key={label} data-side={label} data-success={s.success_pct}>
      <th scope="row">{label}</th>
      <td>
        {s.pool_max} ({s.pool_connections} connections)
      </td>
      <td>{fmt(s.requests)}</td>
      <td>{fmt(s.failed)}</td>
      <td>{s.success_pct.toFixed(2)} %</td>
      <td>{original} %</td>
      <td>{fmt(Math.round(s.requests_per_s))}</td>
      <td>{ms(s.latency_ms?.p95)}</td>
      <td>{ms(s.latency_ms?.max)}</td>
    </tr>
  );
  return (
    <Panel title="Pool starvation at the original's scale" className="starvation">
      <ActionForm onSubmit={() => void run.run()}>
        <NumberField label="Seconds per run" value={seconds} onChange={setSeconds} min={2} max={120} />
        <button type="submit" disabled={run.busy}>
          {run.busy ? 'Running both…' : 'Starve, then fix'}
        </button>
      </ActionForm>
      <ErrorNote error={last.error ?? run.error} />
      {result && (
        <>
          <p className="small">{result.plan.rule}</p>
          <CompactTable label="Starved and fixed pool" head={['', 'pool_max', 'requests', 'failed', 'success', 'original', 'req/s', 'p95 ms', 'max ms']}>
            {row('before', result.before, result.original.success_before)}
            {row('after', result.after, result.original.success_after)}
          </CompactTable>
        </>
      )}
    </Panel>
  );
}
