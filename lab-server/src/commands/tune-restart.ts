import { callCommand } from './call-command.js';
import { followJob } from './follow-job.js';
import { JobStarted } from './replies.js';

export const restart = callCommand({
  name: 'tune restart',
  summary: 'restart the shards one at a time so restart-only parameters (shared_buffers, max_connections) take effect; a job',
  method: 'POST',
  path: '/lab/v1/tuning/restart',
  reply: JobStarted,
  async show({ job_id }, ctx) {
    const job = await followJob(ctx, job_id, 'Restarting the shards');
    return { data: job, text: (job.notes ?? []).map((n) => n.message).join('\n') };
  },
});
