import { useId, useState } from 'react';
import { api } from '../api';
import { shardColor } from '../colors';
import { fmt } from '../format';
import { useChannel, useJob, useLive } from '../live';
import type { JobView, MetricsTick, PromotionReport, ShardInfo } from '../types';
import { RESHARD_STEPS } from '../../../lab-server/src/resharding/steps';
import { ErrorNote, Panel, useAction } from './common';
import { CompactTable } from './parts/CompactTable';
import { ACTIONS } from './parts/TableHead';
import { GRID, type TopologyLayout, topologyLayout, topologySummary } from './topology-diagram';

const RESHARD_JOBS = ['add-shard', 'remove-shard'];

/** What POST /lab/v1/shards/:name/promote answers (the parts shown here). */

/** The live cluster: a Mermaid diagram redrawn whenever the topology changes, and the actions that change it. */
/**
 * Where a running job is: held before a step, or its step with the rows done so far. An ended job says only how
 * it ended — no step, no percentage left over from the last one.
 */
function jobStep(job: JobView): string {
  if (job.state !== 'running') return '';
  if (job.waiting) return ` — held ${job.waiting}`;
  const { done, total } = job.progress;
  const rows = total > 0 ? ` (${fmt(done)} of ${fmt(total)} rows)` : '';
  return `${job.phase ? ` — ${job.phase}` : ''}${rows}`;
}

