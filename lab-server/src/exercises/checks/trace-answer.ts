import { z } from 'zod';
import type { Answer } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import type { TraceView } from '../../tracing/store.js';
import { shardNames } from './lab-shards.js';
import { noSuchShard, shardAnswer } from './shard-answer.js';
import { keptTraces, queriesOf, shardOf } from './traces.js';

const spec = z.strictObject({
  kind: z.literal('trace-answer'),
  /** The request to look for among the kept traces, e.g. `POST /api/v1/users`: the newest one whose name starts so. */
  request: z.string().regex(/^(GET|POST|PUT|DELETE) \/api\/v1\//, 'request must be METHOD /api/v1/…'),
  status: z.number().int().min(100).max(599),
  /** What the learner reads off the trace: the shard whose server ran its statements, or how many statements it sent. */
  ask: z.enum(['shard', 'queries']),
});
type TraceAnswerSpec = z.output<typeof spec>;

const newest = (s: TraceAnswerSpec, traces: readonly TraceView[]) => traces.find((t) => t.name.startsWith(s.request) && t.status_code === s.status) ?? null;

const truth = (s: TraceAnswerSpec, t: TraceView): string | number | null => (s.ask === 'shard' ? shardOf(t) : queriesOf(t).length);

/** The verdict on the learner's reading of the newest matching trace. */
export function judgeTraceAnswer(s: TraceAnswerSpec, answer: Answer | undefined, traces: readonly TraceView[], shards: readonly string[]): CheckResult {
  const t = newest(s, traces);
  if (!t) {
    const [method, path] = s.request.split(' ');
    return fail(
      `No traced ${s.request} that answered ${s.status} yet. Send one with the request tracer's Trace button, or \`trace ${method} ${path} …\` in the terminal.`,
    );
  }
  const right = truth(s, t);
  const spans = `trace ${t.trace_id.slice(0, 8)}…, ${t.spans.length} spans, ${t.duration_ms} ms`;
  if (s.ask === 'shard') {
    const picked = shardAnswer(answer, shards);
    if (picked === null) return fail(noSuchShard(answer));
    if (right === null) return fail(`That trace (${spans}) sent no statement to any shard, so no shard ran it. Trace one that reaches a shard.`);
    if (picked === right) return pass(`Right: in ${spans}, the statements ran on ${right} — the shard its ring lookup span names.`);
    return fail(`Not ${picked}. Open the newest trace of ${s.request}: the ring lookup span names the shard, and the query spans sit under it.`);
  }
  if (answer === undefined || !Number.isFinite(Number(answer))) return fail('Count the query spans and enter a number first.');
  const statements = queriesOf(t).map((q) => String(q.attributes['db.query.text'] ?? '').split(' ')[0]);
  if (Number(answer) === right) {
    return pass(
      `Right: ${spans}; ${right === 0 ? 'no statement reached PostgreSQL' : `${right} statement${right === 1 ? '' : 's'}: ${statements.join(', ')}`}.`,
    );
  }
  return fail(`Not ${answer}. Count the spans named “query” in the newest trace of ${s.request} (${spans}).`);
}

/** The learner reads a shard or a statement count off the newest kept trace of a request. */
export const traceAnswer: CheckKind<TraceAnswerSpec> = {
  kind: 'trace-answer',
  spec,
  question: {
    input: (s) =>
      s.ask === 'shard'
        ? { type: 'shard', label: `Which shard ran the traced ${s.request}?` }
        : { type: 'number', label: `How many statements did the traced ${s.request} send to PostgreSQL?`, unit: 'statements' },
    answer: async (s, ctx) => {
      const t = newest(s, await keptTraces(ctx, 'asked'));
      return t ? truth(s, t) : null;
    },
  },
  async run(s, ctx, answer) {
    return judgeTraceAnswer(s, answer, await keptTraces(ctx, 'asked'), shardNames(ctx.lab));
  },
};
