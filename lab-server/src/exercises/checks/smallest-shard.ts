import { z } from 'zod';
import type { ShardStats } from '../../messenger/users/service.js';
import type { Answer } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt, pct } from './format.js';
import { count } from './params.js';
import { ringShares, shardNames } from './lab-shards.js';
import { noSuchShard, shardAnswer } from './shard-answer.js';

const spec = z.strictObject({ kind: z.literal('smallest-shard'), min_users: count });
type SmallestShardSpec = z.output<typeof spec>;

type Stats = Pick<ShardStats, 'total_users' | 'shards'>;

/** The shards that answered, with their user counts. */
const counted = (stats: Stats) => stats.shards.flatMap((s) => (s.user_count === null ? [] : [{ name: s.shard_name, users: s.user_count }]));

/** The counted shard with the fewest users: the right answer. */
export function fewestUsers(stats: Stats): string {
  return counted(stats).reduce((a, b) => (b.users < a.users ? b : a)).name;
}

/** The verdict on the learner's pick, given the users counted per shard and the ring's shares; a tie for fewest counts as right. */
export function judgeSmallestShard(
  s: SmallestShardSpec,
  answer: Answer | undefined,
  seen: { stats: Stats; shards: readonly string[]; shares: ReadonlyMap<string, number> },
): CheckResult {
  const { stats } = seen;
  if (stats.total_users < s.min_users) {
    return fail(`Only ${fmt(stats.total_users)} users are loaded; a fair comparison needs at least ${fmt(s.min_users)}. Seed them first.`);
  }
  const shards = counted(stats);
  const name = shardAnswer(answer, seen.shards);
  const picked = shards.find((x) => x.name === name);
  if (!picked) return fail(noSuchShard(answer));
  const share = (n: number) => pct((100 * n) / stats.total_users);
  if (picked.users === Math.min(...shards.map((x) => x.users))) {
    return pass(
      `Right: ${picked.name} holds ${fmt(picked.users)} users (${share(picked.users)}), the fewest; its arcs cover ${pct(100 * (seen.shares.get(picked.name) ?? 0))} of the ring.`,
    );
  }
  return fail(`${picked.name} holds ${fmt(picked.users)} users (${share(picked.users)}); another shard holds fewer. Compare the bars in “Users per shard”.`);
}

/** The learner names the shard with the fewest users (asks a shard). */
export const smallestShard: CheckKind<SmallestShardSpec> = {
  kind: 'smallest-shard',
  spec,
  question: {
    input: () => ({ type: 'shard', label: 'Which shard holds the fewest users?' }),
    answer: async (_s, { lab }) => fewestUsers(await lab.users.stats()),
  },
  async run(s, { lab }, answer) {
    return judgeSmallestShard(s, answer, { stats: await lab.users.stats(), shards: shardNames(lab), shares: ringShares(lab) });
  },
};
