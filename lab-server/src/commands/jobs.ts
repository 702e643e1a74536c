import { z } from 'zod';
import { get, post, seg } from './api.js';
import { arg, positionals } from './args.js';
import { defineCommand, type CommandResult } from './command.js';
import { formatTable } from './format.js';
import { JobList, JobView } from './replies.js';

export const list = defineCommand({
  name: 'jobs',
  usage: 'jobs [ID]',
  summary: 'long-running jobs, or one in full',
  args: z.object({ _: positionals([z.string().optional()]) }),
  async run({ _: [id] }, ctx): Promise<CommandResult> {
    if (id) {
      // In full: every field the lab keeps, as JSON.
      const job = await get(ctx.lab, `/lab/v1/jobs/${seg(id)}`, z.record(z.string(), z.unknown()));
      return { data: job, text: JSON.stringify(job, null, 2) };
    }
    const { jobs } = await get(ctx.lab, '/lab/v1/jobs', JobList);
    if (jobs.length === 0) return { data: jobs, text: 'No jobs yet.' };
    const text = formatTable(
      ['id', 'kind', 'state', 'phase', 'progress', 'created'],
      jobs.map((j) => [j.id, j.kind, j.state, j.phase ?? '-', `${j.progress.done}/${j.progress.total}`, j.created_at]),
    );
    return { data: jobs, text };
  },
});

/** `jobs cancel ID` / `jobs continue ID`: a nudge to a running job. */
const nudge = (action: 'cancel' | 'continue', summary: string) =>
  defineCommand({
    name: `jobs ${action}`,
    usage: `jobs ${action} ID`,
    summary,
    args: z.object({ _: positionals([arg('ID')]) }),
    async run({ _: [id] }, ctx) {
      const job = await post(ctx.lab, `/lab/v1/jobs/${seg(id)}/${action}`, JobView);
      const what =
        action === 'continue'
          ? `goes on${job.phase ? ` (${job.phase})` : ''}`
          : job.state === 'running'
            ? `cancelling: it undoes what it started (follow it with \`${ctx.invocation}jobs ID\`)`
            : job.state === 'cancelled'
              ? 'cancelled'
              : `already ${job.state}: nothing to cancel`;
      return { data: job, text: `${job.kind} ${job.id}: ${what}` };
    },
  });

export const cancel = nudge('cancel', 'cancel a job: it undoes what it started');
export const resume = nudge('continue', 'let a job held by --pause-before go on');
