import { z } from 'zod';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import type { Answer } from '../context.js';
import { fmt } from './format.js';
import { finishedRuns, type TunedRun } from './tuning-runs.js';

const spec = z.strictObject({
  kind: z.literal('workers-live'),
  /** How far the learner's after ÷ before may be from the measured one. */
  tolerance: z.number().positive(),
});
type WorkersLiveSpec = z.output<typeof spec>;

/** The newest finished run during which the worker count changed, with its throughput on both sides. */
function workersRun(runs: readonly TunedRun[]) {
  for (const run of runs) {
    const mark = [...(run.marks ?? [])].reverse().find((m) => m.kind === 'knob' && m.label.startsWith('workers → ') && m.around);
    if (mark?.around) return { run, mark, around: mark.around };
  }
  return null;
}

/** The learner read the run's after ÷ before req/s around the worker change. */
export function judgeWorkersLive(s: WorkersLiveSpec, answer: Answer | undefined, runs: readonly TunedRun[]): CheckResult {
  const found = workersRun(runs);
  if (!found)
    return fail(
      'No finished load test saw the worker count change with full seconds on both sides. Start a load test of 10 s or more and, a few seconds in, change workers in the knob panel.',
    );
  const { run, mark, around } = found;
  const seen = `Run ${run.id.slice(0, 8)} saw ${mark.label} at ${mark.t_s} s: ${fmt(around.before_rps)} req/s before, ${fmt(around.after_rps)} after, ${around.ratio}×.`;
  if (typeof answer !== 'number') return fail(`${seen} Enter after ÷ before, e.g. 1.2.`);
  if (Math.abs(answer - around.ratio) > s.tolerance) return fail(`${seen} Your ${answer} is not within ${s.tolerance} of it.`);
  return pass(`${seen} How close was your prediction? On a machine with few cores more processes may not help at all.`);
}

/** The worker count changed live during a load test; the learner reads the throughput ratio across the change. */
export const workersLive: CheckKind<WorkersLiveSpec> = {
  kind: 'workers-live',
  spec,
  question: {
    input: () => ({ type: 'number', label: 'req/s after ÷ before', unit: '×' }),
    answer: async (_s, ctx) => workersRun(await finishedRuns(ctx))?.around.ratio ?? null,
  },
  async run(s, ctx, answer) {
    return judgeWorkersLive(s, answer, await finishedRuns(ctx));
  },
};
