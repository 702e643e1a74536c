import { z } from 'zod';
import { outboxBacklog } from '../../messenger/outbox/outbox.js';
import { ShardUnavailableError } from '../../cluster/errors.js';
import { conversationMap } from '../../references/conversation-map.js';
import type { ExerciseContext } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';

const spec = z.strictObject({ kind: z.literal('references-clean'), title: z.string().min(1), first_name: z.string().min(1), last_name: z.string().min(1) });
type CleanSpec = z.output<typeof spec>;

export interface CleanFacts {
  /** Members of the conversation with that title (the largest, if several); null when there is none. */
  members: number | null;
  /** Messages of that conversation whose sender is gone (SET NULL when the membership went): proof someone who wrote in it was deleted. */
  senderless: number;
  /** Users with that name still on the shards. */
  namesakes: number;
  pending: number;
  /** Member rows of the conversation(s) with that title whose user is gone, each looked up on the user's shard. */
  dangling: number;
  /** Shards that did not answer while the members were followed. */
  unreachable: string[];
}

async function gather({ lab }: ExerciseContext, s: CleanSpec): Promise<CleanFacts> {
  const counts = await Promise.all(
    lab.cluster.shards.map((sh) =>
      lab.cluster.pools.onShard(sh.id, async (pool) => {
        const { rows } = await pool.query<{ ids: string[]; members: number | null; senderless: number; namesakes: number }>(
          `SELECT ARRAY(SELECT id::text FROM conversations WHERE title = $1) AS ids,
                  (SELECT max(n)::int FROM (SELECT count(m.user_id) AS n FROM conversations c LEFT JOIN conversation_members m ON m.conversation_id = c.id
                    WHERE c.title = $1 GROUP BY c.id) x) AS members,
                  (SELECT count(*)::int FROM messages g JOIN conversations c ON c.id = g.conversation_id WHERE c.title = $1 AND g.sender_id IS NULL) AS senderless,
                  (SELECT count(*)::int FROM users WHERE first_name = $2 AND last_name = $3) AS namesakes`,
          [s.title, s.first_name, s.last_name],
        );
        return rows[0]!;
      }),
    ),
  );
  const members = counts.map((c) => c.members).filter((m) => m !== null);
  let dangling = 0;
  const unreachable: string[] = [];
  for (const id of counts.flatMap((c) => c.ids)) {
    try {
      dangling += (await conversationMap(lab.cluster, lab.ring.router, id)).members.filter((m) => !m.user_exists).length;
    } catch (err) {
      if (!(err instanceof ShardUnavailableError)) throw err;
      unreachable.push(err.shardName);
    }
  }
  return {
    members: members.length > 0 ? Math.max(...members) : null,
    senderless: counts.reduce((n, c) => n + c.senderless, 0),
    namesakes: counts.reduce((n, c) => n + c.namesakes, 0),
    pending: (await outboxBacklog(lab.cluster)).total_pending,
    dangling,
    unreachable: [...new Set(unreachable)].sort(),
  };
}

export function judgeClean(s: CleanSpec, f: CleanFacts): CheckResult {
  const who = `${s.first_name} ${s.last_name}`;
  if (f.members === null) return fail(`There is no conversation titled “${s.title}”. Build it first (the exercise above, or “Sample conversation”).`);
  if (f.namesakes > 0)
    return fail(
      `${who} still exists (${f.namesakes} user${f.namesakes === 1 ? '' : 's'}). Delete the user in the messenger panel, or \`DELETE /api/v1/users/<id>\`.`,
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

/** The named user was deleted and every cross-shard reference to them from that conversation is gone (outbox drained). */
export const referencesClean: CheckKind<CleanSpec> = {
  kind: 'references-clean',
  spec,
  async run(s, ctx) {
    return judgeClean(s, await gather(ctx, s));
  },
};
