import { z } from 'zod';
import { fmt, pct } from '../../exercises/checks/format.js';
import type { Measurement, MeasureKind } from '../measure-kind.js';
import { failUnlessOk } from '../../exercises/actions/lab-api.js';
import { measureSchema } from './spec.js';

/** `tolerance` is relative to the fair share, as the original means "±5 %": 5 % of 20 % is 19–21 % over five shards. */
const spec = measureSchema('distribution', { tolerance: z.number().gt(0).max(1).default(0.05) });
type Spec = z.output<typeof spec>;

export function judgeDistribution(s: Spec, counts: readonly number[]): Measurement {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return { measured: 'No users loaded yet.', verdict: 'unsettled', why: 'There is nothing to count: load users first.' };
  const shares = counts.map((c) => (c / total) * 100);
  const even = 100 / counts.length;
  const worst = Math.max(...shares.map((x) => Math.abs(x / even - 1)));
  const [low, high] = [even * (1 - s.tolerance), even * (1 + s.tolerance)];
  const measured = `Smallest ${pct(Math.min(...shares))}, largest ${pct(Math.max(...shares))} of ${fmt(total)} users on ${counts.length} shards; an even share is ${pct(even)}.`;
  const allowed = `±${pct(s.tolerance * 100, 0)} of an even share is ${pct(low)} to ${pct(high)}`;
  const off = `the worst shard is ${pct(worst * 100, 1)} off it`;
  return worst <= s.tolerance ? { measured, verdict: 'holds', why: `${allowed}; ${off}.` } : { measured, verdict: 'fails', why: `${allowed}; ${off}.` };
}

/** How evenly the shards hold the users now, against the original's tolerance around an even split. */
export const distribution: MeasureKind<Spec> = {
  kind: 'distribution',
  spec,
  measure: async (s, ctx) => {
    const r = await ctx.api.call<{ shards: { user_count: number | null }[] }>('GET', '/api/v1/shards/stats');
    failUnlessOk(r, 'GET /api/v1/shards/stats');
    return judgeDistribution(
      s,
      r.body.shards.map((x) => x.user_count ?? 0),
    );
  },
};
