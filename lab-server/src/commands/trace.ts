import { z } from 'zod';
import { get, post, request, seg } from './api.js';
import { CommandError, defineCommand, type CommandResult, type Style } from './command.js';
import { formatTable, ms } from './format.js';
import { ScenarioRun, Trace, TraceList, TraceSampling, TracedRequest } from './replies.js';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;
const BAR = 32;

/** What a span adds to its name in the waterfall: the shard, the ring point, the SQL. */
function detail(a: Trace['spans'][number]['attributes']): string {
  if (typeof a['db.query.text'] === 'string')
    return `${a['db.query.text']}${a['db.response.returned_rows'] === undefined ? '' : ` → ${a['db.response.returned_rows']} rows`}`;
  if (a['lab.ring.hash'] !== undefined) return `${a['lab.key']} → hash ${a['lab.ring.hash']} → ${a['lab.ring.vnode'] || 'modulo'} → ${a['lab.shard']}`;
  if (a['lab.id'] !== undefined) return String(a['lab.id']);
  if (a['db.client.connection.pool.total'] !== undefined)
    return `pool: ${a['db.client.connection.pool.total']} open, ${a['db.client.connection.pool.idle']} idle, ${a['db.client.connection.pool.waiting']} queued`;
  if (a['server.port'] !== undefined) return `PostgreSQL on port ${a['server.port']}`;
  return '';
}

/** The longest span that contains no other: where the time actually went. */
export function slowestStep(t: Trace): Trace['spans'][number] | null {
  const parents = new Set(t.spans.map((s) => s.parent_id));
  return t.spans.filter((s) => !parents.has(s.span_id)).sort((a, b) => b.duration_ms - a.duration_ms)[0] ?? null;
}

/** A trace as a text waterfall: one line per span, indented by depth, with a bar placed on the request's time line. */
export function waterfall(t: Trace, style: Style): string {
  const depth = new Map<string, number>();
  const total = Math.max(t.duration_ms, 0.001);
  const lines = t.spans.map((s) => {
    const d = s.parent_id === null ? 0 : (depth.get(s.parent_id) ?? 0) + 1;
    depth.set(s.span_id, d);
    const from = Math.min(BAR - 1, Math.floor((s.start_ms / total) * BAR));
    const width = Math.max(1, Math.round((s.duration_ms / total) * BAR));
    const bar = `${' '.repeat(from)}${'█'.repeat(Math.min(width, BAR - from))}`.padEnd(BAR);
    const name = `${'  '.repeat(d)}${s.name}`;
    const text = detail(s.attributes);
    return [name, ms(s.duration_ms), `|${s.status === 'error' ? style.red(bar) : bar}|`, text ? style.dim(text) : ''];
  });
  const width = Math.max(...lines.map((l) => l[0]!.length));
  const body = lines.flatMap(([name, took, bar, text], i) => {
    const plan = t.spans[i]!.attributes['db.query.plan'];
    const row = `${name!.padEnd(width)}  ${took!.padStart(9)}  ${bar} ${text}`.trimEnd();
    // Each statement's plan (EXPLAIN, added by the tracer) under its row.
    return typeof plan === 'string' ? [row, ...plan.split('\n').map((p) => style.dim(`${' '.repeat(width + 2)}plan: ${p}`))] : [row];
  });
  return [`${style.bold(t.name)} → ${t.status_code ?? '?'} in ${ms(t.duration_ms)}  ${style.dim(`trace ${t.trace_id}`)}`, ...body].join('\n');
}

