import { z } from 'zod';
import { outboxBacklog } from '../../messenger/outbox/outbox.js';
import { auditReferences, type ReferenceAudit } from '../../references/audit.js';
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
  audit: Pick<ReferenceAudit, 'total_dangling' | 'unreachable'>;
}

async function gather({ lab }: ExerciseContext, s: CleanSpec): Promise<CleanFacts> {
  const counts = await Promise.all(
    lab.cluster.shards.map((sh) =>
      lab.cluster.pools.onShard(sh.id, async (pool) => {
        const { rows } = await pool.query<{ members: number | null; senderless: number; namesakes: number }>(
          `SELECT (SELECT max(n)::int FROM (SELECT count(m.user_id) AS n FROM conversations c LEFT JOIN conversation_members m ON m.conversation_id = c.id
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
  return {
    members: members.length > 0 ? Math.max(...members) : null,
    senderless: counts.reduce((n, c) => n + c.senderless, 0),
    namesakes: counts.reduce((n, c) => n + c.namesakes, 0),
    pending: (await outboxBacklog(lab.cluster)).total_pending,
    audit: await auditReferences(lab.cluster, lab.router),
  };
}

export function judgeClean(s: CleanSpec, f: CleanFacts): CheckResult {
  const who = `${s.first_name} ${s.last_name}`;
  if (f.members === null) return fail(`There is no conversation titled “${s.title}”. Build it first (the exercise above, or “Sample conversation”).`);
  if (f.namesakes > 0)
    return fail(
      `${who} still exists (${f.namesakes} user${f.namesakes === 1 ? '' : 's'}). Delete the user in the messenger panel, or \`DELETE /api/v1/users/<id>\`.`,
    );
  if (f.audit.unreachable.length > 0)
    return fail(`${f.audit.unreachable.join(', ')} did not answer, so the audit is incomplete. Start it again and check once more.`);
  if (f.pending > 0)
    return fail(`${f.pending} outbox event${f.pending === 1 ? '' : 's'} still pending: the cleanup is not finished. Watch the outbox and check again.`);
  if (f.senderless === 0) {
    return fail(
      `No message in “${s.title}” has lost its sender yet: ${who} must have written in it before being deleted. Post a message as ${s.first_name}, then delete the user.`,
    );
  }
  if (f.audit.total_dangling > 0)
    return fail(`The audit finds ${f.audit.total_dangling} dangling reference(s). Open the audit to see which rows point at nothing.`);
  return pass(`${who} is gone, the outbox is empty, and the audit finds no reference to a missing row; “${s.title}” keeps ${f.members} member(s).`);
}

/** The named user was deleted and every cross-shard reference to them is gone (outbox drained, audit clean). */
export const referencesClean: CheckKind<CleanSpec> = {
  kind: 'references-clean',
  spec,
  async run(s, ctx) {
    return judgeClean(s, await gather(ctx, s));
  },
};
