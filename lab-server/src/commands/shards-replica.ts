import { z } from 'zod';
import { post, seg } from './api.js';
import { arg, positionals } from './args.js';
import { defineCommand } from './command.js';
import { ReplicaAdded } from './replies.js';

export default defineCommand({
  name: 'shards replica',
  usage: 'shards replica NAME',
  summary: 'add a streaming replica to a shard (a base backup while it runs)',
  args: z.object({ _: positionals([arg('NAME')]) }),
  complete: (index, _before, source) => (index === 0 ? source.shards() : []),
  async run({ _: [name] }, ctx) {
    ctx.out.line(`Building a streaming replica of ${name} (base backup while it runs)…`);
    const body = await post(ctx.lab, `/lab/v1/shards/${seg(name)}/replicas`, ReplicaAdded);
    // The URL carries the replica's password: shown masked, as in the topology panel.
    return { data: body, text: body.replicas.map((r) => `${r.name}: ${r.url.replace(/:[^:@/]*@/, ':***@')}${r.pid ? ` (pid ${r.pid})` : ''}`).join('\n') };
  },
});
