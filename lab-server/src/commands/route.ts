import { z } from 'zod';
import { get, seg } from './api.js';
import { arg, positionals } from './args.js';
import { defineCommand } from './command.js';
import { formatTable, num } from './format.js';
import { Route } from './replies.js';

export default defineCommand({
  name: 'route',
  usage: 'route KEY',
  summary: 'which shard owns a user id, and why',
  args: z.object({ _: positionals([arg('KEY (a user id)')]) }),
  async run({ _: [key] }, ctx) {
    const r = await get(ctx.lab, `/lab/v1/route?key=${seg(key)}`, Route);
    const table = formatTable(
      ['key', 'normalized', 'hash', 'hash (hex)', 'vnode', 'shard'],
      [[r.key, r.normalized_key, r.hash, `0x${r.hash.toString(16).padStart(8, '0')}`, r.vnode ?? '-', r.shard_name]],
    );
    const why = r.vnode
      ? `md5 of the key, first 4 bytes → ${num(r.hash)}; the first virtual node clockwise from there is ${r.vnode}.`
      : `hash ${num(r.hash)} modulo the shard count.`;
    return { data: r, text: `${table}\n${ctx.style.dim(why)}` };
  },
});
