import { z } from 'zod';
import { post, seg } from './api.js';
import { arg, positionals } from './args.js';
import { defineCommand } from './command.js';
import { Promotion } from './replies.js';

const port = (url: string) => /:(\d+)\//.exec(url)?.[1] ?? url;

export default defineCommand({
  name: 'shards promote',
  usage: 'shards promote NAME',
  summary: 'make its replica the primary (switchover, or failover when the primary is down) and say what was lost',
  args: z.object({ _: positionals([arg('NAME')]) }),
  complete: (index, _before, source) => (index === 0 ? source.shards() : []),
  async run({ _: [name] }, ctx) {
    const r = await post(ctx.lab, `/lab/v1/shards/${seg(name)}/promote`, Promotion);
    const lost =
      r.writes_at_risk.count === 0
        ? 'no acknowledged write was past that point: nothing was lost.'
        : `${r.writes_at_risk.count} acknowledged user writes were past that point and are lost, e.g. ${r.writes_at_risk.user_ids.slice(0, 5).join(', ')}.`;
    return {
      data: r,
      text: [
        `${r.shard}: ${r.kind} — the primary moved from port ${port(r.old_primary.url)} to port ${port(r.new_primary.url)} (ring version ${r.ring_version}).`,
        `writes to ${r.shard}'s keys waited ${r.pause_ms} ms; the replica had received WAL up to ${r.received_lsn}.`,
        lost,
      ].join('\n'),
    };
  },
});
