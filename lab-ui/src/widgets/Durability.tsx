import { useEffect, useId, useState } from 'react';
import { api } from '../api';
import { fmt, ms } from '../format';
import type { components } from '../generated/api';
import { ErrorNote, Panel, ShardSelect, useAction } from './common';
import { CompactTable } from './parts/CompactTable';

type CrashRun = components['schemas']['CrashRun'];
type CrashRuns = components['schemas']['CrashRuns'];
type Mode = CrashRun['synchronous_commit'];

/** Writes acknowledged, then a kill -9 of the shard's postmaster (POST /lab/v1/tuning/durability): how many acknowledged writes survive. */
export default function Durability({ attrs }: { attrs: Record<string, string> }) {
  const [shard, setShard] = useState(attrs.shard ?? 'shard-0');
  const [mode, setMode] = useState<Mode>('off');
  const [last, setLast] = useState<CrashRun | null>(null);
  const [runs, setRuns] = useState<CrashRun[]>([]);
  const modeId = useId();
  const list = useAction(async () => setRuns((await api<CrashRuns>('GET', '/lab/v1/tuning/durability')).runs));
  const crash = useAction(async () => {
    setLast(await api<CrashRun>('POST', '/lab/v1/tuning/durability', { shard, synchronous_commit: mode }));
    await list.run();
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: loads once on mount; list is a new function each render
  useEffect(() => {
    void list.run();
  }, []);
  return (
    <Panel title="synchronous_commit and a crash" className="durability">
      <div className="row">
        <ShardSelect value={shard} onChange={setShard} label="Shard" />
        <span className="field">
          <label htmlFor={modeId}>synchronous_commit</label>
          <select id={modeId} value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
            <option value="off">off</option>
            <option value="on">on</option>
          </select>
        </span>
        <button type="button" onClick={() => void crash.run()} disabled={crash.busy}>
          Write, then crash
        </button>
        {crash.busy && <span className="muted">writing, killing {shard}, recovering…</span>}
      </div>
      <ErrorNote error={crash.error ?? list.error} />
      {last && (
        <p aria-live="polite" data-crash-lost={last.lost}>
          {last.shard} acknowledged {fmt(last.acknowledged)} commits ({fmt(last.commits_per_s)}/s) with synchronous_commit {last.synchronous_commit}, was
          killed, and came back after {ms(last.recovery_ms)}:{' '}
          <strong className={last.lost > 0 ? 'bad' : 'good'}>{fmt(last.lost)} acknowledged writes lost</strong>
          {last.lost_ids.length > 0 && <span className="muted small"> (rows {last.lost_ids.join(', ')}…)</span>}.
          {last.unacknowledged_present > 0 && ` ${fmt(last.unacknowledged_present)} were committed but their answer never arrived.`}
        </p>
      )}
      {runs.length > 0 && (
        <CompactTable label="Crash runs" head={['shard', 'synchronous_commit', 'acknowledged', 'commits/s', 'lost', 'recovery']}>
          {runs.map((r) => (
            <tr key={r.run}>
              <td>{r.shard}</td>
              <td>{r.synchronous_commit}</td>
              <td>{fmt(r.acknowledged)}</td>
              <td>{fmt(r.commits_per_s)}</td>
              <td className={r.lost > 0 ? 'bad' : 'good'}>{fmt(r.lost)}</td>
              <td>{ms(r.recovery_ms)}</td>
            </tr>
          ))}
        </CompactTable>
      )}
    </Panel>
  );
}
