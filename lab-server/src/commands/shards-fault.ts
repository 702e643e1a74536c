import { z } from 'zod';
import { post, seg } from './api.js';
import { arg, positionals } from './args.js';
import { defineCommand } from './command.js';
import { ShardProcess } from './replies.js';

const SUMMARY = {
  kill: "stop a shard's server the hard way (SIGKILL)",
  start: "start a shard's server again",
  pause: "freeze a shard's server (SIGSTOP): it accepts connections and answers nothing",
  resume: 'let a paused shard go on',
} as const;

/** Fault injection on one shard's server: one command per action, the same module. */
const fault = (action: keyof typeof SUMMARY) =>
  defineCommand({
    name: `shards ${action}`,
    usage: `shards ${action} NAME`,
    summary: SUMMARY[action],
    args: z.object({ _: positionals([arg('NAME')]) }),
    complete: (index, _before, source) => (index === 0 ? source.shards() : []),
    async run({ _: [name] }, ctx) {
      const s = await post(ctx.lab, `/lab/v1/shards/${seg(name)}/${action}`, ShardProcess);
      return { data: s, text: `${s.name}: ${s.status}${s.pid ? ` (pid ${s.pid})` : ''}` };
    },
  });

export const kill = fault('kill');
export const start = fault('start');
export const pause = fault('pause');
export const resume = fault('resume');
