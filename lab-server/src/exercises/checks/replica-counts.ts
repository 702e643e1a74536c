import { z } from 'zod';
import type { ShardHealthReport } from '../../messenger/users/shard-health.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';
import { count } from './params.js';

const spec = z.strictObject({ kind: z.literal('replica-counts'), shard: z.string().min(1), min_users: count.default(1) });
type ReplicaCountsSpec = z.output<typeof spec>;

/** The verdict on the original's replication check for one shard: a streaming replica with every row of its primary. */
export function judgeReplicaCounts(s: ReplicaCountsSpec, health: ShardHealthReport): CheckResult {
  const shard = health.shards.find((x) => x.shard_name === s.shard);
  if (!shard) return fail(`${s.shard} is not in the ring.`);
  if (!shard.healthy) return fail(`${s.shard} does not answer: ${shard.error ?? 'down'}. Start it again from the topology panel.`);
  const r = shard.replicas[0];
  if (!r) return fail(`${s.shard} has no replica. Press “Add replica” on its row in the topology panel, or run \`shards replica ${s.shard}\`.`);
  if ((shard.users ?? 0) < s.min_users) return fail(`${s.shard} holds ${fmt(shard.users ?? 0)} users; load some (at least ${fmt(s.min_users)}), then compare.`);
  if (r.state !== 'streaming') return fail(`${r.name} is ${r.state ?? 'not connected'}, not streaming: wait for it to catch up, then check again.`);
  if (!r.matches_primary) {
    return fail(
      `${s.shard} has ${fmt(shard.users ?? 0)} users and ${r.name} ${r.users === null ? 'did not answer' : fmt(r.users)}${r.caught_up ? '' : ' (it had not replayed up to the primary within 5 s)'}. Check again in a moment.`,
    );
  }
  return pass(
    `${s.shard} and ${r.name} both hold ${fmt(shard.users ?? 0)} users, counted after the replica replayed up to the primary's position; it streams ${fmt(r.lag_bytes ?? 0)} bytes behind.`,
  );
}

/** The shard's replica streams and answers with the same users as its primary (`GET /api/v1/shards/health`). */
export const replicaCounts: CheckKind<ReplicaCountsSpec> = {
  kind: 'replica-counts',
  spec,
  async run(s, { lab }) {
    return judgeReplicaCounts(s, await lab.users.health());
  },
};
