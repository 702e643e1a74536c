import { z } from 'zod';
import type { ExerciseContext } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';

const spec = z.strictObject({ kind: z.literal('conversation-spread'), title: z.string().min(1), min_shards: z.number().int().min(1) });
type SpreadSpec = z.output<typeof spec>;

export interface FoundConversation {
  id: string;
  shard: string;
  /** The shard of each member's user id, by the ring in force. */
  member_shards: string[];
}

/** Every conversation with this title, wherever it lives, with the shards its members live on. */
async function conversationsTitled({ lab }: ExerciseContext, title: string): Promise<FoundConversation[]> {
  const perShard = await Promise.all(
    lab.cluster.shards.map((s) =>
      lab.cluster.pools.onShard(s.id, async (pool) => {
        const { rows } = await pool.query<{ id: string; members: string[] }>(
          `SELECT c.id, ARRAY(SELECT m.user_id::text FROM conversation_members m WHERE m.conversation_id = c.id) AS members
             FROM conversations c WHERE c.title = $1`,
          [title],
        );
        return rows.map((r) => ({ id: r.id, shard: s.name, member_shards: r.members.map((u) => lab.ring.router.route(u).shard_name) }));
      }),
    ),
  );
  return perShard.flat();
}

export function judgeSpread(s: SpreadSpec, found: readonly FoundConversation[]): CheckResult {
  if (found.length === 0) {
    return fail(
      `There is no conversation titled “${s.title}” yet. Start one in the messenger panel with members on ${s.min_shards} shards, or press “Sample conversation”.`,
    );
  }
  const best = [...found].sort((a, b) => new Set(b.member_shards).size - new Set(a.member_shards).size)[0]!;
  const shards = [...new Set(best.member_shards)].sort();
  if (shards.length < s.min_shards) {
    return fail(
      `“${s.title}” has members on ${shards.length} shard${shards.length === 1 ? '' : 's'} (${shards.join(', ') || 'none'}); this step needs ${s.min_shards}. Create more users until their ids land on other shards, and start a new conversation with them.`,
    );
  }
  return pass(`“${s.title}” lives on ${best.shard} (its id chose it), with its members' rows and messages; its members' own rows are on ${shards.join(', ')}.`);
}

/** A conversation with that title has members whose users live on at least `min_shards` shards. */
export const conversationSpread: CheckKind<SpreadSpec> = {
  kind: 'conversation-spread',
  spec,
  async run(s, ctx) {
    return judgeSpread(s, await conversationsTitled(ctx, s.title));
  },
};
