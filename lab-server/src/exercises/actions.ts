import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { errorMessage, isMissingRoute, type SelfReply } from '../http/self-client.js';
import { MIGRATIONS_TABLE } from '../migrations/index.js';
import { CheckSpecSchema, runCheck, type CheckSpec, type ExerciseContext } from './checks.js';
import type { StepReport } from './views.js';

/** One step of a reference solution or a chapter reset, as chapter files write it (`- do: seed`). */
export type ActionSpec = (
  | { do: 'seed'; users: number }
  | { do: 'api'; method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; body?: unknown }
  | { do: 'clear-data' }
  | { do: 'add-shard'; mode: 'rebalance' | 'faithful' }
  | { do: 'remove-shard'; shard?: string | undefined }
  | { do: 'shard-count'; equals: number | 'configured' }
  | { do: 'loadtest'; scenario: string; duration_s?: number | undefined }
  | { do: 'answer' }
) & { unless?: CheckSpec | undefined };

const unless = { unless: CheckSpecSchema.optional() };

export const ActionSpecSchema: z.ZodType<ActionSpec> = z.discriminatedUnion('do', [
  z.strictObject({ do: z.literal('seed'), users: z.number().int().min(1).max(10_000_000), ...unless }),
  z.strictObject({
    do: z.literal('api'),
    method: z.enum(['GET', 'POST', 'PUT', 'DELETE']),
    path: z.string().regex(/^\/(api|lab)\/v1\//, 'path must start with /api/v1/ or /lab/v1/'),
    body: z.unknown().optional(),
    ...unless,
  }),
  z.strictObject({ do: z.literal('clear-data'), ...unless }),
  z.strictObject({ do: z.literal('add-shard'), mode: z.enum(['rebalance', 'faithful']), ...unless }),
  z.strictObject({ do: z.literal('remove-shard'), shard: z.string().optional(), ...unless }),
  z.strictObject({ do: z.literal('shard-count'), equals: z.union([z.number().int().min(1), z.literal('configured')]), ...unless }),
  z.strictObject({ do: z.literal('loadtest'), scenario: z.string().min(1), duration_s: z.number().int().min(1).max(600).optional(), ...unless }),
  z.strictObject({ do: z.literal('answer'), ...unless }),
]);

/** The planned shard API; its plan route is safe to probe (it changes nothing). */
export const SHARDS_API_PROBE = 'POST /lab/v1/shards/plan';
export const LOADTESTS_API_PROBE = 'GET /lab/v1/loadtests';

/** A step that could not run; the message says which shard or API, and what to do next. */
export class StepFailed extends Error {}

/** What the UI lists under "Solve it for me" and the solve report repeats: plain words and the API call. */
export function describeAction(a: ActionSpec): string {
  switch (a.do) {
    case 'seed':
      return `Seed ${a.users.toLocaleString('en-US')} users — POST /lab/v1/seed`;
    case 'api':
      return `${a.method} ${a.path}${a.body === undefined ? '' : ` ${JSON.stringify(a.body)}`}`;
    case 'clear-data':
      return 'Delete every row of the messenger tables on every shard (TRUNCATE)';
    case 'add-shard':
      return `Add a shard, ${a.mode === 'faithful' ? 'faithfully (the ring changes, no row moves)' : 'rebalancing (rows move to it)'} — POST /lab/v1/shards`;
    case 'remove-shard':
      return `Remove ${a.shard ?? 'the newest shard'}, draining its rows — DELETE /lab/v1/shards/${a.shard ?? ':name'}`;
    case 'shard-count':
      return `Bring the ring to ${a.equals === 'configured' ? 'the configured number of' : a.equals} shards`;
    case 'loadtest':
      return `Run the ${a.scenario} load test — POST /lab/v1/loadtests`;
    case 'answer':
      return 'Measure the answer and submit it';
  }
}

/** The APIs a step needs that may be missing from this build (probed before solving). */
export function actionRequires(a: ActionSpec): string[] {
  if (a.do === 'add-shard' || a.do === 'remove-shard') return [SHARDS_API_PROBE];
  if (a.do === 'loadtest') return [LOADTESTS_API_PROBE];
  return [];
}


/** Runs one step. `answer` steps are handled by the engine (they need the exercise's check). */
export async function runAction(ctx: ExerciseContext, a: ActionSpec): Promise<StepReport> {
  const step = describeAction(a);
  if (a.unless) {
    const already = await runCheck(ctx, a.unless, undefined);
    if (already.passed) return { step, status: 'skipped', detail: `Already so: ${already.message}` };
  }
  switch (a.do) {
    case 'seed':
      return { step, status: 'done', detail: await callAndWait(ctx, 'POST', '/lab/v1/seed', { users: a.users }) };
    case 'api':
      return { step, status: 'done', detail: await callAndWait(ctx, a.method, a.path, a.body) };
    case 'clear-data':
      return { step, status: 'done', detail: await clearData(ctx) };
    case 'add-shard':
      return { step, status: 'done', detail: await callAndWait(ctx, 'POST', '/lab/v1/shards', { mode: a.mode }) };
    case 'remove-shard': {
      const name = a.shard ?? newestShard(ctx);
      return { step, status: 'done', detail: await callAndWait(ctx, 'DELETE', `/lab/v1/shards/${encodeURIComponent(name)}`) };
    }
    case 'shard-count':
      return { step, status: 'done', detail: await bringShardCount(ctx, a.equals === 'configured' ? ctx.lab.config.shardCount : a.equals) };
    case 'loadtest':
      return { step, status: 'done', detail: await runLoadTest(ctx, a.scenario, a.duration_s) };
    case 'answer':
      throw new Error('answer steps are run by the exercise engine');
  }
}

/** Calls the lab's API; when it answers with a job, waits for the job to end and reports how it ended. */
async function callAndWait(ctx: ExerciseContext, method: string, path: string, body?: unknown): Promise<string> {
  const reply = await ctx.api.call<{ job_id?: string }>(method, path, body);
  failUnlessOk(reply, `${method} ${path}`);
  const jobId = reply.body?.job_id;
  if (!jobId) return `${method} ${path} → ${reply.status}`;
  const job = await ctx.lab.jobs.wait(jobId);
  if (job.state !== 'succeeded') {
    throw new StepFailed(`${method} ${path}: job ${job.kind} ${job.state}${job.error ? `: ${job.error.message}` : ''}`);
  }
  return `${method} ${path} → job ${job.kind} succeeded`;
}

function failUnlessOk(reply: SelfReply, what: string): void {
  if (isMissingRoute(reply)) throw new StepFailed(`${what} is not available in this build.`);
  if (reply.status >= 400) throw new StepFailed(`${what} failed: ${errorMessage(reply)}`);
}

/** The shard with the highest id in the ring: the one added last. */
function newestShard(ctx: ExerciseContext): string {
  const names = ctx.lab.router.names;
  const id = (n: string) => Number(/^shard-(\d+)$/.exec(n)?.[1] ?? -1);
  return [...names].sort((a, b) => id(b) - id(a))[0]!;
}

async function bringShardCount(ctx: ExerciseContext, target: number): Promise<string> {
  const start = ctx.lab.router.names.length;
  while (ctx.lab.router.names.length > target) await callAndWait(ctx, 'DELETE', `/lab/v1/shards/${encodeURIComponent(newestShard(ctx))}`);
  while (ctx.lab.router.names.length < target) await callAndWait(ctx, 'POST', '/lab/v1/shards', { mode: 'rebalance' });
  return start === target ? `The ring already has ${target} shards.` : `The ring went from ${start} to ${target} shards.`;
}

/** Empties the messenger's tables on every shard; the migrations' bookkeeping stays. */
async function clearData(ctx: ExerciseContext): Promise<string> {
  const { cluster } = ctx.lab;
  const cleared = await Promise.all(
    cluster.shards.map((s) =>
      cluster.onShard(s.id, async (pool) => {
        const { rows } = await pool.query<{ name: string }>(
          `SELECT format('%I', tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> $1`,
          [MIGRATIONS_TABLE],
        );
        if (rows.length > 0) await pool.query(`TRUNCATE ${rows.map((r) => r.name).join(', ')} CASCADE`);
        return rows.length;
      }),
    ),
  );
  return `Emptied ${cleared[0] ?? 0} tables on each of ${cluster.shards.length} shards.`;
}

interface LoadTestView {
  state?: string;
  summary?: { requests_per_s?: number };
  error?: string | null;
}

async function runLoadTest(ctx: ExerciseContext, scenario: string, duration: number | undefined): Promise<string> {
  const started = await ctx.api.call<{ id?: string }>('POST', '/lab/v1/loadtests', { scenario, ...(duration ? { duration_s: duration } : {}) });
  failUnlessOk(started, 'POST /lab/v1/loadtests');
  const id = started.body?.id;
  if (!id) throw new StepFailed('POST /lab/v1/loadtests answered without a run id.');
  for (;;) {
    const r = await ctx.api.call<LoadTestView>('GET', `/lab/v1/loadtests/${encodeURIComponent(id)}`);
    failUnlessOk(r, `GET /lab/v1/loadtests/${id}`);
    const state = r.body.state;
    if (state === 'finished') return `Load test ${id} finished: ${Math.round(r.body.summary?.requests_per_s ?? 0)} req/s.`;
    if (state && !['preparing', 'running'].includes(state)) {
      const why = r.body.error;
      throw new StepFailed(`Load test ${id} ${state}${why ? `: ${why}` : ''}.`);
    }
    await sleep(500);
  }
}
