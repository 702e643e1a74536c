import { z } from 'zod';
import { replyError } from '../../net/self-client.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import type { Answer, ExerciseContext } from '../context.js';
import { fmt } from './format.js';
import { finishedRuns } from './tuning-runs.js';

const spec = z.strictObject({
  kind: z.literal('top-statement'),
  shard: z.string().min(1),
  /** How far the learner's share may be from the one measured now, in percentage points. */
  tolerance_points: z.number().min(0),
});
type TopStatementSpec = z.output<typeof spec>;

export interface TopView {
  since: string;
  total_ms: number;
  statements: { query: string; calls: number; mean_ms: number; share_pct: number }[];
}

async function topOf(s: TopStatementSpec, ctx: ExerciseContext): Promise<TopView> {
  const r = await ctx.api.call<{ shards: TopView[] }>('GET', `/lab/v1/tuning/statements?by=total&limit=1&shard=${encodeURIComponent(s.shard)}`);
  if (r.status !== 200) throw replyError(r, 'Could not read the top statements');
  return r.body.shards[0]!;
}

const oneLine = (q: string) => q.replace(/\s+/g, ' ').slice(0, 90);

/**
 * The verdict: a whole load test ran since the statistics were last reset (`runStarts`: the finished runs'
 * start times), and the learner read the top statement's share of the shard's time.
 */
export function judgeTopStatement(s: TopStatementSpec, answer: Answer | undefined, view: TopView, runStarts: readonly string[]): CheckResult {
  const top = view.statements[0];
  const since = Date.parse(view.since);
  if (!top || !runStarts.some((t) => Date.parse(t) >= since)) {
    return fail(
      `No load test has run from start to end since ${s.shard}'s statistics were reset. Reset them (“Reset statistics”, or \`tune top reset\`), run the smoke load test, then read the top statement.`,
    );
  }
  if (typeof answer !== 'number') return fail(`Enter the share of ${s.shard}'s statement time that its top statement took, in percent.`);
  if (Math.abs(answer - top.share_pct) > s.tolerance_points) {
    return fail(`Not quite: read the share column of ${s.shard}'s first row, ordered by total time.`);
  }
  return pass(
    `Right: \`${oneLine(top.query)}\` took ${fmt(top.share_pct)} % of ${s.shard}'s ${fmt(Math.round(view.total_ms))} ms in ${fmt(top.calls)} calls, ${fmt(top.mean_ms)} ms each. That is where an index, a cache or a cheaper query would pay most.`,
  );
}

/** Where the time goes: the top statement on one shard from pg_stat_statements (asks a number). */
export const topStatement: CheckKind<TopStatementSpec> = {
  kind: 'top-statement',
  spec,
  question: {
    input: (s) => ({ type: 'number', label: `Top statement's share of ${s.shard}'s time`, unit: '%' }),
    answer: async (s, ctx) => {
      const top = (await topOf(s, ctx)).statements[0];
      return top ? top.share_pct : null;
    },
  },
  async run(s, ctx, answer) {
    const starts = (await finishedRuns(ctx)).flatMap((r) => (r.started_at ? [r.started_at] : []));
    return judgeTopStatement(s, answer, await topOf(s, ctx), starts);
  },
};
