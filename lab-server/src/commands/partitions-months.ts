import { z } from 'zod';
import { MonthlyBuildSchema as Built, MonthlyReportSchema as Report, RetireReportSchema as Retired } from '../contracts/partitions.js';
import { get, post } from './api.js';
import { noArgs, positionals, wholeNumber } from './args.js';
import { defineCommand } from './command.js';
import { formatTable, num } from './format.js';

const kb = (b: number) => `${num(b / 1024, 1)} kB`;

export const show = defineCommand({
  name: 'partitions months',
  usage: 'partitions months',
  summary: "the messenger's messages once range-partitioned by month on every shard: rows and size per month",
  args: noArgs,
  async run(_a, ctx) {
    const r = await get(ctx.lab, '/lab/v1/partitions/months', Report);
    if (!r.shards.some((s) => s.built))
      return { data: r, text: `${r.table} is a plain table on every shard; run \`partitions months build\` to partition it by month.` };
    // One row per month, summed over the shards: the shape a retention policy reads.
    const months = new Map<string, { rows: number; bytes: number }>();
    for (const s of r.shards)
      for (const p of s.partitions) {
        const m = months.get(p.month ?? 'DEFAULT') ?? { rows: 0, bytes: 0 };
        months.set(p.month ?? 'DEFAULT', { rows: m.rows + p.rows, bytes: m.bytes + p.bytes });
      }
    const table = formatTable(
      ['month', 'rows', 'size'],
      [...months].map(([m, x]) => [m, num(x.rows), kb(x.bytes)]),
    );
    return {
      data: r,
      text: `${table}\n${ctx.style.dim(`over ${r.shards.length} shards; messages holds ${num(r.shards.reduce((n, s) => n + s.messages_rows, 0))} rows`)}`,
    };
  },
});

export const build = defineCommand({
  name: 'partitions months build',
  usage: 'partitions months build [AHEAD]',
  summary: "range-partition the messenger's messages by month on every shard (the API keeps working), AHEAD (default 3) empty months ahead and a DEFAULT",
  args: z.object({ _: positionals([wholeNumber('AHEAD').optional()]) }),
  async run({ _: [ahead] }, ctx) {
    const r = await post(ctx.lab, '/lab/v1/partitions/months', Built, ahead === undefined ? {} : { months_ahead: ahead });
    const rows = r.shards.reduce((n, s) => n + s.rows_copied, 0);
    return {
      data: r,
      text: `messages: ${r.months.length} month partitions (${r.months[0]} … ${r.months.at(-1)}) and a DEFAULT on every shard; ${num(rows)} messages moved in.`,
    };
  },
});

export const retire = defineCommand({
  name: 'partitions retire',
  usage: 'partitions retire drop|delete [MONTH]',
  summary: 'retire a month of messages (default: the oldest) by dropping its partition or deleting its rows: time, WAL, bytes freed',
  args: z.object({ _: positionals([z.enum(['drop', 'delete'], { error: 'HOW must be drop or delete' }), z.string().optional()]) }),
  async run({ _: [how, month] }, ctx) {
    const r = await post(ctx.lab, '/lab/v1/partitions/months/retire', Retired, month ? { how, month } : { how });
    const table = formatTable(
      ['shard', 'rows', 'ms', 'WAL', 'freed', 'partition'],
      r.shards.map((s) => [s.shard_name, num(s.rows), s.ms.toFixed(2), kb(s.wal_bytes), kb(s.bytes_freed), s.partition_left ? 'still there' : 'gone']),
    );
    return { data: r, text: `${table}\n${ctx.style.dim(`${r.month} retired by ${how === 'drop' ? 'DETACH + DROP of its partition' : 'DELETE of its rows'}`)}` };
  },
});
