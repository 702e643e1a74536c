import { z } from 'zod';
import type { ShardStats } from '../../messenger/users/service.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';
import { count } from './params.js';

const spec = z.strictObject({ kind: z.literal('users-total'), at_least: count.optional(), at_most: count.optional() });
type UsersTotalSpec = z.output<typeof spec>;

/** The verdict on counts already taken; apart from the counting, so it is tested without a cluster. */
export function judgeUsersTotal(s: UsersTotalSpec, stats: Pick<ShardStats, 'total_users' | 'shards'>): CheckResult {
  const down = stats.shards.filter((x) => !x.healthy).map((x) => x.shard_name);
  if (down.length > 0) return fail(`${down.join(', ')} did not answer, so the users cannot be counted. Start it again first.`);
  if (s.at_least !== undefined && stats.total_users < s.at_least) {
    return fail(
      `The shards hold ${fmt(stats.total_users)} users; this step needs at least ${fmt(s.at_least)}. Seed more (Seed button, or \`seed ${s.at_least}\` in the terminal).`,
    );
  }
  if (s.at_most !== undefined && stats.total_users > s.at_most) {
    return fail(`The shards hold ${fmt(stats.total_users)} users; this step needs at most ${fmt(s.at_most)}. Reset the chapter to start from empty shards.`);
  }
  return pass(`The shards hold ${fmt(stats.total_users)} users.`);
}

/** The shards hold that many users, every shard answering. */
export const usersTotal: CheckKind<UsersTotalSpec> = {
  kind: 'users-total',
  spec,
  async run(s, ctx) {
    return judgeUsersTotal(s, await ctx.lab.users.stats());
  },
};
