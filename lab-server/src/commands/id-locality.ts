import { z } from 'zod';
import { post } from './api.js';
import { defineCommand } from './command.js';
import { formatTable, num } from './format.js';
import { IdLocality } from './replies.js';

export default defineCommand({
  name: 'id locality',
  usage: 'id locality [ROWS] [--shard NAME]',
  summary: 'insert ROWS (default 20,000) UUIDv4 and as many UUIDv7 ids into a B-tree on one shard: index pages and insert rate of each',
  flags: { shard: 'string' },
  args: z.object({
    _: z.array(z.string()).max(1, 'usage: id locality [ROWS] [--shard NAME]'),
    shard: z.string().optional(),
  }),
  async run({ _: [rows], shard }, ctx) {
    const n = rows === undefined ? undefined : Number(rows.replaceAll(',', '').replaceAll('_', ''));
    const r = await post(ctx.lab, '/lab/v1/ids/locality', IdLocality, { ...(n === undefined ? {} : { rows: n }), ...(shard ? { shard } : {}) });
    const table = formatTable(
      ['ids', 'rows', 'index pages', 'rows per page', 'insert rows/s'],
      r.runs.map((x) => [x.kind, num(x.rows), num(x.index_pages), x.rows_per_page, num(x.rows_per_s)]),
    );
    return {
      data: r,
      text: `${table}\nOn ${r.shard}, ${num(r.batch)} rows per INSERT: random ids needed ${r.v4_extra_pages_percent} % more index pages; UUIDv7 inserted at ${r.v7_rate_ratio}× the rate.`,
    };
  },
});
