import { z } from 'zod';
import { replyError } from '../../net/self-client.js';
import type { KeyFate } from '../../placement/key-fate.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import type { Answer, ExerciseContext } from '../context.js';
import { shardNames } from './lab-shards.js';
import { noSuchShard, shardAnswer } from './shard-answer.js';
import { uuidV7Millis } from './uuid-time.js';
import { findUserByName } from './user-shard.js';

const spec = z.strictObject({ kind: z.literal('key-fate'), first_name: z.string().min(1), last_name: z.string().min(1) });
type KeyFateSpec = z.output<typeof spec>;

/** The ring versions made after the user's id was minted that changed the shard count (a reshard, not a promotion). */
function reshardsSince(f: KeyFate): KeyFate['steps'] {
  const minted = uuidV7Millis(f.key);
  return f.steps.filter((s, i) => i > 0 && Date.parse(s.created_at) >= minted && s.shard_count !== f.steps[i - 1]!.shard_count);
}

/** The verdict on where the learner says the user's row lives after a reshard that followed it. */
export function judgeKeyFate(s: KeyFateSpec, answer: Answer | undefined, fate: KeyFate | null, shards: readonly string[]): CheckResult {
  const who = `${s.first_name} ${s.last_name}`;
  if (!fate) return fail(`There is no user named ${who} yet. Create one: the “Create user” form, or \`user create ${s.first_name} ${s.last_name}\`.`);
  const reshards = reshardsSince(fate);
  const last = reshards.at(-1);
  if (!last)
    return fail(
      `The ring has not changed its shard count since ${who} was created. Add a shard (the topology panel, or \`shards add\`), then follow ${who}'s id again.`,
    );
  if (fate.verdict === 'misplaced') {
    const holder = fate.rows.find((r) => r.found)?.shard;
    return fail(
      `Ring v${last.version} sends ${who} to ${fate.now.shard}, but the row is still on ${holder}: that resize moved nothing, so a read by id misses. Reset the chapter and add the shard with rebalancing.`,
    );
  }
  if (fate.verdict === 'absent') return fail(`No shard holds ${who}'s row any more. Reset the chapter and start again.`);
  const picked = shardAnswer(answer, shards);
  if (picked === null) return fail(noSuchShard(answer));
  if (picked !== fate.now.shard)
    return fail(`Not ${picked}. Follow ${who}'s id in the key-fate panel (or \`fate ID\`): the last ring version names the shard.`);
  const moved = fate.steps.filter((x) => x.moved && reshards.includes(x));
  const story =
    moved.length > 0
      ? `it moved at ring v${moved.at(-1)!.version} (${moved.at(-1)!.reason}), when its hash ${fate.hash} fell into an arc the ring gave to ${fate.now.shard}`
      : `it stayed through ring v${last.version} (${last.reason}): none of the new shard's virtual nodes took the arc its hash ${fate.hash} sits in`;
  return pass(`Right: ${who}'s row is on ${fate.now.shard}, where the ring sends reads; ${story}.`);
}

async function fateOf(ctx: ExerciseContext, s: KeyFateSpec): Promise<KeyFate | null> {
  const user = await findUserByName(ctx, s.first_name, s.last_name);
  if (!user) return null;
  const r = await ctx.api.call<KeyFate>('GET', `/lab/v1/ids/${user.id}/fate`);
  if (r.status !== 200) throw replyError(r, `Could not follow ${user.id}`);
  return r.body;
}

/** A user followed through a reshard: the learner names the shard its row lives on afterwards (asks a shard). */
export const keyFate: CheckKind<KeyFateSpec> = {
  kind: 'key-fate',
  spec,
  question: {
    input: (s) => ({ type: 'shard', label: `After the reshard, which shard holds ${s.first_name} ${s.last_name}'s row?` }),
    answer: async (s, ctx) => {
      const f = await fateOf(ctx, s);
      return f && f.verdict === 'routed' ? f.now.shard : null;
    },
  },
  async run(s, ctx, answer) {
    return judgeKeyFate(s, answer, await fateOf(ctx, s), shardNames(ctx.lab));
  },
};
