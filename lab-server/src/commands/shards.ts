import { get } from './api.js';
import { noArgs } from './args.js';
import { defineCommand, type CommandContext, type CommandResult } from './command.js';
import { formatTable, num, pct, portOf } from './format.js';
import { ShardStats, Topology } from './replies.js';

/** The shards as the lab sees them and the users each holds; shown after every change of the cluster. */
export async function shardsView(ctx: CommandContext): Promise<CommandResult<{ topology: Topology; stats: ShardStats }>> {
  const [topology, stats] = await Promise.all([get(ctx.lab, '/lab/v1/topology', Topology), get(ctx.lab, '/api/v1/shards/stats', ShardStats)]);
  const users = new Map(stats.shards.map((s) => [s.shard_name, s.user_count]));
  const shares = new Map(topology.ring.shards.map((name, i) => [name, topology.ring.shares[i] ?? 0]));
  const total = stats.total_users || 1;
  const { green, red, yellow, dim } = ctx.style;
  const colour = (s: string) => (s === 'up' ? green(s) : s === 'down' ? red(s) : yellow(s));
  const table = formatTable(
    ['shard', 'status', 'port', 'pid', 'users', 'share', 'ring share'],
    topology.shards.map((s) => {
      const n = users.get(s.name);
      return [
        s.name,
        s.status,
        portOf(s.url),
        s.pid ?? '-',
        n === undefined ? '-' : n === null ? 'n/a' : num(n),
        typeof n === 'number' ? pct(n / total) : '',
        shares.has(s.name) ? pct(shares.get(s.name)!) : 'not in ring',
      ];
    }),
  ).replace(/\| (up|down|starting|paused)\b/g, (_m, s: string) => `| ${colour(s)}`);
  const ring = topology.ring;
  const footer = `total ${num(stats.total_users)} users on ${stats.shard_count} shards; ${dim(`ring version ${ring.version}, ${ring.strategy}${ring.vnodes ? `, ${ring.vnodes} vnodes per shard` : ''}`)}`;
  return { data: { topology, stats }, text: `${table}\n\n${footer}` };
}

export default defineCommand({
  name: 'shards',
  usage: 'shards',
  summary: 'the shards: status, port, users and share of each, share of the ring (make shards)',
  args: noArgs,
  run: (_args, ctx) => shardsView(ctx),
});
