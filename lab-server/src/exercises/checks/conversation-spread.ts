import { z } from 'zod';
import { conversationsTitled, membersNamed, type ConversationMap } from '../../references/conversation-map.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';

const spec = z.strictObject({
  kind: z.literal('conversation-spread'),
  title: z.string().min(1),
  min_shards: z.number().int().min(1),
  /** Only conversations where a member of this name still exists and has written a message count. */
  writer: z.strictObject({ first_name: z.string().min(1), last_name: z.string().min(1) }).optional(),
});
type SpreadSpec = z.output<typeof spec>;

export interface FoundConversation {
  id: string;
  shard: string;
  /** The shard of each member's user id, by the ring in force. */
  member_shards: string[];
}

/** The conversation as this check sees it; with a writer asked for, only if that member still exists and has written. */
function asFound(map: ConversationMap, writer: string | null): FoundConversation[] {
  if (writer !== null && !membersNamed([map], writer).some((m) => m.messages > 0)) return [];
  return [{ id: map.conversation.id, shard: map.conversation.shard, member_shards: map.members.map((m) => m.user_shard) }];
}

export function judgeSpread(s: SpreadSpec, found: readonly FoundConversation[], unreachable: readonly string[] = []): CheckResult {
  const best = [...found].sort((a, b) => new Set(b.member_shards).size - new Set(a.member_shards).size)[0];
  if ((best === undefined || new Set(best.member_shards).size < s.min_shards) && unreachable.length > 0) {
    return fail(`${unreachable.join(', ')} did not answer, so the members of “${s.title}” cannot all be followed. Start it again and check once more.`);
  }
  if (best === undefined && s.writer) {
    return fail(
      `No conversation titled “${s.title}” has a member named ${s.writer.first_name} ${s.writer.last_name} who has written in it. Press “Sample conversation” to start one.`,
    );
  }
  if (best === undefined) {
    return fail(
      `There is no conversation titled “${s.title}” yet. Start one in the messenger panel with members on ${s.min_shards} shards, or press “Sample conversation”.`,
    );
  }
  const shards = [...new Set(best.member_shards)].sort();
  if (shards.length < s.min_shards) {
    return fail(
      `“${s.title}” has members on ${shards.length} shard${shards.length === 1 ? '' : 's'} (${shards.join(', ') || 'none'}); this step needs ${s.min_shards}. Create more users until their ids land on other shards, and start a new conversation with them.`,
    );
  }
  return pass(`“${s.title}” lives on ${best.shard} (its id chose it), with its members' rows and messages; its members' own rows are on ${shards.join(', ')}.`);
}

/** A conversation with that title has members whose users live on at least `min_shards` shards (and, if asked, a given writer). */
export const conversationSpread: CheckKind<SpreadSpec> = {
  kind: 'conversation-spread',
  spec,
  async run(s, ctx) {
    const { found, unreachable } = await conversationsTitled(ctx.lab.cluster, ctx.lab.ring.router, s.title);
    const writer = s.writer ? `${s.writer.first_name} ${s.writer.last_name}` : null;
    return judgeSpread(
      s,
      found.flatMap((map) => asFound(map, writer)),
      unreachable,
    );
  },
};
