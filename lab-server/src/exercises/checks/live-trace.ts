import { z } from 'zod';
import { replyError } from '../../net/self-client.js';
import type { TraceView } from '../../tracing/store.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import type { Answer, ExerciseContext } from '../context.js';
import { fmt } from './format.js';
import { shardNames } from './lab-shards.js';
import { noSuchShard, shardAnswer } from './shard-answer.js';
import { keptTraces, shardOf } from './traces.js';

const spec = z.strictObject({
  kind: z.literal('live-trace'),
  /** The sampled request to read: the newest one of the newest run whose name starts so, e.g. `GET /api/v1/users/`. */
  request: z.string().regex(/^(GET|POST|PUT|DELETE) \/api\/v1\//, 'request must be METHOD /api/v1/…'),
  status: z.number().int().min(100).max(599),
});
type LiveTraceSpec = z.output<typeof spec>;

/** The fields of a load-test run this check reads. */
export interface LiveRun {
  id: string;
  state: string;
  started_at: string | null;
  finished_at: string | null;
  summary?: { requests: number; errors: number } | null;
}

/** The newest finished run, and the requests sampled while it ran (newest first). */
function sampledDuring(runs: readonly LiveRun[], traces: readonly TraceView[]) {
  const run = runs.find((r) => r.state === 'finished' && r.summary && r.started_at && r.finished_at);
  if (!run) return null;
  const inside = traces.filter((t) => t.source === 'sampled' && t.started_at >= run.started_at! && t.started_at <= run.finished_at!);
  return { run, inside };
}

const pickOf = (s: LiveTraceSpec, inside: readonly TraceView[]) => inside.find((t) => t.name.startsWith(s.request) && t.status_code === s.status) ?? null;

/** The verdict on the learner's reading of a request sampled from the newest load test's traffic. */
export function judgeLiveTrace(
  s: LiveTraceSpec,
  answer: Answer | undefined,
  runs: readonly LiveRun[],
  traces: readonly TraceView[],
  shards: readonly string[],
): CheckResult {
  const found = sampledDuring(runs, traces);
  if (!found) return fail('No finished load test yet. Turn on “Sample live traffic” in the tracer, then start a load test in the dock.');
  const { run, inside } = found;
  const requests = run.summary!.requests;
  if (inside.length === 0) {
    return fail(
      `Load test ${run.id.slice(0, 8)} sent ${fmt(requests)} requests, but none of them was sampled. Turn on “Sample live traffic” (or \`trace sample 10\`) before you start the run.`,
    );
  }
  if (run.summary!.errors > 0) {
    return fail(
      `Load test ${run.id.slice(0, 8)} had ${fmt(run.summary!.errors)} failed requests of ${fmt(requests)}. Reset the chapter and run it again: the check wants every request served.`,
    );
  }
  const pick = pickOf(s, inside);
  if (!pick)
    return fail(
      `Of ${fmt(inside.length)} requests sampled from load test ${run.id.slice(0, 8)}, none is a ${s.request}… that answered ${s.status}. Run a load test with reads by id (smoke, standard).`,
    );
  const right = shardOf(pick);
  const picked = shardAnswer(answer, shards);
  if (picked === null) return fail(noSuchShard(answer));
  const what = `the newest sampled read (${pick.name.slice(0, 24)}…, trace ${pick.trace_id.slice(0, 8)}…, ${pick.duration_ms} ms)`;
  if (picked !== right) return fail(`Not ${picked}. In the tracer's live list, open ${what}: its ring lookup names the shard.`);
  return pass(
    `Right: ${what} ran on ${right}. It was one of ${fmt(inside.length)} requests sampled from load test ${run.id.slice(0, 8)}, which served all ${fmt(requests)} of its requests.`,
  );
}

async function runs(ctx: ExerciseContext): Promise<LiveRun[]> {
  const r = await ctx.api.call<{ runs: LiveRun[] }>('GET', '/lab/v1/loadtests?limit=20');
  if (r.status !== 200) throw replyError(r, 'Could not read the load-test history');
  return r.body.runs;
}

/** Under load: a request the lab sampled from a load test's live traffic, read off its trace (which shard served it). */
export const liveTrace: CheckKind<LiveTraceSpec> = {
  kind: 'live-trace',
  spec,
  question: {
    input: (s) => ({ type: 'shard', label: `Which shard served the newest sampled ${s.request}…?` }),
    answer: async (s, ctx) => {
      const found = sampledDuring(await runs(ctx), await keptTraces(ctx, 'sampled'));
      const pick = found ? pickOf(s, found.inside) : null;
      return pick ? shardOf(pick) : null;
    },
  },
  async run(s, ctx, answer) {
    return judgeLiveTrace(s, answer, await runs(ctx), await keptTraces(ctx, 'sampled'), shardNames(ctx.lab));
  },
};
