import { z } from 'zod';
import type { Prediction } from '../../contracts/predictions.js';
import { replyError } from '../../net/self-client.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import type { Answer } from '../context.js';

const spec = z.strictObject({
  kind: z.literal('prediction'),
  /** The scenario the prediction must have been measured on. */
  scenario: z.string().min(1),
  /** How far the learner's reading of the measured change may be from it, in percentage points. */
  tolerance_points: z.number().min(0).max(5).default(1),
});
type PredictionSpec = z.output<typeof spec>;

const signed = (x: number) => `${x > 0 ? '+' : ''}${x} %`;
/** The newest prediction about `scenario`, measured or not. */
const newest = (s: PredictionSpec, all: readonly Prediction[]) => all.find((p) => p.before.scenario === s.scenario);

/** The verdict on the learner's reading of their own prediction's measurement (newest first). */
export function judgePrediction(s: PredictionSpec, answer: Answer | undefined, all: readonly Prediction[]): CheckResult {
  const p = newest(s, all);
  if (!p)
    return fail(
      `No prediction about a ${s.scenario} run yet. Run ${s.scenario}, enter your prediction in the “Predict, then measure” panel (\`tune predict 20\`), change something, and run ${s.scenario} again.`,
    );
  if (!p.after || p.measured_pct === null)
    return fail(
      `Prediction ${p.id} (${signed(p.predicted_pct)} ${p.metric}) waits for its measurement: run ${s.scenario} again, without turning a knob during the run.`,
    );
  if (typeof answer !== 'number') return fail('Enter the measured change, in percent (negative for a drop).');
  if (Math.abs(answer - p.measured_pct) > s.tolerance_points)
    return fail(`${answer} % is not what prediction ${p.id}'s runs measured; read “measured” in the panel (\`tune predictions\`).`);
  return pass(
    `You predicted ${signed(p.predicted_pct)} ${p.metric}; the runs measured ${signed(p.measured_pct)} — off by ${p.off_by_points} points. What differed: ${p.differed.join(', ') || 'no knob'}.`,
  );
}

/** The learner predicted a run's change, ran it, and reads the measurement beside the prediction (asks a number). */
export const prediction: CheckKind<PredictionSpec> = {
  kind: 'prediction',
  spec,
  question: {
    input: () => ({ type: 'number', label: 'Measured change', unit: '%' }),
    answer: async (s, ctx) => newest(s, await predictions(ctx))?.measured_pct ?? null,
  },
  async run(s, ctx, answer) {
    return judgePrediction(s, answer, await predictions(ctx));
  },
};

async function predictions(ctx: Parameters<CheckKind<PredictionSpec>['run']>[1]): Promise<Prediction[]> {
  const r = await ctx.api.call<{ predictions: Prediction[] }>('GET', '/lab/v1/tuning/predictions');
  if (r.status !== 200) throw replyError(r, 'Could not read the predictions');
  return r.body.predictions;
}
