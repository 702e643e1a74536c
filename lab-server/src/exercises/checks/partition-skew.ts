import { z } from 'zod';
import { inspectPartitions, type ShardPartitions } from '../../partitioning/users-inspector.js';
import type { Answer } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt, pct } from './format.js';
import { count, percent } from './params.js';

const spec = z.strictObject({ kind: z.literal('partition-skew'), shard: z.string().min(1), min_users: count, tolerance_points: percent.default(1) });
type PartitionSkewSpec = z.output<typeof spec>;

/** Whether this shard's partitions can be judged: reachable, partitioned, and enough users for a fair count. */
function unready(s: PartitionSkewSpec, shard: ShardPartitions | undefined, users: number): string | null {
  if (!shard) return `There is no ${s.shard} in the cluster; reset the chapter.`;
  if (!shard.reachable) return `${s.shard} did not answer. Start it again first.`;
  if (users < s.min_users) return `The shards hold ${fmt(users)} users; a fair count needs at least ${fmt(s.min_users)}. Seed them first.`;
  if (!shard.partitioned || shard.skew_pct === null) return `${s.shard} has no partitioned users yet. Build the partitions first.`;
  return null;
}

/** The verdict on the learner's percentage: how far the fullest partition of the shard sits above the mean. */
export function judgePartitionSkew(s: PartitionSkewSpec, answer: Answer | undefined, shard: ShardPartitions | undefined, users: number): CheckResult {
  const why = unready(s, shard, users);
  if (why || !shard || shard.skew_pct === null) return fail(why ?? 'Not ready.');
  if (typeof answer !== 'number') return fail(`Enter a percentage: read ${s.shard}'s rows per partition in the inspector.`);
  const fullest = shard.partitions.reduce((a, b) => (b.rows > a.rows ? b : a));
  const mean = shard.rows / shard.partitions.length;
  if (Math.abs(answer - shard.skew_pct) <= s.tolerance_points) {
    return pass(
      `Right: ${fullest.name} holds ${fmt(fullest.rows)} rows against a mean of ${fmt(Math.round(mean))}, ${pct(shard.skew_pct)} above it; χ² ${shard.chi_square?.toFixed(1)} on ${shard.degrees_of_freedom} degrees of freedom, what an even hash gives.`,
    );
  }
  return fail(
    `${pct(answer)} is off by more than ${s.tolerance_points} points. Find ${s.shard}'s fullest partition and compare its rows with ${s.shard}'s mean per partition.`,
  );
}

/** The learner's percentage is the shard's skew: its fullest partition's rows above the mean (asks a number). */
export const partitionSkew: CheckKind<PartitionSkewSpec> = {
  kind: 'partition-skew',
  spec,
  question: {
    input: (s) => ({ type: 'number', label: `How far above the mean is ${s.shard}'s fullest partition?`, unit: '%' }),
    answer: async (s, { lab }) => {
      const shard = (await inspectPartitions(lab.cluster)).shards.find((x) => x.shard_name === s.shard);
      return shard?.skew_pct == null ? null : Number(shard.skew_pct.toFixed(2));
    },
  },
  async run(s, { lab }, answer) {
    const report = await inspectPartitions(lab.cluster);
    const users = report.shards.reduce((n, x) => n + x.users_rows, 0);
    return judgePartitionSkew(
      s,
      answer,
      report.shards.find((x) => x.shard_name === s.shard),
      users,
    );
  },
};
