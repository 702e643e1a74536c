import { z } from 'zod';
import { get, post, seg } from './api.js';
import { arg, positionals } from './args.js';
import { defineCommand } from './command.js';
import { ReplicaAdded } from './replies.js';

const Shards = z.object({ shards: z.array(z.object({ name: z.string(), status: z.string(), replicas: z.array(z.unknown()) })) });

export default defineCommand({
  name: 'shards replica',
  usage: 'shards replica NAME | --all',
  summary: 'add a streaming replica to a shard, or to every shard without one (a base backup while it runs)',
  flags: { all: 'boolean' },
  args: z
    .object({ _: positionals([arg('NAME').optional()]), all: z.boolean().optional() })
    .refine((a) => (a._[0] === undefined) === (a.all === true), { message: 'name a shard, or give --all (not both)' }),
  complete: (index, _before, source) => (index === 0 ? source.shards() : []),
  async run({ _: [name], all }, ctx) {
    const names = all
      ? (await get(ctx.lab, '/lab/v1/topology', Shards)).shards.filter((s) => s.status === 'up' && s.replicas.length === 0).map((s) => s.name)
      : [name!];
    if (names.length === 0) return { data: [], text: 'Every shard that is up already has a replica.' };
    const added = [];
    // One at a time: each is a base backup of a running primary.
    for (const n of names) {
      ctx.out.line(`Building a streaming replica of ${n} (base backup while it runs)…`);
      added.push(await post(ctx.lab, `/lab/v1/shards/${seg(n)}/replicas`, ReplicaAdded));
    }
    // The URL carries the replica's password: shown masked, as in the topology panel.
    const text = added.flatMap((b) => b.replicas.map((r) => `${r.name}: ${r.url.replace(/:[^:@/]*@/, ':***@')}${r.pid ? ` (pid ${r.pid})` : ''}`)).join('\n');
    return { data: all ? added : added[0], text };
  },
});
