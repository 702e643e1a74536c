import { replyError } from '../../net/self-client.js';
import type { ExerciseContext } from '../context.js';
import type { TraceSource, TraceView } from '../../tracing/store.js';

/** What the check kinds about traces read: the lab's kept traces of one source, through its own API as a learner would. */
export async function keptTraces(ctx: ExerciseContext, source: TraceSource): Promise<TraceView[]> {
  const r = await ctx.api.call<{ traces: TraceView[] }>('GET', `/lab/v1/traces?source=${source}`);
  if (r.status !== 200) throw replyError(r, `Could not call GET /lab/v1/traces?source=${source}`);
  return r.body.traces;
}

/** The statements a traced request sent to PostgreSQL. */
export const queriesOf = (t: TraceView) => t.spans.filter((s) => s.name === 'query');

/** The shard whose primary or replica ran the request's statements (the first one, for a single-shard request). */
export function shardOf(t: TraceView): string | null {
  const byId = new Map(t.spans.map((s) => [s.span_id, s]));
  for (const q of queriesOf(t)) {
    const shard = byId.get(q.parent_id ?? '')?.attributes['lab.shard'];
    if (typeof shard === 'string') return shard;
  }
  return null;
}
