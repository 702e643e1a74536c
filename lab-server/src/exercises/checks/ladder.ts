import { z } from 'zod';
import { RUNGS, type LadderView } from '../../contracts/ladder.js';
import type { Answer } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';

const spec = z.strictObject({
  kind: z.literal('ladder'),
  /** Rungs measured (not skipped), the baseline among them. */
  rungs_at_least: z.number().int().min(2).max(RUNGS.length).default(3),
});
type LadderSpec = z.output<typeof spec>;

/** The rungs above the baseline, numbered as the question asks: "2 indexes, 3 replicas, …". */
const RUNG_CHOICES = RUNGS.map((r, i) => `${i + 1} ${r}`)
  .slice(1)
  .join(', ');

const measuredSteps = (v: LadderView) => v.steps.filter((s) => !s.skipped);

/** The measured rung above the baseline with the largest req/s ratio, or null. */
export function bestRung(v: LadderView | null): { rung: string; number: number; ratio: number; withinNoise: boolean } | null {
  const above = (v ? measuredSteps(v) : []).filter((s) => s.rung !== 'baseline' && s.rps_ratio !== null);
  const best = above.reduce<(typeof above)[number] | null>((b, s) => (b === null || (s.rps_ratio ?? 0) > (b.rps_ratio ?? 0) ? s : b), null);
  return best ? { rung: best.rung, number: RUNGS.indexOf(best.rung) + 1, ratio: best.rps_ratio ?? 0, withinNoise: best.within_noise === true } : null;
}

export function judgeLadder(s: LadderSpec, v: LadderView, answer: Answer | undefined): CheckResult {
  if (typeof answer !== 'number') return fail(`Predict first: which rung will raise req/s most — ${RUNG_CHOICES}?`);
  if (!Number.isInteger(answer) || answer < 2 || answer > RUNGS.length) return fail(`${answer} is not a rung above the baseline: enter ${RUNG_CHOICES}.`);
  if (v.state === 'running') return fail('The climb is still running; wait for its last rung.');
  if (v.state !== 'finished') return fail('Climb the ladder from the ladder panel (or `ladder climb`), starting from the baseline.');
  const steps = measuredSteps(v);
  if (steps[0]?.rung !== 'baseline') return fail('The climb must start from the baseline, so every rung has something to be compared with.');
  if (steps.length < s.rungs_at_least) return fail(`The climb measured ${steps.length} rungs; climb at least ${s.rungs_at_least}, the baseline among them.`);
  const failed = steps.filter((x) => x.errors > 0);
  if (failed.length)
    return fail(
      `${failed.map((x) => `${x.rung}: ${fmt(x.errors)} of ${fmt(x.requests)} requests failed`).join('; ')}. A rung that fails requests measures nothing; see what it switched on.`,
    );
  const line = steps.map((x) => `${x.rung} ${fmt(x.requests_per_s)} req/s (${(x.rps_ratio ?? 0).toFixed(2)}×)`).join(', ');
  const best = bestRung(v);
  if (!best) return pass(`Measured on this machine: ${line}.`);
  const predicted = RUNGS[Number(answer) - 1] ?? `rung ${String(answer)}`;
  return pass(
    `Measured: ${line}. You predicted ${predicted}; the largest gain was ${best.rung} (${best.ratio.toFixed(2)}×)${best.withinNoise ? ', within the spread of the baseline’s own runs — not a clear win on this machine now' : ''}${predicted === best.rung ? ' — as you said.' : '. Why? Compare what each rung saves per request.'}`,
  );
}

/**
 * After a prediction of the rung that raises req/s most, a climb of the scaling ladder finished from the baseline,
 * over enough rungs, with no failed request. It passes whichever rung won: on a noisy shared machine the measurement
 * is the lesson, and the message says whether the prediction held.
 */
export const ladder: CheckKind<LadderSpec> = {
  kind: 'ladder',
  spec,
  question: {
    input: () => ({ type: 'number', label: `The rung that will raise req/s most (${RUNG_CHOICES})` }),
    answer: async (_s, ctx) => bestRung((await ctx.api.call<LadderView>('GET', '/lab/v1/ladder')).body)?.number ?? null,
  },
  async run(s, ctx, answer) {
    const r = await ctx.api.call<LadderView>('GET', '/lab/v1/ladder');
    if (r.status !== 200) return fail(`GET /lab/v1/ladder answered ${r.status}.`);
    return judgeLadder(s, r.body, answer);
  },
};
