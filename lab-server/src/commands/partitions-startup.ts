import { z } from 'zod';
import { StartupReportSchema as Report } from '../contracts/partitions.js';
import { post } from './api.js';
import { noArgs } from './args.js';
import { defineCommand } from './command.js';
import { formatTable, num } from './format.js';

export const startup = defineCommand({
  name: 'partitions startup',
  usage: 'partitions startup [--faithful]',
  summary: "replay the original's start-up on users: guarded refuses a count other than 8; --faithful drops the table and recreates it empty",
  flags: { faithful: 'boolean' },
  args: noArgs.extend({ faithful: z.boolean().default(false) }),
  async run({ faithful }, ctx) {
    const r = await post(ctx.lab, '/lab/v1/partitions/startup', Report, { mode: faithful ? 'faithful' : 'guarded' });
    const table = formatTable(
      ['shard', 'partitions found', 'start-up', 'rows before', 'rows after'],
      r.shards.map((s) => [s.shard_name, s.found ?? 'none', s.action, num(s.rows_before), num(s.rows_after)]),
    );
    const lost = r.shards.reduce((n, s) => n + s.rows_before - s.rows_after, 0);
    return { data: r, text: `${table}\n${ctx.style.dim(`${r.mode} start-up expecting ${r.expected} partitions: ${num(lost)} rows lost`)}` };
  },
});
