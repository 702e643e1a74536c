import { z } from 'zod';
import type { OutboxBacklog } from '../../messenger/outbox/outbox.js';
import { StepFailed, stepSchema, type ActionKind } from '../action-kind.js';
import { conversationsTitled, membersNamed } from '../../references/conversation-map.js';
import type { ExerciseContext } from '../context.js';
import { failUnlessOk } from './lab-api.js';

const spec = stepSchema('delete-user', { first_name: z.string().min(1), last_name: z.string().min(1), member_of: z.string().min(1) });
type DeleteUserSpec = z.output<typeof spec>;

/** How long the outbox may take to apply the deletions' events before the step gives up and says where they wait. */
const DRAIN_MS = 30_000;

/** The ids of the members with this name of every conversation with this title, followed to their users' shards. */
async function membersToDelete({ lab }: ExerciseContext, s: DeleteUserSpec): Promise<string[]> {
  const { found, unreachable } = await conversationsTitled(lab.cluster, lab.ring.router, s.member_of);
  if (unreachable.length > 0) {
    throw new StepFailed(`${unreachable.join(', ')} did not answer, so the members of “${s.member_of}” cannot all be found. Start it and solve again.`);
  }
  return membersNamed(found, `${s.first_name} ${s.last_name}`).map((m) => m.user_id);
}

async function waitForOutbox(ctx: ExerciseContext): Promise<void> {
  const until = Date.now() + DRAIN_MS;
  for (;;) {
    const reply = await ctx.api.call<OutboxBacklog>('GET', '/lab/v1/outbox');
    failUnlessOk(reply, 'GET /lab/v1/outbox');
    if (reply.body.total_pending === 0) return;
    if (Date.now() > until) {
      const stuck = reply.body.shards.filter((s) => (s.pending ?? 1) > 0).map((s) => `${s.shard}${s.last_error ? ` (${s.last_error})` : ''}`);
      throw new StepFailed(
        `The outbox still holds ${reply.body.total_pending} event(s) after ${DRAIN_MS / 1000} s, on ${stuck.join(', ')}. Is a shard down? Start it and solve again.`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Deletes the members with this name of the conversation(s) with this title through the messenger API, then waits
 * until the outbox has applied the events. Only members: a seeded or load-test user may share the name.
 */
export const deleteUser: ActionKind<DeleteUserSpec> = {
  do: 'delete-user',
  spec,
  describe: (s) =>
    `Delete ${s.first_name} ${s.last_name}, a member of “${s.member_of}” — DELETE /api/v1/users/<id>, then wait for GET /lab/v1/outbox to report nothing pending`,
  async run(s, ctx) {
    const ids = await membersToDelete(ctx, s);
    if (ids.length === 0) throw new StepFailed(`No member of “${s.member_of}” is named ${s.first_name} ${s.last_name}.`);
    for (const id of ids) {
      const reply = await ctx.api.call('DELETE', `/api/v1/users/${id}`);
      if (reply.status !== 404) failUnlessOk(reply, `DELETE /api/v1/users/${id}`);
    }
    await waitForOutbox(ctx);
    return { detail: `Deleted ${ids.length} user(s); the outbox applied every event.` };
  },
};
