import { request } from './api.js';
import { noArgs } from './args.js';
import { defineCommand } from './command.js';
import { formatTable } from './format.js';
import { Health } from './replies.js';

export default defineCommand({
  name: 'health',
  usage: 'health',
  summary: 'shard health (make health); exits 1 when degraded',
  args: noArgs,
  async run(_args, ctx) {
    // 503 is the lab's answer when a shard is down: a result to show, not an error.
    const { status, body } = await request(ctx.lab, 'GET', '/health', Health, undefined, [503]);
    const table = formatTable(
      ['shard', 'healthy'],
      body.shards.map((s) => [s.name, s.healthy ? 'yes' : 'NO']),
    );
    return { data: body, text: `${table}\n\nstatus: ${body.status}`, ...(status === 200 ? {} : { exitCode: 1 }) };
  },
});
