import type { z } from 'zod';
import { errorMessage, type SelfReply } from '../../net/self-client.js';
import { StepFailed } from '../action-kind.js';
import type { JobView } from '../../jobs/registry.js';
import type { ExerciseContext } from '../context.js';

/** A failed call becomes a StepFailed naming it, with the API's own message. */
export function failUnlessOk(reply: SelfReply, what: string): void {
  if (reply.status >= 400) throw new StepFailed(`${what} failed: ${errorMessage(reply)}`);
}

/** Calls the lab's API; when it answers with a job, waits for the job to end and reports how it ended. */
export async function callAndWait(ctx: ExerciseContext, method: string, path: string, body?: unknown): Promise<string> {
  const reply = await ctx.api.call<{ job_id?: string }>(method, path, body);
  failUnlessOk(reply, `${method} ${path}`);
  const jobId = reply.body?.job_id;
  if (!jobId) return `${method} ${path} → ${reply.status}`;
  const job = await succeeded(ctx, method, path, jobId);
  return `${method} ${path} → job ${job.kind} succeeded`;
}

/** Calls a route that starts a job and returns the job once it has succeeded. */
export async function startAndWait(ctx: ExerciseContext, method: string, path: string, body?: unknown): Promise<JobView> {
  const reply = await ctx.api.call<{ job_id?: string }>(method, path, body);
  failUnlessOk(reply, `${method} ${path}`);
  const jobId = reply.body?.job_id;
  if (!jobId) throw new StepFailed(`${method} ${path} answered without a job.`);
  return succeeded(ctx, method, path, jobId);
}

/** A finished job's result in the shape its route documents; anything else is a step that failed, naming the job. */
export function jobResult<T>(job: JobView, shape: z.ZodType<T>): T {
  const r = shape.safeParse(job.result);
  if (!r.success) throw new StepFailed(`The ${job.kind} job ${job.id} reported no result in the documented shape.`);
  return r.data;
}

async function succeeded(ctx: ExerciseContext, method: string, path: string, jobId: string): Promise<JobView> {
  const job = await ctx.lab.jobs.wait(jobId);
  if (job.state !== 'succeeded') {
    throw new StepFailed(`${method} ${path}: job ${job.kind} ${job.state}${job.error ? `: ${job.error.message}` : ''}`);
  }
  return job;
}

/** The shard added last: the highest number among `shard-<n>` names. */
export function newestShard(names: readonly string[]): string {
  const id = (n: string) => Number(/^shard-(\d+)$/.exec(n)?.[1] ?? -1);
  const newest = [...names].sort((a, b) => id(b) - id(a))[0];
  if (newest === undefined) throw new StepFailed('The ring has no shards.');
  return newest;
}

export const removeShardPath = (name: string): string => `/lab/v1/shards/${encodeURIComponent(name)}`;
