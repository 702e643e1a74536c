import { replyError } from '../../net/self-client.js';
import { z } from 'zod';
import type { Answer, ExerciseContext } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import type { TraceView } from '../../tracing/store.js';
import { fmt } from './format.js';
import { count } from './params.js';
import { queriesOf } from './traces.js';

const spec = z.strictObject({
  kind: z.literal('scatter-rows'),
  /** The page size of the listing the check traces. */
  limit: z.number().int().min(1).max(100),
  /** Users the shards must hold first, so that every shard has a full page to offer. */
  min_users: count,
});
type ScatterRowsSpec = z.output<typeof spec>;

interface Measured {
  users: number;
  trace: TraceView | null;
}

/** Traces one listing now (the measurement the learner predicted), after counting the users. */
async function measure(s: ScatterRowsSpec, ctx: ExerciseContext): Promise<Measured> {
  const users = (await ctx.lab.users.stats()).total_users;
  if (users < s.min_users) return { users, trace: null };
  const r = await ctx.api.call<{ trace: TraceView }>('POST', '/lab/v1/traces', { method: 'GET', path: `/api/v1/users?limit=${s.limit}` });
  if (r.status !== 200) throw replyError(r, 'Could not call POST /lab/v1/traces');
  return { users, trace: r.body.trace };
}

const rowsRead = (t: TraceView) => queriesOf(t).reduce((sum, q) => sum + Number(q.attributes['db.response.returned_rows'] ?? 0), 0);

/** The verdict on a prediction, given the listing just traced. */
export function judgeScatterRows(s: ScatterRowsSpec, answer: Answer | undefined, m: Measured): CheckResult {
  if (!m.trace) {
    return fail(
      `The shards hold ${fmt(m.users)} users; load at least ${fmt(s.min_users)} first (Seed button, or \`seed ${s.min_users}\`), so every shard has a page to offer.`,
    );
  }
  if (answer === undefined || !Number.isFinite(Number(answer))) return fail('Enter your prediction first; the check then traces the listing and counts.');
  const queries = queriesOf(m.trace);
  const rows = rowsRead(m.trace);
  const each = queries.map((q) => fmt(Number(q.attributes['db.response.returned_rows'] ?? 0))).join(' + ');
  const measured = `Measured just now: GET /api/v1/users?limit=${s.limit} asked ${queries.length} shards in parallel and read ${each} = ${fmt(rows)} rows to return ${s.limit} (${m.trace.duration_ms} ms).`;
  if (Number(answer) === rows) return pass(`Right. ${measured}`);
  return fail(
    `You predicted ${fmt(Number(answer))}. ${measured} Each shard sends its own next ${s.limit} + 1 rows: it cannot know which of them the other shards will beat.`,
  );
}

/** Predict, then measure: how many rows a cross-shard page reads from the shards; the check traces one listing. */
export const scatterRows: CheckKind<ScatterRowsSpec> = {
  kind: 'scatter-rows',
  spec,
  question: {
    input: (s) => ({ type: 'number', label: `How many rows will the shards send to return a page of ${s.limit} users?`, unit: 'rows' }),
    answer: async (s, ctx) => {
      const m = await measure(s, ctx);
      return m.trace ? rowsRead(m.trace) : null;
    },
  },
  async run(s, ctx, answer) {
    return judgeScatterRows(s, answer, await measure(s, ctx));
  },
};
