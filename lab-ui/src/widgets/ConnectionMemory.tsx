import { useEffect, useState } from 'react';
import { api } from '../api';
import { bytes, fmt } from '../format';
import type { components } from '../generated/api';
import { useJob, useLive, waitForJob } from '../live';
import { ActionForm, ErrorNote, NumberField, Panel, useAction } from './common';
import { CompactTable } from './parts/CompactTable';

type Result = components['schemas']['ConnectionMemoryResult'];

/**
 * Memory per open connection (POST /lab/v1/tuning/connection-memory): a bare Node HTTP server holding N
 * keep-alive connections, per connection and extrapolated to the original's 524,288, with the limit that bites first.
 */
export default function ConnectionMemoryWidget() {
  const live = useLive();
  const [connections, setConnections] = useState('10000');
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useJob(jobId);
  const [result, setResult] = useState<Result | null>(null);
  const last = useAction(async () => setResult((await api<{ result: Result | null }>('GET', '/lab/v1/tuning/connection-memory')).result));
  const run = useAction(async () => {
    const { job_id } = await api<{ job_id: string }>('POST', '/lab/v1/tuning/connection-memory', { connections: Number(connections) });
    setJobId(job_id);
    const done = await waitForJob(live, job_id);
    if (done.state !== 'succeeded') throw new Error(done.error?.message ?? `The trial ended ${done.state}.`);
    await last.run();
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: one first load; last is a new object each render
  useEffect(() => {
    void last.run();
  }, []);
  const row = (label: string, rss: number, heap: number | null) => (
    <tr key={label}>
      <th scope="row">{label}</th>
      <td>{bytes(rss)}</td>
      <td>{heap === null ? '' : bytes(heap)}</td>
    </tr>
  );
  const l = result?.limits;
  return (
    <Panel title="Memory per open connection" className="connection-memory">
      <ActionForm onSubmit={() => void run.run()}>
        <NumberField label="Connections" value={connections} onChange={setConnections} min={100} max={20000} />
        <button type="submit" disabled={run.busy}>
          {run.busy ? 'Measuring…' : 'Measure'}
        </button>
        {run.busy && job && (
          <span className="muted small" role="status">
            {fmt(job.progress.done)} of {fmt(job.progress.total)} open
          </span>
        )}
      </ActionForm>
      <ErrorNote error={last.error ?? run.error} />
      {result && l && (
        <>
          <p className="small">
            {result.server}, pid {result.server_pid} (stopped): {fmt(result.connections)} connections
            {result.capped ? ` (capped from ${fmt(result.requested)}: ${result.capped})` : ''}.
          </p>
          <CompactTable label="Server memory with connections open" head={['', 'RSS', 'V8 heap']}>
            {row('at rest', result.before.rss_bytes, result.before.heap_used_bytes)}
            {row(`${fmt(result.connections)} open`, result.after.rss_bytes, result.after.heap_used_bytes)}
            {row('per connection', result.per_connection.rss_bytes, result.per_connection.heap_bytes)}
            {row('the second half, each', result.per_connection.rss_second_half_bytes, null)}
            {result.extrapolated.map((e) => row(`${fmt(e.connections)} (${e.label})`, e.rss_bytes, e.heap_bytes))}
          </CompactTable>
          <p className="small" data-bites-first={l.bites_first}>
            ulimit -n {l.fd_soft ?? 'unlimited'} (hard {l.fd_hard ?? 'unlimited'}): one process holds about{' '}
            {l.connections_by_fd === null ? '?' : fmt(l.connections_by_fd)} connections; the available memory about{' '}
            {l.connections_by_memory === null ? '?' : fmt(l.connections_by_memory)}. The <strong>{l.bites_first}</strong> limit bites first. The original:{' '}
            {bytes(result.original.bytes_per_connection)} per connection, {fmt(result.original.concurrency)} {result.original.total}.
          </p>
        </>
      )}
    </Panel>
  );
}
