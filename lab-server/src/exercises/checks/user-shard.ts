import { z } from 'zod';
import type { Answer, ExerciseContext } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { shardNames } from './lab-shards.js';
import { noSuchShard, shardAnswer } from './shard-answer.js';

const spec = z.strictObject({ kind: z.literal('user-shard'), first_name: z.string().min(1), last_name: z.string().min(1) });
type UserShardSpec = z.output<typeof spec>;

interface FoundUser {
  id: string;
  shard: string;
}

/** The newest user with this name, and the shard its row physically sits on (asked of every shard, not the ring). */
export async function findUserByName({ lab }: ExerciseContext, first: string, last: string): Promise<FoundUser | null> {
  const rows = await Promise.all(
    lab.cluster.shards.map((s) =>
      lab.cluster.pools.onShard(s.id, async (pool) => {
        const { rows } = await pool.query<{ id: string; created_at: string }>(
          'SELECT id, created_at FROM users WHERE first_name = $1 AND last_name = $2 ORDER BY created_at DESC LIMIT 1',
          [first, last],
        );
        return rows[0] ? { ...rows[0], shard: s.name } : null;
      }),
    ),
  );
  const found = rows.filter((r) => r !== null).sort((a, b) => (a.created_at < b.created_at ? 1 : -1))[0];
  return found ? { id: found.id, shard: found.shard } : null;
}

/** The verdict on the learner's pick, given where the row was found. */
export function judgeUserShard(s: UserShardSpec, answer: Answer | undefined, found: FoundUser | null, shards: readonly string[]): CheckResult {
  const who = `${s.first_name} ${s.last_name}`;
  if (!found) {
    return fail(`There is no user named ${who} yet. Create one: the “Create user” form, or \`user create ${s.first_name} ${s.last_name}\` in the terminal.`);
  }
  const picked = shardAnswer(answer, shards);
  if (picked === null) return fail(noSuchShard(answer));
  if (picked === found.shard) return pass(`Right: the row ${found.id} is on ${found.shard}, the shard the ring picks for that id.`);
  return fail(`The newest ${who} is not on ${picked}. The API said where it went (the X-Lab-Shard header), or ask the ring: \`route ${found.id}\`.`);
}

/** The learner names the shard that physically holds the newest such user (asks a shard). */
export const userShard: CheckKind<UserShardSpec> = {
  kind: 'user-shard',
  spec,
  question: {
    input: (s) => ({ type: 'shard', label: `On which shard is ${s.first_name} ${s.last_name}'s row?` }),
    answer: async (s, ctx) => (await findUserByName(ctx, s.first_name, s.last_name))?.shard ?? null,
  },
  async run(s, ctx, answer) {
    return judgeUserShard(s, answer, await findUserByName(ctx, s.first_name, s.last_name), shardNames(ctx.lab));
  },
};
