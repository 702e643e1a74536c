import { z } from 'zod';
import { post } from './api.js';
import { positionals } from './args.js';
import { defineCommand } from './command.js';
import { JobStarted } from './replies.js';
import { followReshard, pauseBefore } from './reshard-report.js';

export default defineCommand({
  name: 'shards add',
  interruptible: true,
  usage: 'shards add [faithful|rebalance] [--faithful] [--url URL] [--pause-before STEP,…]',
  summary: 'add a shard online (faithful: as the original did, moving nothing); Ctrl-C cancels; --pause-before holds before provision, copy, verify or cleanup',
  flags: { faithful: 'boolean', url: 'string', 'pause-before': 'string' },
  args: z
    .object({
      _: positionals([z.enum(['faithful', 'rebalance'], { error: 'the mode is faithful or rebalance' }).optional()]),
      faithful: z.boolean().default(false),
      url: z.string().optional(),
      'pause-before': z.string().optional(),
    })
    .transform((a) => ({ faithful: a.faithful || a._[0] === 'faithful', url: a.url, pauseBefore: a['pause-before'] })),
  complete: (index) => (index === 0 ? ['faithful', 'rebalance'] : []),
  async run({ faithful, url, pauseBefore: steps }, ctx) {
    const { job_id } = await post(ctx.lab, '/lab/v1/shards', JobStarted, {
      mode: faithful ? 'faithful' : 'rebalance',
      ...(url ? { url } : {}),
      ...pauseBefore(steps),
    });
    return followReshard(ctx, job_id, faithful ? 'Adding a shard (faithful)' : 'Adding a shard');
  },
});