export default defineCommand({
  name: 'trace',
  usage: 'trace [METHOD PATH [JSON] | show TRACE_ID | scenarios | sample [PERCENT|off] | live]',
  summary:
    'send one messenger request traced and draw its spans; sample live traffic (trace sample 10) and list it (trace live); without arguments, the last traced requests',
  parseFlags: false,
  args: z.object({ _: z.array(z.string()), tail: z.string() }).transform(({ _: words, tail }, zctx) => {
    const [first, second] = words;
    if (first === undefined) return { kind: 'list' as const };
    if (first === 'scenarios' && words.length === 1) return { kind: 'scenarios' as const };
    if (first === 'live' && words.length === 1) return { kind: 'live' as const };
    if (first === 'sample') {
      if (second === undefined) return { kind: 'sample' as const, percent: null };
      const percent = second === 'off' ? 0 : Number(second.replace(/%$/, ''));
      if (words.length > 2 || !Number.isFinite(percent) || percent < 0 || percent > 100) {
        zctx.addIssue({ code: 'custom', message: 'usage: trace sample [PERCENT|off], PERCENT from 0 to 100; e.g. trace sample 10' });
        return z.NEVER;
      }
      return { kind: 'sample' as const, percent };
    }
    if (first === 'show') {
      if (!second || words.length > 2) {
        zctx.addIssue({ code: 'custom', message: 'usage: trace show TRACE_ID' });
        return z.NEVER;
      }
      return { kind: 'show' as const, id: second };
    }
    const method = first.toUpperCase();
    if (!(METHODS as readonly string[]).includes(method) || !second) {
      zctx.addIssue({ code: 'custom', message: `usage: trace METHOD PATH [JSON], METHOD one of ${METHODS.join(', ')}; e.g. trace GET /api/v1/users?limit=5` });
      return z.NEVER;
    }
    const json = tail.trim().slice(first.length).trim().slice(second.length).trim();
    let body: unknown;
    if (json) {
      try {
        body = JSON.parse(json);
      } catch {
        zctx.addIssue({ code: 'custom', message: `the body must be JSON, e.g. '{"first_name":"Ada","last_name":"Lovelace"}'` });
        return z.NEVER;
      }
    }
    return { kind: 'send' as const, method, path: second, body };
  }),
  async run(a, ctx): Promise<CommandResult<unknown>> {
    if (a.kind === 'show') {
      const t = await get(ctx.lab, `/lab/v1/traces/${seg(a.id)}`, Trace);
      return { data: t, text: waterfall(t, ctx.style) };
    }
    if (a.kind === 'scenarios') {
      const run = await post(ctx.lab, '/lab/v1/traces/scenarios', ScenarioRun);
      const rows = run.scenarios.map((s) => {
        const slow = slowestStep(s.trace);
        return [
          s.scenario,
          s.trace.name,
          s.response.status,
          s.response.shard ?? 'every shard',
          ms(s.trace.duration_ms),
          slow ? `${slow.name} (${ms(slow.duration_ms)})` : '-',
        ];
      });
      const note = `scenario 4 (10,000 users) is a load test: ${ctx.invocation}loadtest 10k`;
      return { data: run, text: `${formatTable(['scenario', 'request', 'status', 'shard', 'took', 'slowest step'], rows)}\n${ctx.style.dim(note)}` };
    }
    if (a.kind === 'sample') {
      const r =
        a.percent === null
          ? await get(ctx.lab, '/lab/v1/traces/sampling', TraceSampling)
          : (await request(ctx.lab, 'PUT', '/lab/v1/traces/sampling', TraceSampling, { percent: a.percent })).body;
      const state = r.percent === 0 ? 'Live traffic is not sampled.' : `${r.percent} % of live /api/… requests are traced.`;
      return { data: r, text: `${state} ${r.sampled} sampled traces kept (the last ${r.kept}); ${ctx.invocation}trace live lists them.` };
    }
    if (a.kind === 'list' || a.kind === 'live') {
      const list = await get(ctx.lab, a.kind === 'live' ? '/lab/v1/traces?source=sampled' : '/lab/v1/traces', TraceList);
      if (list.traces.length === 0) {
        const tip =
          a.kind === 'live'
            ? `No sampled traces yet. Turn sampling on (${ctx.invocation}trace sample 10) and send traffic, e.g. ${ctx.invocation}loadtest smoke`
            : `No traced requests yet. Try: ${ctx.invocation}trace GET /api/v1/users?limit=5`;
        return { data: list, text: tip };
      }
      const rows = list.traces.map((t) => [t.trace_id, t.source, t.started_at.slice(11, 23), t.name, t.status_code ?? '-', ms(t.duration_ms), t.spans.length]);
      const sampling = list.sample_percent === 0 ? 'live sampling off' : `sampling ${list.sample_percent} % of live traffic`;
      return {
        data: list,
        text: `${formatTable(['trace', 'source', 'at (UTC)', 'request', 'status', 'took', 'spans'], rows)}\n${ctx.style.dim(`the last ${list.kept} of each source are kept; ${sampling}; ${ctx.invocation}trace show TRACE_ID draws one`)}`,
      };
    }
    if (a.body !== undefined && (a.body === null || typeof a.body !== 'object' || Array.isArray(a.body)))
      throw new CommandError('the body must be a JSON object');
    const r = await post(ctx.lab, '/lab/v1/traces', TracedRequest, { method: a.method, path: a.path, ...(a.body === undefined ? {} : { body: a.body }) });
    const shard = r.response.shard ? ` on ${r.response.shard}` : '';
    return { data: r, text: `${waterfall(r.trace, ctx.style)}\n${ctx.style.dim(`answered ${r.response.status}${shard}`)}` };
  },
});
