import { z } from 'zod';
import { outboxBacklog } from '../../messenger/outbox/outbox.js';
import { conversationsTitled, membersNamed } from '../../references/conversation-map.js';
import type { ExerciseContext } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';

const spec = z.strictObject({ kind: z.literal('references-clean'), title: z.string().min(1), first_name: z.string().min(1), last_name: z.string().min(1) });
type CleanSpec = z.output<typeof spec>;

export interface CleanFacts {
  /** Member rows of the conversation with that title (the largest, if several); null when there is none. */
  members: number | null;
  /** Messages of that conversation whose sender is gone (SET NULL when the membership went): proof someone who wrote in it was deleted. */
  senderless: number;
  /** Members of the conversation(s) with that title whose user still exists under that name. */
  namesakes: number;
  pending: number;
  /** Member rows of the conversation(s) with that title whose user is gone, each looked up on the user's shard. */
  dangling: number;
  /** Shards that did not answer while the members were followed. */
  unreachable: string[];
}

async function gather({ lab }: ExerciseContext, s: CleanSpec): Promise<CleanFacts> {
  const { found, unreachable } = await conversationsTitled(lab.cluster, lab.ring.router, s.title);
  const rows = found.flatMap((c) => c.members);
  return {
    members: found.length + unreachable.length > 0 ? Math.max(0, ...found.map((c) => c.members.length)) : null,
    senderless: found.reduce((n, c) => n + c.messages.without_sender, 0),
    namesakes: membersNamed(found, `${s.first_name} ${s.last_name}`).length,
    pending: (await outboxBacklog(lab.cluster)).total_pending,
    dangling: rows.filter((m) => !m.user_exists).length,
    unreachable,
  };
}

export function judgeClean(s: CleanSpec, f: CleanFacts): CheckResult {
  const who = `${s.first_name} ${s.last_name}`;
  if (f.members === null) return fail(`There is no conversation titled “${s.title}”. Build it first (the exercise above, or “Sample conversation”).`);
  if (f.namesakes > 0)
    return fail(
      `${who}, a member of “${s.title}”, still exists (${f.namesakes} user${f.namesakes === 1 ? '' : 's'}). Delete the user in the messenger panel, or \`DELETE /api/v1/users/<id>\`.`,
    );
  if (f.unreachable.length > 0)
    return fail(`${f.unreachable.join(', ')} did not answer, so the members cannot all be followed. Start it again and check once more.`);
  if (f.pending > 0)
    return fail(`${f.pending} outbox event${f.pending === 1 ? '' : 's'} still pending: the cleanup is not finished. Watch the outbox and check again.`);
  if (f.senderless === 0) {
    return fail(
      `No message in “${s.title}” has lost its sender yet: ${who} must have written in it before being deleted. Post a message as ${s.first_name}, then delete the user.`,
    );
  }
  if (f.dangling > 0) return fail(`“${s.title}” still has ${f.dangling} member row(s) whose user is gone. Run the audit to see them.`);
  return pass(`${who} is gone, the outbox is empty, and every member row points at a user who exists; “${s.title}” keeps ${f.members} member(s).`);
}

/**
 * The member of that conversation with that name was deleted and every cross-shard reference to them from it is
 * gone (outbox drained). Namesakes elsewhere do not count: a seeded or load-test user may share the name.
 */
export const referencesClean: CheckKind<CleanSpec> = {
  kind: 'references-clean',
  spec,
  async run(s, ctx) {
    return judgeClean(s, await gather(ctx, s));
  },
};
