import type { ShardSet } from '../cluster/shard-set.js';
import type { JobRegistry, JobView } from '../jobs/registry.js';

/** Where cluster events are marked: the running load test's timeline (nothing when none runs). */
export interface Timeline {
  mark(kind: string, label: string): void;
}

/** Jobs that change what serves the traffic: their phases are causes a learner should see beside the effects. */
const MARKED_JOBS = new Set(['add-shard', 'remove-shard', 'restore-start']);
const ENDED = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * Marks the cluster's events on the load chart: each phase of a reshard (with the write pause its cutover
 * measured), a shard going down, paused or back up — so a dip in req/s has its cause drawn beside it.
 */
export function markClusterEvents(jobs: Pick<JobRegistry, 'on'>, shards: Pick<ShardSet, 'on'>, timeline: Timeline): void {
  const seen = new Map<string, string>();
  jobs.on('update', (job: JobView) => {
    if (!MARKED_JOBS.has(job.kind) || job.state === 'queued') return;
    const step = ENDED.has(job.state) ? job.state : (job.phase ?? 'started');
    if (seen.get(job.id) === step) return;
    seen.set(job.id, step);
    if (ENDED.has(job.state)) seen.delete(job.id);
    const pause = job.result?.pause_ms;
    timeline.mark('job', `${job.kind}: ${step}${job.state === 'succeeded' && typeof pause === 'number' ? ` (writes paused ${Math.round(pause)} ms)` : ''}`);
  });
  shards.on('status', (shard, previous) => {
    if (shard.status !== previous && previous !== 'starting') timeline.mark('shard', `${shard.name} ${shard.status}`);
  });
}
