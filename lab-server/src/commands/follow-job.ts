import { setTimeout as sleep } from 'node:timers/promises';
import { get, seg } from './api.js';
import { CommandError, LabUnreachableError, type CommandContext } from './command.js';
import { JobView } from './replies.js';

const POLL_MS = 250;
/** Polls in a row that may find no one at the lab's address: a job that changes the worker count from or to 0 hands the port over meanwhile. */
const UNREACHABLE_POLLS = 40;

/**
 * Polls a job until it ends, drawing its progress; Ctrl-C (the context's signal) asks the lab to cancel it and
 * goes on polling, so the user sees the job undo what it started. Returns the succeeded job, throws otherwise.
 */
export async function followJob(ctx: CommandContext, id: string, title: string): Promise<JobView> {
  let cancelling = false;
  let announced: string | undefined;
  let unreachable = 0;
  try {
    for (;;) {
      if (ctx.signal.aborted && !cancelling) {
        cancelling = true;
        // A job that ended meanwhile refuses the cancel; the next poll shows how it ended.
        await ctx.lab.call('POST', `/lab/v1/jobs/${seg(id)}/cancel`, {});
      }
      let job: JobView;
      try {
        job = await get(ctx.lab, `/lab/v1/jobs/${seg(id)}`, JobView);
        unreachable = 0;
      } catch (err) {
        if (!(err instanceof LabUnreachableError) || ++unreachable > UNREACHABLE_POLLS) throw err;
        await sleep(POLL_MS);
        continue;
      }
      if (job.waiting && job.waiting !== announced) {
        // Said once per hold, on a line of its own, so it also reaches a log or a pipe where no bar is drawn.
        announced = job.waiting;
        // The terminal runs one command at a time: the nudge comes from another terminal or the topology panel.
        const elsewhere = ctx.frontEnd === 'terminal' ? ' in another terminal (or Continue on the topology panel)' : '';
        ctx.out.line(`Held ${job.waiting}. Look around, then '${ctx.invocation}jobs continue ${id}'${elsewhere} goes on; Ctrl-C here cancels.`);
      }
      const state = cancelling && job.state === 'running' ? 'cancelling' : job.state;
      ctx.out.progress({
        title,
        done: job.progress.done,
        total: job.progress.total,
        state: job.waiting ? `held ${job.waiting}` : job.phase && job.state === 'running' ? `${state} · ${job.phase}` : state,
      });
      if (job.state === 'succeeded') return job;
      if (job.state === 'failed') throw new CommandError(`Job ${id} failed: ${job.error?.message ?? 'unknown error'}`);
      if (job.state === 'cancelled' && job.result?.reverted) {
        throw new CommandError(
          `Job ${id} was cancelled after cutover: the data moved back, and ring version ${String(job.result.ring_version)} has the shards it had before.`,
          130,
        );
      }
      if (job.state === 'cancelled') throw new CommandError(`Job ${id} was cancelled; nothing it started was kept.`, 130);
      await sleep(POLL_MS);
    }
  } finally {
    ctx.out.endProgress();
  }
}
