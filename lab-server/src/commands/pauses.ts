import { get } from './api.js';
import { noArgs } from './args.js';
import { defineCommand } from './command.js';
import { formatTable } from './format.js';
import { WritePauses } from './replies.js';

export default defineCommand({
  name: 'pauses',
  usage: 'pauses',
  summary: "the writes that waited at the write gate during a reshard's pauses or a promotion: request, key, wait, shard before and after",
  args: noArgs,
  async run(_args, ctx) {
    const r = await get(ctx.lab, '/lab/v1/ring/pauses', WritePauses);
    if (r.pauses.length === 0)
      return { data: r, text: 'No write has waited at the write gate yet. Add a shard with rebalancing while a load test runs, then ask again.' };
    const table = formatTable(
      ['paused at', 'request', 'key', 'waited ms', 'shard before → after', 'served by'],
      r.pauses.map((p) => [
        p.paused_at.slice(11, 23),
        p.request ?? '-',
        p.keys.join(', ') || '-',
        p.waited_ms,
        `${p.shards_before.join(', ') || '-'} → ${p.shards_after.join(', ') || '-'}`,
        p.process,
      ]),
    );
    const waits = r.pauses.map((p) => p.waited_ms).sort((a, b) => a - b);
    return {
      data: r,
      text: `${table}\n${r.pauses.length} writes waited (the lab keeps the last ${r.kept}); the longest ${waits.at(-1)} ms, the median ${waits[Math.floor(waits.length / 2)]} ms.`,
    };
  },
});
