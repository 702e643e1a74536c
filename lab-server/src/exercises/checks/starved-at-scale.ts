import { z } from 'zod';
import { replyError } from '../../net/self-client.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import type { Answer, ExerciseContext } from '../context.js';
import { fmt } from './format.js';
import { finishedRuns, type TunedRun } from './tuning-runs.js';

const spec = z.strictObject({
  kind: z.literal('starved-at-scale'),
  scenario: z.string().min(1),
  /** Virtual users per pool connection the starved run must have had (the original: 5,000 ÷ 25). */
  users_per_connection: z.number().int().min(1),
  /** How far the learner's success rate of the starved run may be from it, in percentage points. */
  tolerance_points: z.number().min(0).max(5).default(0.5),
});
type Spec = z.output<typeof spec>;
type Run = TunedRun & { params?: { connections: number } };

const success = (r: Run) => Math.round((1 - r.summary!.errors / Math.max(1, r.summary!.requests)) * 10_000) / 100;
const pool = (r: Run) => Number(r.conditions?.pool_max ?? Number.NaN);
/** Users per pool connection the API could hold in this run: pool_max per shard and API process. */
const perConnection = (r: Run, shards: number) => (r.params?.connections ?? 0) / (pool(r) * shards * Math.max(1, Number(r.conditions?.workers ?? 0)));

/** The newest run (the fix) and the newest earlier run with a smaller pool, the same users, at the original's ratio; both sent requests. */
export function starvedPair(s: Spec, runs: readonly Run[], shards: number): { before: Run; after: Run } | null {
  const clean = runs.filter((r) => !r.marks?.some((m) => m.kind === 'knob'));
  const after = clean[0];
  if (!after) return null;
  const before = clean.find((r) => pool(r) < pool(after) && r.params?.connections === after.params?.connections);
  if (!before || perConnection(before, shards) < s.users_per_connection) return null;
  if (!before.summary?.requests || !after.summary?.requests) return null;
  return { before, after };
}

export function judgeStarvedAtScale(s: Spec, answer: Answer | undefined, runs: readonly Run[], shards: number): CheckResult {
  const pair = starvedPair(s, runs, shards);
  if (!pair)
    return fail(
      `Two finished ${s.scenario} runs are needed, with the same number of users: the newer with a larger pool_max than the older, both with requests answered, and the older with at least ${s.users_per_connection} users per pool connection (pool_max × ${shards} shards × API processes). “Starve at the original's scale” (\`tune starve\`) runs both.`,
    );
  const { before, after } = pair;
  const b = before.summary!;
  const a = after.summary!;
  if (typeof answer !== 'number') return fail('Enter the success rate of the starved run, in percent.');
  if (Math.abs(answer - success(before)) > s.tolerance_points) return fail(`${answer} % is not the starved run's success rate; read it in the run's summary.`);
  // Whether the bigger pool helped is the measurement, not the condition: when it did not, the queue is elsewhere.
  const verdict =
    success(after) > success(before)
      ? 'The bigger pool helped, as in the original.'
      : 'The bigger pool did not help here: the requests queued before they reached the pool (the API process or the load generator, on this machine), so the pool was not the bottleneck at this many users.';
  return pass(
    `Measured here: pool_max ${pool(before)} → ${pool(after)} with ${fmt(before.params!.connections)} users: ${success(before)} % → ${success(after)} % success, ${fmt(b.errors)} → ${fmt(a.errors)} failed, ${fmt(Math.round(b.requests_per_s))} → ${fmt(Math.round(a.requests_per_s))} req/s. The original: 42 % → 100 %. ${verdict}`,
  );
}

async function shardCount(ctx: ExerciseContext): Promise<number> {
  const r = await ctx.api.call<{ shard_count: number }>('GET', '/api/v1/shards/stats');
  if (r.status !== 200) throw replyError(r, 'Could not count the shards');
  return r.body.shard_count;
}

/** The original's starvation reproduced at its ratio of users to connections, then the fix run (asks the starved run's success rate). */
export const starvedAtScale: CheckKind<Spec> = {
  kind: 'starved-at-scale',
  spec,
  question: {
    input: () => ({ type: 'number', label: 'Success of the starved run', unit: '%' }),
    answer: async (s, ctx) => {
      const pair = starvedPair(s, await finishedRuns(ctx, s.scenario), await shardCount(ctx));
      return pair ? success(pair.before) : null;
    },
  },
  async run(s, ctx, answer) {
    return judgeStarvedAtScale(s, answer, await finishedRuns(ctx, s.scenario), await shardCount(ctx));
  },
};
