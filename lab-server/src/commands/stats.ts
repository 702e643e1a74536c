import { get } from './api.js';
import { noArgs } from './args.js';
import { defineCommand } from './command.js';
import { formatTable, num, pct } from './format.js';
import { Placement, ShardStats } from './replies.js';

export default defineCommand({
  name: 'stats',
  usage: 'stats',
  summary: 'users per shard, and orphans (rows the ring routes elsewhere)',
  args: noArgs,
  async run(_args, ctx) {
    const [stats, placement] = await Promise.all([get(ctx.lab, '/api/v1/shards/stats', ShardStats), get(ctx.lab, '/lab/v1/placement', Placement)]);
    const misplaced = new Map(placement.shards.map((s) => [s.shard_name, s.misplaced]));
    const total = stats.total_users || 1;
    const table = formatTable(
      ['shard', 'users', 'share', 'orphans'],
      stats.shards.map((s) => [
        s.shard_name,
        s.user_count === null ? 'n/a' : num(s.user_count),
        s.user_count === null ? 'down' : pct(s.user_count / total),
        num(misplaced.get(s.shard_name) ?? 0),
      ]),
    );
    const footer = ctx.style.dim(
      `total ${num(stats.total_users)} users; ${num(placement.total_misplaced)} rows sit on a shard the ring does not send their key to`,
    );
    return { data: { stats, placement }, text: `${table}\n${footer}` };
  },
});
