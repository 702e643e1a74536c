import { z } from 'zod';
import { StepFailed } from '../../exercises/action-kind.js';
import { failUnlessOk, startAndWait } from '../../exercises/actions/lab-api.js';
import { fmt } from '../../exercises/checks/format.js';
import type { Measurement, MeasureKind } from '../measure-kind.js';
import { measureSchema } from './spec.js';

const spec = measureSchema('seed-rate', { users: z.number().int().min(1).max(1_000_000), claimed_users: z.number().int().min(1) });
type Spec = z.output<typeof spec>;

export function judgeSeedRate(s: Spec, seconds: number, total: number): Measurement {
  const rate = s.users / Math.max(seconds, 1e-3);
  const measured = `Loaded ${fmt(s.users)} users in ${seconds.toFixed(1)} s (${fmt(Math.round(rate))} users/s); the shards now hold ${fmt(total)}.`;
  if (total >= s.claimed_users)
    return { measured, verdict: 'holds', why: `The shards hold ${fmt(total)} users, at least the ${fmt(s.claimed_users)} claimed.` };
  const eta = Math.ceil((s.claimed_users - total) / rate);
  return {
    measured,
    verdict: 'unsettled',
    why: `${fmt(total)} is fewer than the ${fmt(s.claimed_users)} claimed; at this rate the rest would load in about ${fmt(eta)} s (make seed USERS=${s.claimed_users - total}).`,
  };
}

/** Loads users through the lab's seed job and times it; whether the claimed total fits is then a matter of rate. */
export const seedRate: MeasureKind<Spec> = {
  kind: 'seed-rate',
  spec,
  runs: (s) => `Loads ${fmt(s.users)} generated users into the shards (added to the users already there).`,
  measure: async (s, ctx) => {
    const job = await startAndWait(ctx, 'POST', '/lab/v1/seed', { users: s.users });
    const seconds = Number(job.result?.seconds);
    if (!Number.isFinite(seconds)) throw new StepFailed(`The seed job ${job.id} reported no duration.`);
    const stats = await ctx.api.call<{ total_users: number }>('GET', '/api/v1/shards/stats');
    failUnlessOk(stats, 'GET /api/v1/shards/stats');
    return judgeSeedRate(s, seconds, stats.body.total_users);
  },
};
