import type { z } from 'zod';
import { StarvationResult } from '../contracts/starvation.js';
import { post } from './api.js';
import { noArgs, wholeNumber } from './args.js';
import { defineCommand } from './command.js';
import { followJob } from './follow-job.js';
import { formatTable, ms, num } from './format.js';
import { JobStarted } from './replies.js';

export const starve = defineCommand({
  name: 'tune starve',
  usage: 'tune starve [--seconds N]',
  summary: "the original's pool starvation scaled to this lab (200 users per pool connection): crud with pool_max 1, then 4; a job",
  flags: { seconds: 'string' },
  args: noArgs.extend({ seconds: wholeNumber('--seconds', 2).optional() }),
  async run({ seconds }, ctx) {
    const { job_id } = await post(ctx.lab, '/lab/v1/tuning/starvation', JobStarted, seconds === undefined ? {} : { duration_s: seconds });
    const job = await followJob(ctx, job_id, 'Starving the pool, then fixing it');
    const r = StarvationResult.parse(job.result);
    const row = (label: string, s: z.output<typeof StarvationResult>['before']) => [
      label,
      `${s.pool_max} (${s.pool_connections} conn.)`,
      num(s.requests),
      num(s.failed),
      `${num(s.success_pct, 2)} %`,
      num(s.requests_per_s, 1),
      ms(s.latency_ms?.p95),
      ms(s.latency_ms?.p99),
      ms(s.latency_ms?.max),
    ];
    const table = formatTable(
      ['', 'pool_max', 'requests', 'failed', 'success', 'req/s', 'p95', 'p99', 'max'],
      [row('before', r.before), row('after', r.after)],
    );
    return {
      data: r,
      text: `${r.plan.rule}\n${table}\n${ctx.style.dim(`The original: ${r.original.success_before} % → ${r.original.success_after} % success. Runs ${r.before.run.slice(0, 8)} and ${r.after.run.slice(0, 8)} are in the load-test history.`)}`,
    };
  },
});
