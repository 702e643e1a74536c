import { post } from './api.js';
import { noArgs } from './args.js';
import { defineCommand } from './command.js';
import { followJob } from './follow-job.js';
import { JobStarted } from './replies.js';

export const restart = defineCommand({
  name: 'tune restart',
  usage: 'tune restart',
  summary: 'restart the shards one at a time so restart-only parameters (shared_buffers, max_connections) take effect; a job',
  args: noArgs,
  async run(_args, ctx) {
    const { job_id } = await post(ctx.lab, '/lab/v1/tuning/restart', JobStarted);
    const job = await followJob(ctx, job_id, 'Restarting the shards');
    const text = (job.notes ?? []).map((n) => n.message).join('\n');
    return { data: job, text };
  },
});
