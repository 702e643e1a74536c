import { z } from 'zod';
import { PagingReportSchema } from '../contracts/paging.js';
import { post } from './api.js';
import { positionals, wholeNumber } from './args.js';
import { defineCommand } from './command.js';
import { formatTable, num } from './format.js';

export default defineCommand({
  name: 'paging',
  usage: 'paging [PAGE] [LIMIT]',
  summary:
    "list users across the shards at page 1 and page PAGE (default 1,000) of LIMIT (default 20), with OFFSET (the original's) and with a keyset cursor: time, rows sent and read per shard",
  args: z.object({ _: positionals([wholeNumber('PAGE', 2).optional(), wholeNumber('LIMIT', 1).optional()]) }),
  async run({ _: [page, limit] }, ctx) {
    const r = await post(ctx.lab, '/lab/v1/users/paging', PagingReportSchema, {
      ...(page === undefined ? {} : { page }),
      ...(limit === undefined ? {} : { limit }),
    });
    const rows = r.pages.flatMap((p) =>
      [p.offset, p.keyset].map((s) => [
        num(p.page),
        s.way,
        s.total_ms,
        s.merge_ms,
        num(s.rows_sent),
        num(s.rows_read),
        s.shards.map((x) => `${x.ms}`).join(' / '),
      ]),
    );
    const table = formatTable(['page', 'way', 'total ms', 'merge ms', 'rows sent', 'rows read', 'per-shard ms'], rows);
    const deep = r.pages[1]!;
    return {
      data: r,
      text: `${table}\n${num(r.users)} users, ${r.limit} a page. At page ${num(deep.page)}, OFFSET read ${r.deep_read_ratio}× the rows and took ${r.deep_ms_ratio}× the time of the keyset page.\n${deep.offset.shards[0]?.shard ?? ''}'s plan for the OFFSET page:\n${deep.offset.plan}`,
    };
  },
});
