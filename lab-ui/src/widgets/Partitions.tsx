import { Fragment, useCallback, useState } from 'react';
import { api } from '../api';
import { shardColor } from '../colors';
import { bytes, fmt, ms, pct } from '../format';
import { useChannel, useJob, useLive, waitForJob } from '../live';
import type { PartitionBuild, PartitionReport, StartupReplay } from '../types';
import { ErrorNote, Panel, RefreshButton, useAction, usePolled } from './common';
import { num, TableHead } from './parts/TableHead';

const REFRESH_MS = 5000;

/**
 * The partition inspector: per shard, every hash partition of the messenger's users with its rows (counted
 * now), share, table and index size from the catalog, the shard's skew and χ², and the ids the last build's
 * swap lost; rebuild users with 8 or 16 partitions (online or as the original), or make it plain again.
 */
export function Partitions({ attrs }: { attrs: Record<string, string> }) {
  const [report, setReport] = useState<PartitionReport | null>(null);
  const [built, setBuilt] = useState<PartitionBuild | null>(null);
  const [buildJob, setBuildJob] = useState<string | null>(null);
  const job = useJob(buildJob);
  const [count, setCount] = useState(attrs.partitions ?? '8');
  const refresh = useCallback(async () => setReport(await api<PartitionReport>('GET', '/lab/v1/partitions')), []);
  const load = usePolled(refresh, REFRESH_MS);
  useChannel('topology', () => void refresh().catch(() => undefined));
  useChannel('progress', () => void refresh().catch(() => undefined));
  useChannel('job', () => void refresh().catch(() => undefined));

  const live = useLive();
  // The build is a job: follow it here, show its progress, and read its report when it has succeeded.
  const build = useAction(async (n: number, mode: PartitionBuild['mode'] = 'online') => {
    setBuilt(null);
    const started = await api<{ job_id: string }>('POST', '/lab/v1/partitions', { partitions: n, mode });
    setBuildJob(started.job_id);
    const ended = await waitForJob(live, started.job_id);
    if (ended.state === 'succeeded') setBuilt(ended.result as PartitionBuild);
    else if (ended.state === 'failed') throw new Error(ended.error?.message ?? 'the build failed');
    await refresh();
  });
  const [restarted, setRestarted] = useState<StartupReplay | null>(null);
  // The original's start-up, replayed on users: guarded refuses (the error says why), faithful drops.
  const restart = useAction(async (mode: StartupReplay['mode']) => {
    setRestarted(null);
    setRestarted(await api<StartupReplay>('POST', '/lab/v1/partitions/startup', { mode }));
    await refresh();
  });
  const cancel = useAction(async () => {
    if (buildJob) await api('POST', `/lab/v1/jobs/${buildJob}/cancel`, {});
  });
  const drop = useAction(async () => {
    await api('DELETE', '/lab/v1/partitions');
    setBuilt(null);
    await refresh();
  });
  const busy = build.busy || drop.busy || restart.busy;

  return (
    <Panel title="Partitions inside each shard" className="partitions" actions={<RefreshButton load={load} />}>
      <div className="row">
        <button type="button" className="primary" onClick={() => void build.run(8)} disabled={busy}>
          Build 8 partitions
        </button>
        <button type="button" onClick={() => void build.run(16)} disabled={busy}>
          Build 16 partitions
        </button>
        <span className="field">
          <label htmlFor="partition-count">or</label>
          <input id="partition-count" type="number" min={2} max={64} value={count} onChange={(e) => setCount(e.target.value)} style={{ width: '5em' }} />
        </span>
        <button type="button" onClick={() => void build.run(Number(count))} disabled={busy}>
          Build
        </button>
        <button
          type="button"
          onClick={() => void build.run(Number(count), 'faithful')}
          disabled={busy}
          title="The original's copy-then-rename: writes made during the copy are lost"
        >
          Build — faithful swap
        </button>
        <button type="button" onClick={() => void drop.run()} disabled={busy} title="Rebuild users as one plain table, online">
          Make plain
        </button>
        <button
          type="button"
          onClick={() => void restart.run('guarded')}
          disabled={busy}
          title="Start-up expects 8 partitions; the lab refuses to drop a table with another count"
        >
          Restart — guarded
        </button>
        <button
          type="button"
          onClick={() => void restart.run('faithful')}
          disabled={busy}
          title="The original's start-up: a partition count other than 8 drops the table and recreates it empty"
        >
          Restart — as the original
        </button>
      </div>
      {job && (
        <p className="small partition-job" role="status" data-state={job.state}>
          Repartition to {String(job.params.partitions)} ({String(job.params.mode)}): {job.state}
          {job.phase && job.state === 'running' ? ` · ${job.phase}` : ''}
          {job.progress.total > 0 ? `, ${fmt(job.progress.done)} of ${fmt(job.progress.total)} rows copied` : ''}
          {job.state === 'cancelled' && job.result ? `; left behind on the shards: ${String(job.result.left_behind)}` : ''}{' '}
          {['queued', 'running'].includes(job.state) && (
            <button type="button" onClick={() => void cancel.run()} disabled={cancel.busy}>
              Cancel
            </button>
          )}
        </p>
      )}
      <ErrorNote error={build.error ?? drop.error ?? load.error ?? cancel.error ?? restart.error} />
      {restarted && (
        <p className="small partition-startup" data-mode={restarted.mode} data-lost={restarted.shards.reduce((n, s) => n + s.rows_before - s.rows_after, 0)}>
          {restarted.mode === 'faithful' ? "The original's start-up" : 'Guarded start-up'} (expects {restarted.expected} partitions):{' '}
          {restarted.shards.map((s) => `${s.shard_name} ${s.action}${s.action === 'dropped' ? `, ${fmt(s.rows_before)} rows lost` : ''}`).join('; ')}.
        </p>
      )}
      {built && (
        <p className="small" data-built={built.partitions} data-mode={built.mode}>
          Built {built.partitions} partitions ({built.mode === 'online' ? 'online' : 'faithful swap'}):{' '}
          {built.shards
            .map(
              (s) =>
                `${s.shard_name} copied ${fmt(s.rows_copied)} rows in ${ms(s.ms)} ms, writes waited ${ms(s.blocked_ms)} ms, ${fmt(s.ids_lost)} ids lost, ${fmt(s.ids_revived)} deletes undone`,
            )
            .join('; ')}
          .
        </p>
      )}
      {report && (
        <div className="table-wrap">
          <table className="compact partition-table">
            <caption className="sr-only">Per shard: rows per partition of users, skew, χ², sizes, and the ids the last build lost</caption>
            <TableHead
              columns={[
                'shard',
                'rows per partition',
                num('rows'),
                num('skew'),
                num('χ² (df)'),
                num('χ² by ring hash', "χ² had the partitions been ranges of the ring's own hash (ring_hash × N / 2³²)"),
                num('table'),
                num('indexes'),
                num('ids lost', "ids the last build's swap found in only one of the old and new tables, counted under its lock"),
              ]}
            />
            <tbody>
              {report.shards.map((s) => {
                const max = Math.max(1, ...s.partitions.map((p) => p.rows));
                return (
                  <Fragment key={s.shard_name}>
                    <tr
                      data-shard={s.shard_name}
                      data-partitions={s.partitions.length}
                      data-rows={s.rows}
                      data-users={s.users_rows}
                      data-last-build={s.last_build ?? ''}
                      data-out-of-step={s.out_of_step}
                    >
                      <th scope="row">
                        <span className="swatch" style={{ background: shardColor(s.shard_name) }} aria-hidden="true" /> {s.shard_name}
                      </th>
                      <td>
                        {!s.reachable ? (
                          'down'
                        ) : !s.partitioned ? (
                          <span className="muted">plain table, {fmt(s.users_rows)} rows</span>
                        ) : (
                          <details>
                            <summary className="spark" aria-label={`${s.partitions.length} partitions; show each`}>
                              {s.partitions.map((p) => (
                                <span
                                  key={p.name}
                                  className="spark-bar"
                                  title={`${p.name}: ${fmt(p.rows)} rows (${pct(p.share)})`}
                                  style={{ height: `${Math.max(2, (p.rows / max) * 24)}px`, background: shardColor(s.shard_name) }}
                                />
                              ))}
                            </summary>
                            <table className="compact">
                              <TableHead columns={['partition', 'bound', num('rows'), num('share'), num('table'), num('indexes')]} />
                              <tbody>
                                {s.partitions.map((p) => (
                                  <tr key={p.name} data-partition={p.name} data-rows={p.rows}>
                                    <td className="mono">{p.name}</td>
                                    <td className="mono small">{p.bound}</td>
                                    <td className="num">{fmt(p.rows)}</td>
                                    <td className="num">{pct(p.share)}</td>
                                    <td className="num">{bytes(p.table_bytes)}</td>
                                    <td className="num">{bytes(p.index_bytes)}</td>
                                  </tr>
                                ))}
                              </tbody>
                            </table>
                          </details>
                        )}
                      </td>
                      <td className="num">{s.partitioned ? fmt(s.rows) : '–'}</td>
                      <td className="num">{s.skew_pct === null ? '–' : `+${s.skew_pct.toFixed(2)} %`}</td>
                      <td className="num">{s.chi_square === null ? '–' : `${s.chi_square.toFixed(1)} (${s.degrees_of_freedom})`}</td>
                      <td className="num">{s.ring_hash_chi_square === null ? '–' : s.ring_hash_chi_square.toFixed(1)}</td>
                      <td className="num">{s.partitioned ? bytes(s.partitions.reduce((n, p) => n + p.table_bytes, 0)) : '–'}</td>
                      <td className="num">{s.partitioned ? bytes(s.partitions.reduce((n, p) => n + p.index_bytes, 0)) : '–'}</td>
                      <td className="num">
                        {s.last_build === null ? (
                          '–'
                        ) : (
                          <span className={s.out_of_step === 0 ? 'muted' : 'error'} title={`the last build: ${s.last_build}`}>
                            {fmt(s.out_of_step)}
                          </span>
                        )}
                      </td>
                    </tr>
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted small">
        Rows are counted now (GROUP BY tableoid); sizes come from pg_relation_size and pg_indexes_size. Skew: the fullest partition above the mean. χ² against
        an even spread sits near its degrees of freedom (± about √(2·df)) when the hash spreads evenly.
      </p>
    </Panel>
  );
}
