import { z } from 'zod';
import { BudgetResult } from '../../contracts/connection-budget.js';
import { jobResult, startAndWait } from '../../exercises/actions/lab-api.js';
import { fmt } from '../../exercises/checks/format.js';
import type { Measurement, MeasureKind } from '../measure-kind.js';
import { measureSchema } from './spec.js';

const spec = measureSchema('connection-budget', {
  workers: z.number().int().min(1).max(8),
  pool_max: z.number().int().min(1).max(50),
  duration_s: z.number().int().min(1).max(30).default(3),
});
type Spec = z.output<typeof spec>;

/**
 * The claim "W workers × a pool of P = W × P connections per database" holds when every shard's peak in
 * pg_stat_activity is exactly W × P with no process above P; fewer means the load did not fill every pool,
 * which proves nothing.
 */
export function judgeBudget(r: BudgetResult): Measurement {
  const { plan, original: o } = r;
  const peaks = r.shards.map((s) => `${s.shard} ${fmt(s.peak)}`).join(', ');
  const measured = `${fmt(plan.processes)} process${plan.processes === 1 ? '' : 'es'} × pool_max ${fmt(plan.pool_max)}: peak API connections per shard in pg_stat_activity ${peaks} (formula ${fmt(plan.formula)}; the most one process held: ${fmt(Math.max(...r.shards.map((s) => s.per_process_peak)))}).`;
  const least = Math.min(...r.shards.map((s) => s.max_connections));
  const original = `The original's ${o.workers} workers × ${o.pool_max} = ${fmt(o.connections)} per database is ${o.connections / o.max_connections}× the ${o.max_connections} its primaries accepted and ${o.connections / o.max_connections_doc}× the ${o.max_connections_doc} its guide set; against this lab's max_connections of ${fmt(least)} it would be ${fmt(Math.round((o.connections / least) * 10) / 10)}×.`;
  const over = r.shards.filter((s) => s.peak > s.formula || s.per_process_peak > plan.pool_max);
  if (over.length)
    return {
      measured,
      verdict: 'fails',
      why: `${over.map((s) => s.shard).join(', ')} saw more than the formula: the pools are not bounded by processes × pool_max alone. ${original}`,
    };
  const short = r.shards.filter((s) => s.peak < s.formula);
  if (short.length)
    return {
      measured,
      verdict: 'unsettled',
      why: `The load did not fill every pool on ${short.map((s) => s.shard).join(', ')}, so the peak proves only a lower bound; run it longer. ${original}`,
    };
  return {
    measured,
    verdict: 'holds',
    why: `Each process held its own pool of ${fmt(plan.pool_max)} to every shard, so the shards counted ${fmt(plan.processes)} × ${fmt(plan.pool_max)} = ${fmt(plan.formula)} each. ${original}`,
  };
}

/** Sets workers and pool_max, fills every pool with a crud load test and counts each shard's connections (POST /lab/v1/tuning/connection-budget). */
export const connectionBudget: MeasureKind<Spec> = {
  kind: 'connection-budget',
  spec,
  runs: (s) =>
    `Starts ${fmt(s.workers)} prefork worker${s.workers === 1 ? '' : 's'} with pool_max ${fmt(s.pool_max)}, runs the crud load test for ${fmt(s.duration_s)} s with enough connections to fill every pool, and counts each shard's connections in pg_stat_activity; both knobs are put back.`,
  measure: async (s, ctx) => {
    const job = await startAndWait(ctx, 'POST', '/lab/v1/tuning/connection-budget', { workers: s.workers, pool_max: s.pool_max, duration_s: s.duration_s });
    return judgeBudget(jobResult(job, BudgetResult));
  },
};
