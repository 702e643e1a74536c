import { z } from 'zod';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import type { Answer } from '../context.js';
import { fmt } from './format.js';
import { changePct, differences, finishedRuns, type TunedRun } from './tuning-runs.js';

const fields = {
  scenario: z.string().min(1),
  /** The knob the two runs differ in. */
  knob: z.string().min(1),
  /** The later run's value of it, when it matters (e.g. "off"). */
  after: z.string().optional(),
  /** The later run's value must be the larger number (a bigger pool after a starved one). */
  larger: z.boolean().default(false),
  /** Other knobs allowed to differ too. */
  ignore: z.array(z.string()).default([]),
  /** The later run must have had no failed request. */
  no_errors: z.boolean().default(false),
};
const spec = z.strictObject({ kind: z.literal('ab-runs'), ...fields });
/** The same pair, and the learner says by how much req/s changed, in percent, within `tolerance_points`. */
export const abChangeSpec = z.strictObject({ kind: z.literal('ab-change'), ...fields, tolerance_points: z.number().min(0).max(5).default(1) });
type AbRunsSpec = z.output<typeof spec> | z.output<typeof abChangeSpec>;

/** The newest run (after, b) and the newest earlier one that differs from it in the knob (before, a). */
export function abPair(s: AbRunsSpec, all: readonly TunedRun[]): { a: TunedRun; b: TunedRun } | null {
  // A run during which a knob turned ran under two settings: it is neither side of a before/after.
  const runs = all.filter((r) => !r.marks?.some((m) => m.kind === 'knob'));
  const b = runs[0];
  if (!b || (s.after !== undefined && b.conditions?.[s.knob] !== s.after)) return null;
  const a = runs.find((r) => r.conditions?.[s.knob] !== b.conditions?.[s.knob]);
  if (!a || (s.larger && !(Number(b.conditions?.[s.knob]) > Number(a.conditions?.[s.knob])))) return null;
  return { a, b };
}

export function judgeAbRuns(s: AbRunsSpec, answer: Answer | undefined, runs: readonly TunedRun[]): CheckResult {
  const pair = abPair(s, runs);
  const want =
    s.after !== undefined ? `${s.knob} = ${s.after} in the newest one` : s.larger ? `a larger ${s.knob} in the newest one` : `different ${s.knob} values`;
  if (!pair)
    return fail(`Two finished ${s.scenario} runs with ${want} are needed: run ${s.scenario}, turn ${s.knob} in the knob panel, run ${s.scenario} again.`);
  const { a, b } = pair;
  const other = differences(a, b, [s.knob, ...s.ignore]);
  if (other.length) return fail(`Those two runs also differ in ${other.join(', ')}: put it back so only ${s.knob} changes, and run again.`);
  const ma = a.summary!;
  const mb = b.summary!;
  if (s.no_errors && mb.errors > 0) return fail(`The later run still had ${fmt(mb.errors)} failed requests; it must have none.`);
  const change = changePct(ma.requests_per_s, mb.requests_per_s);
  const measured = `${s.knob} ${a.conditions?.[s.knob]} → ${b.conditions?.[s.knob]}: ${fmt(Math.round(ma.requests_per_s))} → ${fmt(Math.round(mb.requests_per_s))} req/s (${change >= 0 ? '+' : ''}${change} %), p95 ${ma.latency_ms?.p95 ?? '?'} → ${mb.latency_ms?.p95 ?? '?'} ms, errors ${fmt(ma.errors)} → ${fmt(mb.errors)}.`;
  if (s.kind === 'ab-change') {
    if (typeof answer !== 'number') return fail('Enter the measured change in req/s, in percent (negative for a drop).');
    if (Math.abs(answer - change) > s.tolerance_points)
      return fail(`${answer} % is not what the two runs measured; compare their req/s in the load-test panel.`);
  }
  return pass(`Measured here: ${measured}`);
}

/** Two runs of a scenario that differ in one knob: a before/after comparison. */
export const abRuns: CheckKind<z.output<typeof spec>> = {
  kind: 'ab-runs',
  spec,
  async run(s, ctx, answer) {
    return judgeAbRuns(s, answer, await finishedRuns(ctx, s.scenario));
  },
};