export default function Topology() {
  const live = useLive();
  const { topology } = live;
  const [replicas, setReplicas] = useState<MetricsTick | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [promotion, setPromotion] = useState<PromotionReport | null>(null);
  const [stepwise, setStepwise] = useState(false);
  const stepwiseId = useId();
  // The job this panel started, or any shard change in flight (from an exercise, the terminal or another tab).
  const job = useJob(jobId) ?? live.jobs.find((j) => RESHARD_JOBS.includes(j.kind) && ['queued', 'running'].includes(j.state)) ?? null;
  const action = useAction(async (method: string, path: string, body?: unknown) => {
    setPromotion(null);
    const r = await api<{ job_id?: string } & Partial<PromotionReport>>(method, path, body);
    if (r?.job_id) setJobId(r.job_id);
    if (r?.kind && r.writes_at_risk) setPromotion(r as PromotionReport);
  });

  useChannel<MetricsTick>('metrics', (tick) => {
    if (tick.shards.some((s) => (s.replicas?.length ?? 0) > 0) || replicas) setReplicas(tick);
  });

  if (!topology) return <Panel title="Cluster topology">Connecting to the lab…</Panel>;
  const share = new Map((topology.ring.shards ?? []).map((n, i) => [n, topology.ring.shares[i] ?? 0]));
  const running = job !== null && ['queued', 'running'].includes(job.state);
  const canChange = !action.busy && !running;

  const holds = stepwise ? { pause_before: RESHARD_STEPS } : {};
  const shardAction = (s: ShardInfo, what: 'kill' | 'start' | 'pause' | 'resume' | 'remove' | 'replicas' | 'promote') =>
    void (what === 'remove' ? action.run('DELETE', `/lab/v1/shards/${s.name}`, holds) : action.run('POST', `/lab/v1/shards/${s.name}/${what}`));

  return (
    <Panel
      title="Cluster topology"
      className="topology"
      actions={
        <>
          <input id={stepwiseId} type="checkbox" checked={stepwise} onChange={(e) => setStepwise(e.target.checked)} />
          <label className="small" htmlFor={stepwiseId} title={`Hold before ${RESHARD_STEPS.join(', ')} (a rebalance or a removal), until you press Continue`}>
            Step by step
          </label>
          <button type="button" disabled={!canChange} onClick={() => void action.run('POST', '/lab/v1/shards', { mode: 'faithful' })}>
            Add shard — faithful
          </button>
          <button type="button" disabled={!canChange} onClick={() => void action.run('POST', '/lab/v1/shards', { mode: 'rebalance', ...holds })}>
            Add shard — rebalance
          </button>
        </>
      }
    >
      <div className="diagram" role="img" aria-label={topologySummary(topology)} data-ring-version={topology.ring.version} data-shards={topology.shards.length}>
        <Drawing layout={topologyLayout(topology, replicas)} />
      </div>
      {job && (
        <p className="job-line" aria-live="polite">
          {job.kind}: <strong>{job.state}</strong>
          {jobStep(job)}
          {job.error ? ` — ${job.error.message}` : ''}
          {job.notes?.length ? <span className="muted"> · {job.notes.at(-1)!.message}</span> : null}
          {job.waiting && (
            <button type="button" onClick={() => void action.run('POST', `/lab/v1/jobs/${job.id}/continue`)}>
              Continue
            </button>
          )}
          {running && (
            <button
              type="button"
              onClick={() => void action.run('POST', `/lab/v1/jobs/${job.id}/cancel`)}
              title="Returns to the previous topology: rolls back before cutover, moves the data back after it"
            >
              Cancel
            </button>
          )}
        </p>
      )}
      {promotion && (
        <p className="job-line" aria-live="polite" data-promotion={promotion.kind}>
          {promotion.shard}: <strong>{promotion.kind}</strong> in {promotion.pause_ms} ms —{' '}
          {promotion.writes_at_risk.count === 0
            ? 'no acknowledged write was lost.'
            : `${promotion.writes_at_risk.count} acknowledged user writes were past what the replica had received, and are lost (e.g. ${promotion.writes_at_risk.user_ids.slice(0, 3).join(', ')}).`}
        </p>
      )}
      <ErrorNote error={action.error} />
      <CompactTable hiddenCaption="Shards" head={['shard', 'status', 'address', 'share of the ring', ACTIONS]}>
        {topology.shards.map((s) => (
          <tr key={s.name} data-shard={s.name} data-status={s.status}>
            <th scope="row">
              <span className="swatch" style={{ background: shardColor(s.name) }} aria-hidden="true" /> {s.name}
            </th>
            <td className={`status status-${s.status}`}>{s.status}</td>
            <td className="mono">{s.url.replace(/^postgres(ql)?:\/\/[^@]*@/, '')}</td>
            <td>{share.has(s.name) ? `${(100 * share.get(s.name)!).toFixed(2)} %` : 'not in ring'}</td>
            <td className="row-actions">
              {s.status === 'down' ? (
                <button type="button" disabled={!canChange} onClick={() => shardAction(s, 'start')}>
                  Start
                </button>
              ) : (
                <button type="button" disabled={!canChange} onClick={() => shardAction(s, 'kill')} aria-label={`Kill ${s.name}`}>
                  Kill
                </button>
              )}
              {s.status === 'paused' ? (
                <button type="button" disabled={!canChange} onClick={() => shardAction(s, 'resume')} aria-label={`Resume ${s.name}`}>
                  Resume
                </button>
              ) : (
                <button
                  type="button"
                  disabled={!canChange || s.status !== 'up'}
                  onClick={() => shardAction(s, 'pause')}
                  aria-label={`Pause ${s.name}`}
                  title="SIGSTOP: the server hangs, as a stuck machine would"
                >
                  Pause
                </button>
              )}
              <button
                type="button"
                disabled={!canChange || topology.shards.length < 2}
                onClick={() => shardAction(s, 'remove')}
                aria-label={`Remove ${s.name}`}
              >
                Remove
              </button>
              {(s.replicas?.length ?? 0) === 0 ? (
                <button
                  type="button"
                  disabled={!canChange || s.status !== 'up'}
                  onClick={() => shardAction(s, 'replicas')}
                  aria-label={`Add replica to ${s.name}`}
                >
                  Add replica
                </button>
              ) : (
                <button type="button" disabled={!canChange} onClick={() => shardAction(s, 'promote')} aria-label={`Promote replica of ${s.name}`}>
                  Promote replica
                </button>
              )}
            </td>
          </tr>
        ))}
      </CompactTable>
      <p className="muted small">
        {topology.mode === 'embedded'
          ? 'The lab runs these servers itself.'
          : topology.mode === 'attached'
            ? 'Servers started by `make up`.'
            : 'External servers (LAB_SHARDS).'}{' '}
        Live: {live.connected ? 'connected' : 'reconnecting…'}
      </p>
    </Panel>
  );
}

