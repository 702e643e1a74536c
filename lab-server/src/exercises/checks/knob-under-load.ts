import { z } from 'zod';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';
import { finishedRuns, type TunedRun } from './tuning-runs.js';

const spec = z.strictObject({ kind: z.literal('knob-under-load'), knob: z.string().min(1), value: z.string().min(1) });
type KnobUnderLoadSpec = z.output<typeof spec>;

/** The verdict on the newest finished run: the knob turned during it, and no request failed. */
export function judgeKnobUnderLoad(s: KnobUnderLoadSpec, runs: readonly TunedRun[]): CheckResult {
  const label = `${s.knob} → ${s.value}`;
  const run = runs.find((r) => r.marks?.some((m) => m.kind === 'knob' && m.label === label));
  if (!run) return fail(`No finished load test saw ${label}. Start a load test, and while it runs turn ${s.knob} to ${s.value} in the knob panel.`);
  const m = run.summary!;
  const at = run.marks!.find((x) => x.label === label)!.t_s;
  if (m.errors > 0) {
    return fail(
      `Run ${run.id.slice(0, 8)} saw ${label} at ${at} s but ${fmt(m.errors)} of its ${fmt(m.requests)} requests failed. Reset the other knobs to their defaults and try again.`,
    );
  }
  return pass(`Run ${run.id.slice(0, 8)} saw ${label} at ${at} s and all ${fmt(m.requests)} requests succeeded (${fmt(Math.round(m.requests_per_s))} req/s).`);
}

/** A knob was turned while a load test ran, and not one request failed (an "under load" check). */
export const knobUnderLoad: CheckKind<KnobUnderLoadSpec> = {
  kind: 'knob-under-load',
  spec,
  async run(s, ctx) {
    return judgeKnobUnderLoad(s, await finishedRuns(ctx));
  },
};
