import { z } from 'zod';
import { get } from './api.js';
import { positionals, wholeNumber } from './args.js';
import { defineCommand, type CommandResult } from './command.js';
import { formatTable, pct } from './format.js';
import { RingVersions, RingView } from './replies.js';

export default defineCommand({
  name: 'ring',
  usage: 'ring [SHARDS [VNODES]]',
  summary: 'the ring in force and every version before it (make ring), or a hypothetical one; and what moves at N+1',
  args: z.object({ _: positionals([wholeNumber('SHARDS', 1).optional(), wholeNumber('VNODES', 1).optional()]) }),
  async run({ _: [shards, vnodes] }, ctx): Promise<CommandResult> {
    const { bold, dim } = ctx.style;
    const q = new URLSearchParams();
    if (shards !== undefined) q.set('shards', String(shards));
    if (vnodes !== undefined) q.set('vnodes', String(vnodes));
    const view = await get(ctx.lab, `/lab/v1/ring${q.size ? `?${q}` : ''}`, RingView);
    const out = [
      `${bold(view.strategy)}, ${view.shards.length} shards${view.vnodes ? `, ${view.vnodes} vnodes each` : ''}${shards !== undefined ? dim(' (hypothetical)') : ''}`,
      formatTable(
        ['shard', 'share of the hash space'],
        view.shards.map((s, i) => [s, pct(view.shares[i] ?? 0)]),
      ),
    ];
    const c = view.change;
    if (c) {
      out.push(
        `Going to ${c.to_shards} shards moves ${bold(pct(c.moved_fraction))} of the keys ${dim(`(ring ${pct(c.ring_moved_fraction)}, modulo ${pct(c.modulo_moved_fraction)}, ideal ${pct(c.ideal_fraction)})`)}`,
      );
    }
    if (shards !== undefined) return { data: { view }, text: out.join('\n') };
    // The ring in force: also every version the cluster has routed by, newest last.
    const { versions } = await get(ctx.lab, '/lab/v1/ring/versions', RingVersions);
    const history = formatTable(
      ['version', 'strategy', 'vnodes', 'shards', 'why', 'when'],
      versions.map((v) => [v.version, v.strategy, v.vnodes ?? '-', v.shards.map((s) => s.name).join(' '), v.reason, v.created_at]),
    );
    return { data: { view, versions }, text: `${out.join('\n')}\n\n${history}` };
  },
});
