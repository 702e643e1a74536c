import { z } from 'zod';
import type { JobView } from '../../jobs/registry.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';
import { during, endedRuns, loadRuns, runGoing, type TimedRun, time } from './load-window.js';
import { count } from './params.js';

const spec = z.strictObject({
  kind: z.literal('job-under-load'),
  job: z.string().min(1),
  scenario: z.string().min(1),
  max_errors: count.default(0),
});
type JobUnderLoadSpec = z.output<typeof spec>;

/**
 * The verdict on the newest finished run of the scenario during which a job of that kind started and succeeded:
 * the job ran under the lab's own load, and the run says what the traffic felt (errors, p95).
 */
export function judgeJobUnderLoad(s: JobUnderLoadSpec, runs: readonly TimedRun[], jobs: readonly JobView[]): CheckResult {
  // A run stopped once the job was done counts as well as one that ran its course: the job still ran under it.
  const finished = endedRuns(runs, s.scenario, 'finished or stopped');
  const done = jobs.filter((j) => j.kind === s.job && j.state === 'succeeded');
  for (const run of finished) {
    const inside = done.find((j) => during(run, j.started_at, j.finished_at));
    if (!inside) continue;
    const m = run.summary ?? {};
    const errors = m.errors ?? 0;
    const p95 = m.latency_ms?.p95;
    const felt = `${fmt(m.requests ?? 0)} requests at ${fmt(Math.round(m.requests_per_s ?? 0))} req/s, p95 ${p95 === null || p95 === undefined ? '?' : `${fmt(Math.round(p95))} ms`}, ${fmt(errors)} errors`;
    const took = Math.round((time(inside.finished_at) - time(inside.started_at)) / 100) / 10;
    if (errors > s.max_errors) {
      return fail(`The ${s.job} ran inside the ${s.scenario} run, which had ${felt}. What failed? Look at the run's status codes, then try again.`);
    }
    return pass(`The ${s.job} took ${took} s inside the ${s.scenario} run: ${felt}. The traffic went on while the shards loaded rows.`);
  }
  if (runGoing(runs, s.scenario))
    return fail(`The ${s.scenario} run is still going: start the ${s.job} now if you have not, and check when the run has finished.`);
  return fail(
    `Start the ${s.scenario} load test, and while it runs start a ${s.job}; check once the run has ended (finished, or stopped after the ${s.job}). The ${s.job} must begin and end inside the run.`,
  );
}

/** A job of a kind began and succeeded inside a finished run of a load-test scenario, with at most `max_errors` errors. */
export const jobUnderLoad: CheckKind<JobUnderLoadSpec> = {
  kind: 'job-under-load',
  spec,
  async run(s, { api, lab }) {
    const runs = await loadRuns(api);
    return Array.isArray(runs) ? judgeJobUnderLoad(s, runs, lab.jobs.list()) : runs;
  },
};
