import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError } from '../domain/errors.js';
import { errorMessage, type SelfClient } from '../net/self-client.js';

/** A load test's run as `GET /lab/v1/loadtests/:id` answers it, as far as a caller here reads it. */
export interface RunReply {
  id: string;
  state: string;
  error: string | null;
  summary: { requests: number; errors: number; requests_per_s: number; latency_ms: { p50: number; p99: number } | null } | null;
}

export interface RunRequest {
  scenario: string;
  duration_s: number;
  connections: number;
  warmup_s?: number;
}

const POLL_MS = 500;

/**
 * Runs one load test through the lab's own API, as a learner would, and answers the finished run. `tick` runs
 * every half second while the load runs (to sample something beside it); an aborted `signal` cancels the run.
 * A run that does not finish (failed, cancelled) is an error naming why; another run already going is a conflict.
 */
export async function runLoadTest(api: SelfClient, req: RunRequest, opts: { signal?: AbortSignal; tick?: () => Promise<void> } = {}): Promise<RunReply> {
  const started = await api.call<{ id: string }>('POST', '/lab/v1/loadtests', req);
  if (started.status === 409) throw new ConflictError('loadtest_running', errorMessage(started));
  if (started.status !== 202) throw new Error(`POST /lab/v1/loadtests → ${started.status}: ${errorMessage(started)}`);
  const path = `/lab/v1/loadtests/${encodeURIComponent(started.body.id)}`;
  let cancelled = false;
  for (;;) {
    if (opts.signal?.aborted && !cancelled) {
      cancelled = true;
      await api.call('POST', `${path}/cancel`);
    }
    const r = await api.call<RunReply>('GET', path);
    if (r.status !== 200) throw new Error(`GET ${path} → ${r.status}: ${errorMessage(r)}`);
    const run = r.body;
    if (run.state === 'running') await opts.tick?.();
    if (!['preparing', 'running'].includes(run.state)) {
      if (run.state !== 'finished' || !run.summary) throw new Error(`the ${req.scenario} load test ${run.state}${run.error ? `: ${run.error}` : ''}`);
      return run;
    }
    await sleep(POLL_MS);
  }
}
