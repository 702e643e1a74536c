import { request } from './api.js';
import { noArgs } from './args.js';
import { defineCommand } from './command.js';
import { formatTable, ms, num } from './format.js';
import { ShardHealth } from './replies.js';

export default defineCommand({
  name: 'health',
  usage: 'health',
  summary: 'every shard checked now: primary round trip and users, replica state, lag and users (make health); exits 1 when degraded',
  args: noArgs,
  async run(_args, ctx) {
    // 503 is the lab's answer when a shard is down or a replica does not stream: a result to show, not an error.
    const { status, body } = await request(ctx.lab, 'GET', '/api/v1/shards/health', ShardHealth, undefined, [503]);
    const rows = body.shards.map((s) => {
      const r = s.replicas[0];
      const primary = s.healthy ? `up, ${ms(s.latency_ms)}` : `DOWN: ${s.error ?? ''}`;
      if (!r) return [s.shard_name, primary, num(s.users), '-', '', '', ''];
      const same = r.matches_primary ? 'yes' : 'NO';
      return [s.shard_name, primary, num(s.users), r.name, r.state ?? 'not connected', `${num(r.lag_bytes)} bytes`, `${num(r.users)} (${same})`];
    });
    const table = formatTable(['shard', 'primary', 'users', 'replica', 'state', 'behind', 'replica users (same)'], rows);
    return { data: body, text: `${table}\n\n${body.healthy ? 'healthy' : 'degraded'}`, ...(status === 200 ? {} : { exitCode: 1 }) };
  },
});