/** The layout drawn: arrows from the API to each shard with its share, and each replica fed by a moving WAL stream. */
function Drawing({ layout }: { layout: TopologyLayout }) {
  const { width, height, shards, replicas } = layout;
  const api = { x: width / 2 - 150, w: 300, y: 8, h: 50 };
  const mid = (x: number) => x + GRID.column / 2;
  // One id per drawing: the dock and an inline ::topology can show the cluster on one page.
  const arrow = useId();
  return (
    <svg className="topology-drawing" viewBox={`0 0 ${width} ${height}`} width={width} height={height} aria-hidden="true">
      <defs>
        <marker id={arrow} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0,0 L10,5 L0,10 z" fill="#5b6b82" />
        </marker>
      </defs>
      <g className="node-api">
        <rect x={api.x} y={api.y} width={api.w} height={api.h} rx={4} />
        <text x={width / 2} y={api.y + 21} textAnchor="middle">
          Messenger API
        </text>
        <text x={width / 2} y={api.y + 39} textAnchor="middle" className="small-label">
          router: {layout.router}
        </text>
      </g>
      <g className="node-catalog">
        <line x1={api.x + api.w} y1={api.y + api.h / 2} x2={width - 96} y2={api.y + api.h / 2} strokeDasharray="3 3" />
        <rect x={width - 96} y={api.y + 4} width={92} height={api.h - 8} rx={10} />
        <text x={width - 50} y={api.y + 23} textAnchor="middle" className="small-label">
          catalog
        </text>
        <text x={width - 50} y={api.y + 37} textAnchor="middle" className="small-label">
          lab state
        </text>
      </g>
      {shards.map((s) => (
        <g key={s.name} className={`node-shard state-${s.state}${s.inRing ? '' : ' outside'}`} data-node={s.name}>
          <line className="route" x1={width / 2} y1={api.y + api.h} x2={mid(s.x)} y2={GRID.shardY - 2} markerEnd={`url(#${arrow})`} />
          <text x={mid(s.x)} y={GRID.shardY - 8} textAnchor="middle" className="small-label share">
            {s.share}
          </text>
          <rect x={s.x + 1} y={GRID.shardY} width={GRID.column - 2} height={GRID.shardH} rx={6} stroke={shardColor(s.name)} />
          <text x={mid(s.x)} y={GRID.shardY + 24} textAnchor="middle">
            {s.name}
          </text>
          <text x={mid(s.x)} y={GRID.shardY + 43} textAnchor="middle" className="small-label">
            {s.detail}
          </text>
        </g>
      ))}
      {replicas.map((r) => (
        <g key={r.name} className={`node-replica state-${r.state}`} data-node={r.name}>
          <path
            className={`stream${r.state === 'down' ? ' stopped' : ''}`}
            d={`M ${r.x + 10} ${GRID.shardY + GRID.shardH} V ${r.y + GRID.replicaH / 2} H ${r.x + 18}`}
          />
          <rect x={r.x + 18} y={r.y} width={GRID.column - 19} height={GRID.replicaH} rx={GRID.replicaH / 2} />
          <text x={r.x + 18 + (GRID.column - 19) / 2} y={r.y + 21} textAnchor="middle" className="small-label">
            {r.name}
          </text>
          <text x={r.x + 18 + (GRID.column - 19) / 2} y={r.y + 37} textAnchor="middle" className="small-label">
            {r.stream}
          </text>
        </g>
      ))}
    </svg>
  );
}
