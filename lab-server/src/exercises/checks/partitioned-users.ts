import { z } from 'zod';
import { inspectPartitions, type PartitionReport } from '../../partitioning/users-inspector.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';
import { count } from './params.js';

const spec = z.strictObject({ kind: z.literal('partitioned-users'), partitions: z.number().int().min(2).max(64), min_users: count.default(0) });
type PartitionedUsersSpec = z.output<typeof spec>;

/**
 * The verdict on an inspection: every shard's users is hash-partitioned that many ways, the last build's swap
 * found every id in both the old and the new table (no write lost, no delete undone), and the shards hold at
 * least `min_users`.
 */
export function judgePartitionedUsers(s: PartitionedUsersSpec, report: PartitionReport): CheckResult {
  const down = report.shards.filter((x) => !x.reachable).map((x) => x.shard_name);
  if (down.length > 0) return fail(`${down.join(', ')} did not answer, so its partitions cannot be inspected. Start it again first.`);
  const users = report.shards.reduce((n, x) => n + x.users_rows, 0);
  if (users < s.min_users) {
    return fail(`The shards hold ${fmt(users)} users; this step needs at least ${fmt(s.min_users)}. Seed more (\`seed ${s.min_users}\` in the terminal).`);
  }
  const missing = report.shards.filter((x) => !x.partitioned).map((x) => x.shard_name);
  if (missing.length > 0) {
    return fail(
      `${report.table} on ${missing.join(', ')} is a plain table. Build ${s.partitions} partitions (the button in the partition inspector, or \`partitions build ${s.partitions}\`).`,
    );
  }
  const other = report.shards.find((x) => x.modulus !== s.partitions);
  if (other) {
    return fail(
      `${other.shard_name} splits ${report.table} into ${other.modulus} partitions, not ${s.partitions}. Repartition: \`partitions build ${s.partitions}\`.`,
    );
  }
  const apart = report.shards.find((x) => x.out_of_step > 0);
  if (apart) {
    return fail(
      `${apart.shard_name}: the last build (${apart.last_build}) lost ${fmt(apart.out_of_step)} ids at its swap: writes made during its copy, dropped with the old table. Build again online.`,
    );
  }
  const rows = report.shards.reduce((n, x) => n + x.rows, 0);
  return pass(
    `Every one of ${report.shards.length} shards splits its users into ${s.partitions} hash partitions: ${fmt(rows)} rows, and the last swap lost no id.`,
  );
}

/** users is hash-partitioned on every shard that many ways, and the build that made it lost nothing. */
export const partitionedUsers: CheckKind<PartitionedUsersSpec> = {
  kind: 'partitioned-users',
  spec,
  async run(s, { lab }) {
    return judgePartitionedUsers(s, await inspectPartitions(lab.cluster));
  },
};
