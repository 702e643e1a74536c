import { errorMessage, type SelfClient } from '../../net/self-client.js';
import { fail, type CheckResult } from '../check-kind.js';

/**
 * "Did it happen inside a load-test run": the window a check holds a job or a race against. Checks differ only
 * in which ended runs count — one that ran its course, or also one stopped once the thing it carried was done.
 */

/** The parts of a load-test run these checks read. */
export interface TimedRun {
  id: string;
  state: string;
  params?: { scenario?: string };
  started_at: string | null;
  finished_at: string | null;
  summary?: { requests?: number; requests_per_s?: number; errors?: number; latency_ms?: { p95?: number | null } | null } | null;
}

/** Which ended runs count as windows. */
export type Ended = 'finished' | 'finished or stopped';

/** An ISO time in ms; none is NaN, which no comparison holds, so a run without an end holds nothing. */
export const time = (iso: string | null): number => (iso === null ? Number.NaN : Date.parse(iso));

/** The runs of the scenario that ended as `ended` says, in the history's order. */
export function endedRuns(runs: readonly TimedRun[], scenario: string, ended: Ended): TimedRun[] {
  const states = ended === 'finished' ? ['finished'] : ['finished', 'cancelled'];
  return runs.filter((r) => r.params?.scenario === scenario && states.includes(r.state));
}

/** Whether the run went on from `from` to `to` (a single moment when `to` is left out). */
export const during = (run: TimedRun, from: string | null, to: string | null = from): boolean =>
  time(from) >= time(run.started_at) && time(to) <= time(run.finished_at);

/** Whether a run of the scenario is still under way: the learner should wait for it rather than start one. */
export const runGoing = (runs: readonly TimedRun[], scenario: string): boolean =>
  runs.some((r) => r.params?.scenario === scenario && (r.state === 'running' || r.state === 'preparing'));

/** The load-test history, or the check's failure to read it. */
export async function loadRuns(api: SelfClient): Promise<TimedRun[] | CheckResult> {
  const reply = await api.call<{ runs: TimedRun[] }>('GET', '/lab/v1/loadtests');
  return reply.status === 200 ? reply.body.runs : fail(`Could not read the load-test history: ${errorMessage(reply)}`);
}
