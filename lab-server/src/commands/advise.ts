import { z } from 'zod';
import { ShardAdvice } from '../contracts/shard-advice.js';
import { post } from './api.js';
import { positionals, wholeNumber } from './args.js';
import { defineCommand } from './command.js';
import { num } from './format.js';

const decimal = (name: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, `${name} must be a number`)
    .transform(Number);

export default defineCommand({
  name: 'advise',
  usage: 'advise USERS WRITES/S READS/S [--growth PERCENT_A_MONTH] [--months N] [--data-gb GB]',
  summary: "should you shard? your numbers against what one shard of this lab takes, measured now: the decision tree's verdict with its reasoning",
  flags: { growth: 'string', months: 'string', 'data-gb': 'string' },
  args: z.object({
    _: positionals([wholeNumber('USERS'), decimal('WRITES/S'), decimal('READS/S')]),
    growth: decimal('--growth').optional(),
    months: wholeNumber('--months').optional(),
    'data-gb': decimal('--data-gb').optional(),
  }),
  async run({ _: [users, writes, reads], growth, months, 'data-gb': dataGb }, ctx) {
    const r = await post(ctx.lab, '/lab/v1/shard-advice', ShardAdvice, {
      users,
      writes_per_s: writes,
      reads_per_s: reads,
      ...(growth === undefined ? {} : { growth_percent_per_month: growth }),
      ...(months === undefined ? {} : { months }),
      ...(dataGb === undefined ? {} : { data_gb: dataGb }),
    });
    const m = r.measured;
    const lines = [
      `Measured just now on ${m.shard}: ${num(m.writes_per_s)} committed inserts/s, ${num(m.reads_per_s)} primary-key reads/s${m.bytes_per_user === null ? '' : `, ${num(m.bytes_per_user)} bytes per user`}.`,
      ...r.steps.flatMap((s, i) => [`${i + 1}. ${s.question}`, `   ${s.numbers}`, `   → ${s.answer}`]),
      ctx.style.bold(
        `Verdict: ${r.verdict}${r.verdict === 'shard' ? ` — ${r.shards} shards` : ''}${r.replicas_per_shard > 0 ? `, ${r.replicas_per_shard} replica${r.replicas_per_shard === 1 ? '' : 's'} per shard` : ''}.`,
      ),
      `The original's table for ${num(r.projected.users)} users: ${r.original_row}.`,
    ];
    return { data: r, text: lines.join('\n') };
  },
});
