import { z } from 'zod';
import { post } from './api.js';
import { noArgs } from './args.js';
import { defineCommand } from './command.js';
import { formatTable, num, pct } from './format.js';
import { ReshardPlan } from './replies.js';

export default defineCommand({
  name: 'shards plan',
  usage: 'shards plan [--remove NAME]',
  summary: 'what adding (or removing) a shard would move: ranges, rows, shares before and after',
  flags: { remove: 'string' },
  args: noArgs.extend({ remove: z.string().optional() }),
  async run({ remove }, ctx) {
    const p = await post(ctx.lab, '/lab/v1/shards/plan', ReshardPlan, remove ? { action: 'remove', shard: remove } : { action: 'add' });
    const after = new Map(p.shares_after.map((s) => [s.shard, s.share]));
    const names = [...new Set([...p.shards_before, ...p.shards_after])];
    const shares = formatTable(
      ['shard', 'share now', 'share after'],
      names.map((n) => [n, pct(p.shares_before.find((s) => s.shard === n)?.share ?? 0), pct(after.get(n) ?? 0)]),
    );
    const streams = formatTable(
      ['from', 'to', 'hash ranges', 'rows'],
      p.streams.map((s) => [s.from.name, s.to.name, s.ranges.length, s.rows]),
    );
    const moved = `${pct(p.moved_fraction)} of the key space changes owner: ${num(p.total_rows)} rows in ${p.tables.join(', ')}.`;
    return { data: p, text: `${shares}\n\n${streams}\n\n${moved}` };
  },
});
