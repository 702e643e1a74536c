import { z } from 'zod';
import type { ReadTrial } from '../../reads/trial.js';
import type { Answer } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { pct } from './format.js';
import { percent } from './params.js';
import { readsView } from './reads-view.js';

const spec = z.strictObject({ kind: z.literal('stale-share'), tolerance_points: percent.default(5) });
type StaleShareSpec = z.output<typeof spec>;

/** The share of the last trial's reads that were stale under `replica`, in percent; null without one. */
export function measuredStaleShare(trial: ReadTrial | null): number | null {
  const r = trial?.results.find((x) => x.policy === 'replica');
  return r && r.pairs > 0 ? (100 * r.not_found) / r.pairs : null;
}

export function judgeStaleShare(s: StaleShareSpec, trial: ReadTrial | null, answer: Answer | undefined): CheckResult {
  if (typeof answer !== 'number') return fail('Enter your prediction first: the share of reads that will miss, in percent.');
  const measured = measuredStaleShare(trial);
  if (measured === null) return fail('Now measure it: run a write-then-read trial (it runs the replica policy) from the reads panel, or `reads trial`.');
  if (measured === 0) return fail('The last trial saw no stale read at all: make the replica lag (a few seconds of delay), then run it again.');
  if (Math.abs(answer - measured) <= s.tolerance_points) {
    return pass(`Measured: ${pct(measured, 1)} of the reads missed a user created a moment before; you predicted ${pct(answer, 1)}.`);
  }
  return fail(
    `Measured: ${pct(measured, 1)}; you said ${pct(answer, 1)}. Which reads go to a lagging replica? Only those of keys on a shard that has one: compare with that shard's share of the ring.`,
  );
}

/** The learner's prediction of the stale share under `replica` is within tolerance of the last trial's (asks a number). */
export const staleShare: CheckKind<StaleShareSpec> = {
  kind: 'stale-share',
  spec,
  question: {
    input: () => ({ type: 'number', label: 'Share of write-then-read pairs that read stale under the replica policy', unit: '%' }),
    answer: async (_s, ctx) => {
      const view = await readsView(ctx);
      const m = typeof view === 'string' ? null : measuredStaleShare(view.last_trial);
      return m === null ? null : Number(m.toFixed(1));
    },
  },
  async run(s, ctx, answer) {
    const view = await readsView(ctx);
    return typeof view === 'string' ? fail(view) : judgeStaleShare(s, view.last_trial, answer);
  },
};
