import { BudgetResult } from '../contracts/connection-budget.js';
import { post } from './api.js';
import { noArgs, wholeNumber } from './args.js';
import { defineCommand } from './command.js';
import { followJob } from './follow-job.js';
import { formatTable, num } from './format.js';
import { JobStarted } from './replies.js';

export const budget = defineCommand({
  name: 'tune budget',
  usage: 'tune budget [--workers N] [--pool N] [--seconds N]',
  summary:
    "prefork multiplies pools, measured: each shard's peak connections in pg_stat_activity against workers × pool_max, and the original's 8 × 100; a job",
  flags: { workers: 'string', pool: 'string', seconds: 'string' },
  args: noArgs.extend({
    workers: wholeNumber('--workers').optional(),
    pool: wholeNumber('--pool', 1).optional(),
    seconds: wholeNumber('--seconds', 1).optional(),
  }),
  async run({ workers, pool, seconds }, ctx) {
    const body = {
      ...(workers === undefined ? {} : { workers }),
      ...(pool === undefined ? {} : { pool_max: pool }),
      ...(seconds === undefined ? {} : { duration_s: seconds }),
    };
    const { job_id } = await post(ctx.lab, '/lab/v1/tuning/connection-budget', JobStarted, body);
    const job = await followJob(ctx, job_id, 'Filling every pool and counting connections');
    const r = BudgetResult.parse(job.result);
    const table = formatTable(
      ['shard', 'peak', 'formula', 'processes', 'per process', 'others', 'max_connections', '8 × 100 needs'],
      r.shards.map((s) => [
        s.shard,
        num(s.peak),
        num(s.formula),
        num(s.processes),
        num(s.per_process_peak),
        num(s.others_peak),
        num(s.max_connections),
        `${num(s.original_share, 1)}×`,
      ]),
    );
    const dim = ctx.style.dim(
      `peak: API pool connections pg_stat_activity showed at once (${num(r.samples)} samples during load test ${r.run.slice(0, 8)}); others: the lab's own probes and administration. The knobs are back as they were.`,
    );
    return { data: r, text: `${r.rule}\n${table}\n${dim}` };
  },
});
