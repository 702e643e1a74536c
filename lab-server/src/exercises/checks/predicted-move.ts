import { z } from 'zod';
import { shardName } from '../../cluster/shard.js';
import { auditPlacement } from '../../placement/audit.js';
import { movedFraction } from '../../sharding/movement.js';
import type { Router } from '../../sharding/router.js';
import { routerFor } from '../../sharding/strategies.js';
import type { Answer, ExerciseContext } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt, pct } from './format.js';
import { count, percent } from './params.js';

const spec = z.strictObject({ kind: z.literal('predicted-move'), min_users: count, tolerance_points: percent.default(1.5) });
type PredictedMoveSpec = z.output<typeof spec>;

/** What adding one shard would do to the users the cluster holds now, counted on the shards. */
export interface MoveMeasure {
  /** The shard the lab would add next. */
  added: string;
  users: number;
  /** Users the ring with that shard would route to a shard other than the one they are on. */
  moving: number;
  /** The share of the key space the ring's arcs hand over: what a prediction can be made from. */
  ring_percent: number;
}

/**
 * The verdict on a prediction of the share of users that adding one shard moves: the prediction first, then the
 * users on the cluster counted against the ring with the next shard in it.
 */
export function judgePredictedMove(s: PredictedMoveSpec, answer: Answer | undefined, m: MoveMeasure): CheckResult {
  if (typeof answer !== 'number') {
    return fail(`Predict first: what share of the users will change shard when ${m.added} joins the ring? Enter it in percent.`);
  }
  if (m.users < s.min_users) {
    return fail(`Your prediction is in. Now measure: load at least ${fmt(s.min_users)} users (${fmt(m.users)} so far), then Check again.`);
  }
  const measured = (100 * m.moving) / m.users;
  const told = `Counted on the shards, ${fmt(m.moving)} of ${fmt(m.users)} users (${pct(measured)}) sit where the ring with ${m.added} would route them elsewhere; the ring's arcs hand ${pct(m.ring_percent)} of the key space to ${m.added}.`;
  if (Math.abs(answer - measured) <= s.tolerance_points) {
    return pass(`You predicted ${pct(answer)}. ${told} Those are the rows a faithful add strands and a rebalance copies.`);
  }
  return fail(
    `You predicted ${pct(answer)}; measured, ${told} The ring widget's movement table for one more shard predicts it within ${s.tolerance_points} points.`,
  );
}

/** The ring as it is, with the shard the lab would add next appended (same strategy and vnodes). */
function nextRouter(ctx: ExerciseContext): { router: Router; added: string } {
  const ring = ctx.lab.ring.version;
  const id = ctx.lab.cluster.nextShardId();
  const added = shardName(id);
  return { router: routerFor({ strategy: ring.strategy, vnodes: ring.vnodes, shards: [...ring.shards, { id, name: added }] }), added };
}

/** The percentage of the key space that adding the next shard moves, from the ring alone (no rows read). */
function ringPercent(current: Router, next: Router): number {
  return 100 * movedFraction(current.strategy, next.strategy, current.names, next.names);
}

/** A predicted share of the users that one more shard moves, within tolerance of the count on the shards (asks a number). */
export const predictedMove: CheckKind<PredictedMoveSpec> = {
  kind: 'predicted-move',
  spec,
  question: {
    input: () => ({ type: 'number', label: 'Users that change shard when one shard is added (your prediction)', unit: '%' }),
    // The reference prediction comes from the ring alone, as the learner's should.
    answer: async (_s, ctx) => Number(ringPercent(ctx.lab.ring.router, nextRouter(ctx).router).toFixed(2)),
  },
  async run(s, ctx, answer) {
    const { router, added } = nextRouter(ctx);
    // Audited against the ring with the next shard: its "misplaced" users are the ones that shard would take.
    const report = await auditPlacement(ctx.lab.cluster, router, null);
    const unreachable = report.shards.filter((x) => !x.reachable).map((x) => x.shard_name);
    if (unreachable.length > 0) return fail(`${unreachable.join(', ')} did not answer, so its users cannot be counted. Start it again first.`);
    const users = report.shards.flatMap((x) => x.tables.filter((t) => t.table === 'users'));
    return judgePredictedMove(s, answer, {
      added,
      users: users.reduce((n, t) => n + t.rows, 0),
      moving: users.reduce((n, t) => n + t.misplaced, 0),
      ring_percent: ringPercent(ctx.lab.ring.router, router),
    });
  },
};
