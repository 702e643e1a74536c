import { useCallback, useState } from 'react';
import { api } from '../api';
import { fmt } from '../format';
import { useChannel, useLive } from '../live';
import type { ReadLoadTrial, Reads as ReadsView, ReadTrial } from '../types';
import { ActionForm, Choices, ErrorNote, NumberField, Panel, useAction, usePolled } from './common';
import { CompactTable } from './parts/CompactTable';
import { ACTIONS } from './parts/TableHead';

const POLICIES = [
  { value: 'primary', label: 'primary', title: 'every read by id goes to the shard’s primary' },
  { value: 'replica', label: 'replica (the original)', title: 'reads go to the replica when the shard has one: async, no read-your-writes' },
  { value: 'read-your-writes', label: 'read-your-writes', title: 'the replica, unless it has not replayed this lab’s last write of the key yet' },
] as const;
const REFRESH_MS = 1000;

const pctOf = (part: number, whole: number) => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)} %`);

/**
 * Where reads by id go and what that costs: the read policy, each replica's lag (bytes and seconds, live) and
 * apply delay, reads counted by where they were served and how many were stale, and write-then-read trials
 * that run the original's policy next to read-your-writes.
 */
export default function Reads() {
  const live = useLive();
  const [reads, setReads] = useState<ReadsView | null>(null);
  const [trial, setTrial] = useState<ReadTrial | null>(null);
  const [delays, setDelays] = useState<Record<string, string>>({});
  const [pairs, setPairs] = useState('400');
  const [loadTrial, setLoadTrial] = useState<ReadLoadTrial | null>(null);
  const [loadSeconds, setLoadSeconds] = useState('5');

  const refresh = useCallback(async () => {
    const r = await api<ReadsView>('GET', '/lab/v1/reads');
    setReads(r);
    if (r.last_trial) setTrial(r.last_trial);
    if (r.last_load) setLoadTrial(r.last_load);
  }, []);
  const load = usePolled(refresh, REFRESH_MS);
  useChannel<{ read_policy: ReadsView['policy'] }>('settings', (s) => setReads((r) => (r ? { ...r, policy: s.read_policy } : r)));

  const action = useAction(async (method: string, path: string, body?: unknown) => {
    await api(method, path, body);
    await refresh();
  });
  // The policy asked for shows at once; the lab's answer (or a failure) then decides.
  const [askedPolicy, setAskedPolicy] = useState<string | null>(null);
  const choosePolicy = useAction(async (policy: string) => {
    setAskedPolicy(policy);
    try {
      await action.run('PUT', '/lab/v1/settings', { read_policy: policy });
    } finally {
      setAskedPolicy(null);
    }
  });
  const runTrial = useAction(async () => {
    const n = Number(pairs);
    setTrial(await api<ReadTrial>('POST', '/lab/v1/reads/trial', { pairs: Number.isFinite(n) ? n : pairs }));
    await refresh();
  });
  const runLoad = useAction(async () => {
    const n = Number(loadSeconds);
    setLoadTrial(await api<ReadLoadTrial>('POST', '/lab/v1/reads/load', { duration_s: Number.isFinite(n) ? n : loadSeconds }));
    await refresh();
  });
  const busy = action.busy || runTrial.busy || runLoad.busy;
  const shardsWithout = live.topology?.shards.filter((s) => s.status === 'up' && (s.replicas?.length ?? 0) === 0) ?? [];
  const addAll = useAction(async () => {
    // One at a time: each is a base backup of a running primary.
    for (const s of shardsWithout) await api('POST', `/lab/v1/shards/${s.name}/replicas`);
    await refresh();
  });

  return (
    <Panel
      title="Reads and replicas"
      className="reads"
      actions={
        <button type="button" disabled={busy || addAll.busy || shardsWithout.length === 0} onClick={() => void addAll.run()}>
          {addAll.busy ? 'Adding replicas…' : 'Add a replica to every shard'}
        </button>
      }
    >
      <Choices
        legend="Read policy (reads by id)"
        aria="Read policy"
        choices={POLICIES}
        checked={askedPolicy ?? reads?.policy}
        disabled={busy || !reads}
        onChoose={(p) => void choosePolicy.run(p)}
      />
      {reads && (
        <p className="small" data-reads-policy={reads.policy} aria-live="polite">
          Since the lab started: <strong>{fmt(reads.primary_reads)}</strong> reads served by primaries, <strong>{fmt(reads.replica_reads)}</strong> by replicas,{' '}
          <strong data-stale-reads={reads.stale_reads}>{fmt(reads.stale_reads)}</strong> stale (a replica missed a row or a version the primary had, for a key
          written in the last 30 s).
        </p>
      )}
      <ErrorNote error={load.error ?? action.error ?? addAll.error} />
      {reads && reads.replicas.length === 0 ? (
        <p className="muted">No shard has a replica: every read goes to a primary. Add one (this panel, or “Add replica” in the topology).</p>
      ) : (
        <CompactTable hiddenCaption="Replicas" head={['replica', 'status', 'lag (bytes of WAL)', 'lag (seconds)', 'apply delay', ACTIONS]}>
          {reads?.replicas.map((r) => (
            <tr key={r.replica} data-replica={r.replica} data-delay={r.apply_delay_ms ?? ''}>
              <th scope="row">{r.replica}</th>
              <td className={`status status-${r.status}`} title={[r.error, ...r.log].filter(Boolean).join('\n') || undefined}>
                {r.status}
              </td>
              <td className="num">{r.lag_bytes === null ? '–' : fmt(r.lag_bytes)}</td>
              <td className="num">{r.lag_seconds === null ? '–' : r.lag_seconds.toFixed(2)}</td>
              <td className="num">{r.apply_delay_ms === null ? '–' : `${fmt(r.apply_delay_ms)} ms`}</td>
              <td className="row-actions">
                <input
                  type="number"
                  min={0}
                  max={60000}
                  step={500}
                  aria-label={`Apply delay of ${r.replica} in ms`}
                  value={delays[r.shard] ?? String(r.apply_delay_ms ?? 0)}
                  onChange={(e) => setDelays((d) => ({ ...d, [r.shard]: e.target.value }))}
                />
                <button
                  type="button"
                  disabled={busy}
                  onClick={() => void action.run('PUT', `/lab/v1/shards/${r.shard}/replicas/delay`, { ms: Number(delays[r.shard] ?? r.apply_delay_ms ?? 0) })}
                  aria-label={`Set the apply delay of ${r.replica}`}
                >
                  Set
                </button>
                <button
                  type="button"
                  disabled={busy}
                  onClick={() => void action.run('DELETE', `/lab/v1/shards/${r.shard}/replicas`)}
                  aria-label={`Remove ${r.replica}`}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </CompactTable>
      )}
      <ActionForm onSubmit={() => void runTrial.run()}>
        <NumberField label="Write-then-read pairs" value={pairs} onChange={setPairs} min={1} max={2000} />
        <button type="submit" className="primary" disabled={busy || !reads || reads.replicas.length === 0}>
          {runTrial.busy ? 'Running trial…' : 'Run trial'}
        </button>
        <span className="muted small">Each pair creates a user, reads it back at once and deletes it; once per policy: replica, then read-your-writes.</span>
      </ActionForm>
      <ErrorNote error={runTrial.error} />
      {trial && (
        <div className="table-wrap">
          <table className="compact" data-trial={trial.finished_at}>
            <caption>
              Last trial, {new Date(trial.finished_at).toLocaleTimeString()}: {fmt(trial.pairs)} pairs per policy, {trial.concurrency} at a time
              {trial.replicas.length > 0 &&
                ` — ${trial.replicas.map((r) => `${r.replica} ${r.apply_delay_ms === null ? '' : `delayed ${fmt(r.apply_delay_ms)} ms`}`).join(', ')}`}
            </caption>
            <thead>
              <tr>
                <th scope="col">policy</th>
                <th scope="col">reads that missed (404)</th>
                <th scope="col">share</th>
                <th scope="col">other errors</th>
                <th scope="col">served by replicas</th>
                <th scope="col">by primaries</th>
                <th scope="col">time</th>
              </tr>
            </thead>
            <tbody>
              {trial.results.map((r) => (
                <tr key={r.policy} data-policy={r.policy} data-not-found={r.not_found}>
                  <th scope="row">{r.policy}</th>
                  <td className="num">{fmt(r.not_found)}</td>
                  <td className="num">{pctOf(r.not_found, r.pairs)}</td>
                  <td className="num">{fmt(r.errors)}</td>
                  <td className="num">{fmt(r.replica_reads)}</td>
                  <td className="num">{fmt(r.primary_reads)}</td>
                  <td className="num">{fmt(r.ms)} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ActionForm onSubmit={() => void runLoad.run()}>
        <NumberField label="Seconds of load per policy" value={loadSeconds} onChange={setLoadSeconds} min={1} max={30} />
        <button type="submit" className="primary" disabled={busy || !reads || reads.replicas.length === 0}>
          {runLoad.busy ? 'Running both loads…' : 'Compare under load'}
        </button>
        <span className="muted small">
          The smoke load test (10 connections, each creating a user and reading it back at once) under replica, then under read-your-writes.
        </span>
      </ActionForm>
      <ErrorNote error={runLoad.error} />
      {loadTrial && (
        <div className="table-wrap">
          <table className="compact" data-load-trial={loadTrial.finished_at}>
            <caption>
              Under load, {new Date(loadTrial.finished_at).toLocaleTimeString()}: {loadTrial.scenario}, {loadTrial.connections} connections,{' '}
              {loadTrial.duration_s} s per policy
            </caption>
            <thead>
              <tr>
                <th scope="col">policy</th>
                <th scope="col">stale reads</th>
                <th scope="col">failed requests</th>
                <th scope="col">requests</th>
                <th scope="col">req/s</th>
                <th scope="col">served by replicas</th>
                <th scope="col">by primaries</th>
              </tr>
            </thead>
            <tbody>
              {loadTrial.results.map((r) => (
                <tr key={r.policy} data-policy={r.policy} data-stale={r.stale_reads}>
                  <th scope="row">{r.policy}</th>
                  <td className="num">{fmt(r.stale_reads)}</td>
                  <td className="num">{fmt(r.errors)}</td>
                  <td className="num">{fmt(r.requests)}</td>
                  <td className="num">{fmt(r.requests_per_s)}</td>
                  <td className="num">{fmt(r.replica_reads)}</td>
                  <td className="num">{fmt(r.primary_reads)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
