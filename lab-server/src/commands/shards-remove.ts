import { z } from 'zod';
import { request, seg } from './api.js';
import { arg, positionals } from './args.js';
import { defineCommand } from './command.js';
import { JobStarted } from './replies.js';
import { followReshard, pauseBefore } from './reshard-report.js';

export default defineCommand({
  name: 'shards remove',
  interruptible: true,
  usage: 'shards remove NAME [--faithful] [--pause-before STEP,…]',
  summary: 'drain a shard into the others, then stop it',
  flags: { faithful: 'boolean', 'pause-before': 'string' },
  args: z.object({ _: positionals([arg('NAME')]), faithful: z.boolean().default(false), 'pause-before': z.string().optional() }),
  complete: (index, _before, source) => (index === 0 ? source.shards() : []),
  async run(a, ctx) {
    const name = a._[0];
    const path = `/lab/v1/shards/${seg(name)}?mode=${a.faithful ? 'faithful' : 'rebalance'}`;
    const { body } = await request(ctx.lab, 'DELETE', path, JobStarted, pauseBefore(a['pause-before']));
    return followReshard(ctx, body.job_id, `Removing ${name}`);
  },
});
