import { useEffect, useState } from 'react';
import { api } from '../api';
import { fmt } from '../format';
import type { components } from '../generated/api';
import { useLive, waitForJob } from '../live';
import { ActionForm, ErrorNote, NumberField, Panel, useAction } from './common';
import { CompactTable } from './parts/CompactTable';

type Result = components['schemas']['BudgetResult'];

/**
 * Prefork multiplies pools, measured (POST /lab/v1/tuning/connection-budget): with the workers and pool size
 * chosen, every pool filled under load, each shard's peak connections in pg_stat_activity beside workers ×
 * pool_max, its max_connections and what the original's 8 × 100 would need of it.
 */
export default function ConnectionBudgetWidget() {
  const live = useLive();
  const [workers, setWorkers] = useState('2');
  const [pool, setPool] = useState('4');
  const [seconds, setSeconds] = useState('3');
  const [result, setResult] = useState<Result | null>(null);
  const last = useAction(async () => setResult((await api<{ result: Result | null }>('GET', '/lab/v1/tuning/connection-budget')).result));
  const run = useAction(async () => {
    const body = { workers: Number(workers), pool_max: Number(pool), duration_s: Number(seconds) };
    const { job_id } = await api<{ job_id: string }>('POST', '/lab/v1/tuning/connection-budget', body);
    const done = await waitForJob(live, job_id);
    if (done.state !== 'succeeded') throw new Error(done.error?.message ?? `The measurement ended ${done.state}.`);
    await last.run();
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: one first load; last is a new object each render
  useEffect(() => {
    void last.run();
  }, []);
  return (
    <Panel title="The connection budget, measured" className="connection-budget">
      <ActionForm onSubmit={() => void run.run()}>
        <NumberField label="Workers" value={workers} onChange={setWorkers} min={0} max={8} />
        <NumberField label="pool_max" value={pool} onChange={setPool} min={1} max={50} />
        <NumberField label="Seconds" value={seconds} onChange={setSeconds} min={1} max={30} />
        <button type="submit" disabled={run.busy}>
          {run.busy ? 'Filling every pool…' : 'Measure the budget'}
        </button>
      </ActionForm>
      <ErrorNote error={last.error ?? run.error} />
      {result && (
        <>
          <p className="small">{result.rule}</p>
          <CompactTable
            label="Connections per shard"
            head={[
              'shard',
              'peak',
              `${result.plan.processes} × ${result.plan.pool_max}`,
              'processes',
              'per process',
              "lab's own",
              'max_connections',
              '8 × 100 needs',
            ]}
          >
            {result.shards.map((s) => (
              <tr key={s.shard} data-shard={s.shard} data-peak={s.peak}>
                <th scope="row">{s.shard}</th>
                <td>{fmt(s.peak)}</td>
                <td>{fmt(s.formula)}</td>
                <td>{fmt(s.processes)}</td>
                <td>{fmt(s.per_process_peak)}</td>
                <td>{fmt(s.others_peak)}</td>
                <td>{fmt(s.max_connections)}</td>
                <td>{s.original_share.toFixed(1)}×</td>
              </tr>
            ))}
          </CompactTable>
          <p className="small">
            {fmt(result.samples)} samples of pg_stat_activity during load test {result.run.slice(0, 8)}; both knobs are back as they were.
          </p>
        </>
      )}
    </Panel>
  );
}
