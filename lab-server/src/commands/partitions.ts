import { z } from 'zod';
import {
  BuildReportSchema as Built,
  PartitionReportSchema as Report,
  PartitionsDroppedSchema,
  PruningReportSchema as Pruning,
} from '../contracts/partitions.js';
import { get, post, request, seg } from './api.js';
import { arg, noArgs, positionals, wholeNumber } from './args.js';
import { CommandError, defineCommand } from './command.js';
import { followJob } from './follow-job.js';
import { JobStarted } from './replies.js';
import { formatTable, num, pct } from './format.js';

const kb = (b: number) => `${num(b / 1024, 1)} kB`;

export const show = defineCommand({
  name: 'partitions',
  usage: 'partitions [SHARD]',
  summary: 'users hash-partitioned inside each shard: rows per partition, skew, sizes, ids the last build lost (one shard: every partition)',
  args: z.object({ _: positionals([arg('SHARD').optional()]) }),
  complete: (index, _before, source) => (index === 0 ? source.shards() : []),
  async run({ _: [shard] }, ctx) {
    const r = await get(ctx.lab, '/lab/v1/partitions', Report);
    if (shard) {
      const s = r.shards.find((x) => x.shard_name === shard || x.shard_name === `shard-${shard}`);
      if (!s) throw new CommandError(`No shard '${shard}'; choose one of ${r.shards.map((x) => x.shard_name).join(', ')}.`);
      if (!s.partitioned) return { data: r, text: `${s.shard_name}: ${r.table} is a plain table; run \`partitions build 8\`.` };
      const table = formatTable(
        ['partition', 'rows', 'share', 'table', 'indexes'],
        s.partitions.map((p) => [p.name, num(p.rows), pct(p.share), kb(p.table_bytes), kb(p.index_bytes)]),
      );
      return { data: r, text: `${table}\n${ctx.style.dim(`${s.shard_name}: ${num(s.rows)} rows in ${s.partitions.length} partitions of ${r.table}`)}` };
    }
    const table = formatTable(
      ['shard', 'partitions', 'users', 'last build', 'ids lost', 'skew', 'χ² (df)', 'χ² by ring hash', 'table', 'indexes'],
      r.shards.map((s) =>
        !s.reachable
          ? [s.shard_name, 'down', '', '', '', '', '', '', '', '']
          : [
              s.shard_name,
              s.partitioned ? s.partitions.length : 'none',
              num(s.users_rows),
              s.last_build ?? '-',
              s.last_build ? num(s.out_of_step) : '-',
              s.skew_pct === null ? '-' : `+${s.skew_pct.toFixed(2)} %`,
              s.chi_square === null ? '-' : `${s.chi_square.toFixed(1)} (${s.degrees_of_freedom})`,
              s.ring_hash_chi_square === null ? '-' : s.ring_hash_chi_square.toFixed(1),
              kb(s.partitions.reduce((n, p) => n + p.table_bytes, 0)),
              kb(s.partitions.reduce((n, p) => n + p.index_bytes, 0)),
            ],
      ),
    );
    return {
      data: r,
      text: `${table}\n${ctx.style.dim("ids lost: what the last build's swap found in only one table; skew: the fullest partition above the mean; χ² sits near df when the hash spreads evenly")}`,
    };
  },
});

export const build = defineCommand({
  name: 'partitions build',
  usage: 'partitions build N [--faithful]',
  summary: "rebuild users as N hash partitions on every shard while it takes writes, online, as a job (Ctrl-C cancels; --faithful: the original's lossy swap)",
  flags: { faithful: 'boolean' },
  args: z.object({ _: positionals([wholeNumber('N', 2)]), faithful: z.boolean().default(false) }),
  async run({ _: [n], faithful }, ctx) {
    const { job_id } = await post(ctx.lab, '/lab/v1/partitions', JobStarted, { partitions: n, mode: faithful ? 'faithful' : 'online' });
    const job = await followJob(ctx, job_id, `Repartitioning users to ${n}`);
    const parsed = Built.safeParse(job.result);
    if (!parsed.success) throw new CommandError(`Job ${job_id} succeeded, but its result is not a partition build; is the lab the same version?`);
    const r = parsed.data;
    const table = formatTable(
      ['shard', 'rows copied', 'build (ms)', 'writes waited (ms)', 'ids lost', 'deletes undone'],
      r.shards.map((s) => [s.shard_name, num(s.rows_copied), num(s.ms), num(s.blocked_ms), num(s.ids_lost), num(s.ids_revived)]),
    );
    const after = ctx.style.dim(`users: ${r.partitions} hash partitions on every shard (${r.mode}), counted by id at the swap`);
    return { data: r, text: `${table}\n${after}` };
  },
});

export const drop = defineCommand({
  name: 'partitions drop',
  usage: 'partitions drop',
  summary: 'turn users (online) and messages back into plain tables on every shard; no row is lost',
  args: noArgs,
  async run(_a, ctx) {
    const { body } = await request(ctx.lab, 'DELETE', '/lab/v1/partitions', PartitionsDroppedSchema);
    const had = body.shards.filter((s) => s.dropped).map((s) => s.shard_name);
    return { data: body, text: had.length ? `users is a plain table again on ${had.join(', ')}.` : 'No shard had users partitioned.' };
  },
});

export const prune = defineCommand({
  name: 'partitions prune',
  usage: 'partitions prune SHARD [ID]',
  summary: 'EXPLAIN ANALYZE of one user looked up by id, by an id from a subquery, and by name: the partitions each reads',
  args: z.object({ _: positionals([arg('SHARD'), z.string().optional()]) }),
  complete: (index, _before, source) => (index === 0 ? source.shards() : []),
  async run({ _: [shard, id] }, ctx) {
    const name = /^\d+$/.test(shard) ? `shard-${shard}` : shard;
    const r = await get(ctx.lab, `/lab/v1/partitions/pruning?shard=${seg(name)}${id ? `&id=${seg(id)}` : ''}`, Pruning);
    const rows = (
      [
        ['by id', r.by_id],
        ['by id from a subquery', r.by_id_runtime],
        ['by first name', r.by_name],
      ] as const
    ).map(([what, t]) => [what, `${t.scanned.length} of ${t.partitions_total}`, t.planned.length, t.scanned.join(' '), t.execution_ms.toFixed(3)]);
    const table = formatTable(['lookup', 'partitions read', 'planned', 'which', 'execution ms'], rows);
    return { data: r, text: `${ctx.style.dim(`user ${r.id} (${r.first_name}) on ${r.shard_name}`)}\n${table}` };
  },
});
