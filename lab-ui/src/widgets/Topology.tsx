import { useEffect, useId, useState } from 'react';
import { api, messageOf } from '../api';
import { shardColor } from '../colors';
import { fmt } from '../format';
import { useChannel, useJob, useLive } from '../live';
import type { JobView, MetricsTick, PromotionReport, ShardInfo } from '../types';
import { RESHARD_STEPS } from '../../../lab-server/src/resharding/steps';
import { ErrorNote, HeadWithActions, Panel, useAction } from './common';
import { renderMermaid } from './mermaid';
import { topologyDiagram, topologySummary } from './topology-diagram';

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
  const [svg, setSvg] = useState<string | null>(null);
  const [renderError, setRenderError] = useState<string | null>(null);
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

  const text = topology ? topologyDiagram(topology, replicas) : null;
  useEffect(() => {
    if (!text) return;
    let current = true;
    renderMermaid(text).then(
      (out) => current && (setSvg(out), setRenderError(null)),
      (err: unknown) => current && setRenderError(messageOf(err)),
    );
    return () => {
      current = false;
    };
  }, [text]);

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
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: Mermaid's SVG, rendered with securityLevel 'strict' from the lab's own topology */}
        {svg ? <div dangerouslySetInnerHTML={{ __html: svg }} /> : <p className="muted">{renderError ?? 'Drawing…'}</p>}
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
      <div className="table-wrap">
        <table className="compact">
          <caption className="sr-only">Shards</caption>
          <HeadWithActions columns={['shard', 'status', 'address', 'share of the ring']} />
          <tbody>
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
          </tbody>
        </table>
      </div>
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
