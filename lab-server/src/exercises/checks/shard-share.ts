import { z } from 'zod';
import type { ShardStats } from '../../messenger/users/service.js';
import type { Router } from '../../sharding/router.js';
import type { Answer } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt, pct } from './format.js';
import { count, percent } from './params.js';

const spec = z.strictObject({ kind: z.literal('shard-share'), shard: z.string().min(1), min_users: count, tolerance_points: percent.default(1.5) });
type ShardShareSpec = z.output<typeof spec>;

/** The shard's share of the ring's hash space, in percent: what a prediction can be made from before any row exists. */
export interface RingShare {
  shard: string;
  percent: number;
}

/**
 * The verdict on a prediction of one shard's share of the users: first the prediction, then the users, then the
 * comparison with what the shard holds — and with the ring's arc, which is where a good prediction comes from.
 */
export function judgeShardShare(s: ShardShareSpec, answer: Answer | undefined, stats: ShardStats, ring: RingShare | null): CheckResult {
  if (typeof answer !== 'number') return fail(`Predict first: what share of the users will ${s.shard} hold? Enter it in percent.`);
  if (!ring) return fail(`${s.shard} is not in the ring; pick a shard the ring routes to.`);
  if (stats.total_users < s.min_users) {
    return fail(`Your prediction is in. Now measure: load at least ${fmt(s.min_users)} users (${fmt(stats.total_users)} so far), then Check again.`);
  }
  const held = stats.shards.find((x) => x.shard_name === s.shard)?.user_count ?? 0;
  const measured = (100 * held) / stats.total_users;
  const even = 100 / stats.shard_count;
  const told = `${s.shard} holds ${fmt(held)} of ${fmt(stats.total_users)} users: ${pct(measured)}. Its arcs of the ring cover ${pct(ring.percent)}; an even split would be ${pct(even)}.`;
  if (Math.abs(answer - measured) <= s.tolerance_points) return pass(`You predicted ${pct(answer)}. ${told}`);
  return fail(
    `You predicted ${pct(answer)}; measured, ${told} The users follow the arcs: a prediction from the ring lands within ${s.tolerance_points} points.`,
  );
}

/** A predicted share of the users on one shard, within tolerance of the measured one (asks a number). */
export const shardShare: CheckKind<ShardShareSpec> = {
  kind: 'shard-share',
  spec,
  question: {
    input: (s) => ({ type: 'number', label: `${s.shard}'s share of the users (your prediction)`, unit: '%' }),
    // The reference prediction comes from the ring alone, as the learner's should.
    answer: async (s, { lab }) => {
      const share = ringShare(lab.ring.router, s.shard);
      return share === null ? null : Number(share.percent.toFixed(2));
    },
  },
  async run(s, { lab }, answer) {
    return judgeShardShare(s, answer, await lab.users.stats(), ringShare(lab.ring.router, s.shard));
  },
};

function ringShare(router: Router, shard: string): RingShare | null {
  const i = router.names.indexOf(shard);
  const share = router.strategy.shares()[i];
  return i < 0 || share === undefined ? null : { shard, percent: 100 * share };
}
