import { z } from 'zod';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import type { Answer } from '../context.js';
import { fmt } from './format.js';
import { finishedRuns, type TunedRun } from './tuning-runs.js';

const spec = z.strictObject({
  kind: z.literal('starved-run'),
  scenario: z.string().min(1),
  /** The pool size (or smaller) the run must have had. */
  pool_max: z.number().int().min(1),
});
type StarvedRunSpec = z.output<typeof spec>;

const starved = (s: StarvedRunSpec, runs: readonly TunedRun[]) => runs.find((r) => Number(r.conditions?.pool_max ?? Number.NaN) <= s.pool_max);

/** The verdict on the learner's count of failed requests, given the finished runs (newest first). */
export function judgeStarvedRun(s: StarvedRunSpec, answer: Answer | undefined, runs: readonly TunedRun[]): CheckResult {
  const run = starved(s, runs);
  if (!run) {
    return fail(
      `No finished ${s.scenario} run with a pool of ${s.pool_max} connection${s.pool_max === 1 ? '' : 's'} per shard or fewer yet. Set pool_max to ${s.pool_max} in the knob panel (\`tune knob pool_max ${s.pool_max}\`), then run ${s.scenario}.`,
    );
  }
  if (typeof answer !== 'number') return fail('Enter the number of failed requests first.');
  const m = run.summary!;
  if (answer !== m.errors) return fail(`${fmt(answer)} is not what run ${run.id.slice(0, 8)} counted. Read “errors” in its summary.`);
  return pass(
    `Right: with pool_max ${run.conditions?.pool_max} and a wait of ${run.conditions?.pool_wait_timeout_ms ?? '?'} ms, ${fmt(m.errors)} of ${fmt(m.requests)} requests failed; ${fmt(Math.round(m.requests_per_s))} req/s, p95 ${m.latency_ms?.p95 ?? '?'} ms.`,
  );
}

/** The learner read the failures of a run made with a starved pool (asks a number). */
export const starvedRun: CheckKind<StarvedRunSpec> = {
  kind: 'starved-run',
  spec,
  question: {
    input: () => ({ type: 'number', label: 'Failed requests' }),
    answer: async (s, ctx) => starved(s, await finishedRuns(ctx, s.scenario))?.summary?.errors ?? null,
  },
  async run(s, ctx, answer) {
    return judgeStarvedRun(s, answer, await finishedRuns(ctx, s.scenario));
  },
};
