import { z } from 'zod';
import type { ShardStats } from '../../messenger/users/service.js';
import type { Answer } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt, pct } from './format.js';
import { count, percent } from './params.js';

const spec = z.strictObject({ kind: z.literal('largest-share'), min_users: count, tolerance_points: percent.default(0.5) });
type LargestShareSpec = z.output<typeof spec>;

/** The fullest shard's share of all users, in percent (0 with no users). */
export function largestSharePercent(stats: Pick<ShardStats, 'total_users' | 'shards'>): number {
  return (100 * Math.max(...stats.shards.map((s) => s.user_count ?? 0))) / Math.max(1, stats.total_users);
}

/** The verdict on the learner's percentage, given the users counted per shard. */
export function judgeLargestShare(s: LargestShareSpec, answer: Answer | undefined, stats: ShardStats): CheckResult {
  if (stats.total_users < s.min_users) {
    return fail(`Only ${fmt(stats.total_users)} users are loaded; measure with at least ${fmt(s.min_users)}. Seed them first.`);
  }
  if (typeof answer !== 'number') return fail('Enter a percentage first.');
  const measured = largestSharePercent(stats);
  if (Math.abs(answer - measured) <= s.tolerance_points) {
    const even = 100 / stats.shard_count;
    const holds = Math.abs(measured / even - 1) <= 0.05;
    return pass(
      `Right: the largest shard holds ${pct(measured)} of ${fmt(stats.total_users)} users. The original claimed ±5 % of an even share: ${pct(even * 0.95)} to ${pct(even * 1.05)} here, so for this shard the claim ${holds ? 'holds' : 'does not hold'}.`,
    );
  }
  return fail(
    `${pct(answer)} is more than ${s.tolerance_points} points away from what the shards hold now. Read the largest bar's percentage in “Users per shard”.`,
  );
}

/** The learner's percentage is the fullest shard's share (asks a number). */
export const largestShare: CheckKind<LargestShareSpec> = {
  kind: 'largest-share',
  spec,
  question: {
    input: () => ({ type: 'number', label: 'Largest share of users', unit: '%' }),
    answer: async (_s, { lab }) => Number(largestSharePercent(await lab.users.stats()).toFixed(2)),
  },
  async run(s, { lab }, answer) {
    return judgeLargestShare(s, answer, await lab.users.stats());
  },
};
