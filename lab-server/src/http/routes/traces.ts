import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ApiRouter } from '../api-router.js';
import { ApiError } from '../errors.js';
import type { Lab } from '../../lab/lab.js';
import { SelfClient } from '../../net/self-client.js';
import { portOf } from '../../cluster/shard-pools.js';
import type { TraceView } from '../../tracing/store.js';
import { traceparent, traceStore } from '../../tracing/tracing.js';
import {
  SamplingBodySchema,
  SamplingSchema,
  ScenarioRunSchema,
  TraceListQuery,
  TraceListSchema,
  TraceRequestSchema,
  TraceSchema,
  TracedResponseSchema,
} from '../schemas/traces.js';

const TraceParams = z.strictObject({ trace_id: z.string().regex(/^[0-9a-f]{32}$/, 'trace_id must be 32 lower-case hex digits') });

type PlanLab = Pick<Lab, 'cluster'>;

/** The pool of the server a span's statement ran on, by the port its shard span names. */
function poolOn(lab: PlanLab, port: unknown) {
  for (const s of lab.cluster.shards) {
    if (portOf(s.url) === port) return s.pool;
    if (s.replica && portOf(s.replica.url) === port) return s.replica.pool;
  }
  return null;
}

/**
 * Adds each statement's plan to its query span (`db.query.plan`): EXPLAIN of the same SQL with the same
 * parameters on the same server, right after the request. EXPLAIN without ANALYZE runs nothing, an INSERT
 * included. The plan is the server's plan now, which for these single-statement requests is the plan they ran.
 */
async function addPlans(lab: PlanLab, trace: TraceView): Promise<void> {
  const byId = new Map(trace.spans.map((s) => [s.span_id, s]));
  for (const span of trace.spans) {
    const sql = span.attributes['db.query.text'];
    if (span.name !== 'query' || typeof sql !== 'string' || !/^(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(sql)) continue;
    const pool = poolOn(lab, byId.get(span.parent_id ?? '')?.attributes['server.port']);
    if (!pool) continue;
    const params = span.attributes['db.query.parameters'];
    try {
      const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, typeof params === 'string' ? (JSON.parse(params) as unknown[]) : []);
      span.attributes['db.query.plan'] = rows.map((r) => r['QUERY PLAN']).join('\n');
    } catch (err) {
      span.attributes['db.query.plan'] = `(no plan: ${err instanceof Error ? err.message : String(err)})`;
    }
  }
}

/** Sends one messenger request with a fresh `traceparent` and waits for its trace, then adds its statements' plans. */
async function sendTraced(self: SelfClient, lab: PlanLab, method: string, path: string, body?: Record<string, unknown>) {
  const traceId = randomBytes(16).toString('hex');
  const reply = await self.call(method, path, method === 'GET' || method === 'DELETE' ? undefined : (body ?? {}), {
    traceparent: traceparent(traceId, randomBytes(8).toString('hex')),
  });
  const trace = await traceStore.waitFor(traceId, WAIT_MS);
  if (!trace) {
    throw new ApiError(503, 'trace_missing', `The request answered ${reply.status} but its trace did not arrive within ${WAIT_MS / 1000} s. Try again.`, {
      trace_id: traceId,
    });
  }
  await addPlans(lab, trace);
  return { response: { status: reply.status, shard: reply.headers?.get('x-lab-shard') ?? null, body: reply.body }, trace };
}

/** How long the route waits for a traced request's root span to end after its answer arrived. */
const WAIT_MS = 5_000;

/**
 * `/lab/v1/traces`: the request tracer. A request that carries a sampled W3C `traceparent` header is traced
 * (tracing/tracing.ts); the lab keeps the last ones. POST sends one messenger request traced and answers
 * with its trace.
 */
export function traceRoutes(api: ApiRouter, lab: Pick<Lab, 'config' | 'settings' | 'updateSettings' | 'cluster'>): void {
  const tag = 'lab: traces';
  const sampling = () => ({ percent: lab.settings.get().trace_sample_percent, kept: traceStore.keep, sampled: traceStore.list('sampled').length });
  api.add(
    {
      method: 'get',
      path: '/traces',
      tag,
      summary: 'The last traced requests, newest first: those that asked (a traceparent header) and those sampled from live traffic',
      query: TraceListQuery,
      responses: { 200: { description: 'the traces', schema: TraceListSchema } },
    },
    ({ res, query }) => {
      res.json({ kept: traceStore.keep, sample_percent: lab.settings.get().trace_sample_percent, traces: traceStore.list(query.source) });
    },
  );

  api.add(
    {
      method: 'get',
      path: '/traces/sampling',
      tag,
      summary: 'How much live traffic the lab traces',
      responses: { 200: { description: 'the sampling rate', schema: SamplingSchema } },
    },
    ({ res }) => {
      res.json(sampling());
    },
  );

  api.add(
    {
      method: 'put',
      path: '/traces/sampling',
      tag,
      summary: 'Trace a share of live messenger requests (e.g. during a load test), so one can be picked from real traffic',
      description:
        'Requests to /api/… without a traceparent header are traced at random with this probability, in every API process (prefork workers too). The lab keeps the last sampled traces apart from the ones asked for. 0 stops.',
      body: SamplingBodySchema,
      bodyName: 'sampling',
      responses: { 200: { description: 'the sampling rate now in force', schema: SamplingSchema } },
    },
    async ({ res, body }) => {
      await lab.updateSettings({ trace_sample_percent: body.percent });
      res.json(sampling());
    },
  );

  api.add(
    {
      method: 'get',
      path: '/traces/:trace_id',
      tag,
      summary: 'One traced request: every span with its measured duration',
      params: TraceParams,
      responses: { 200: { description: 'the trace', schema: TraceSchema }, 404: { description: 'no such trace (or no longer kept)' } },
    },
    ({ res, params }) => {
      const t = traceStore.get(params.trace_id);
      if (!t)
        throw new ApiError(
          404,
          'not_found',
          `No trace ${params.trace_id}: the lab keeps the last ${traceStore.keep} of each source. GET /lab/v1/traces lists them.`,
        );
      res.json(t);
    },
  );

  api.add(
    {
      method: 'post',
      path: '/traces',
      tag,
      summary: 'Send one messenger API request traced, and answer with its response and its trace',
      description:
        'The lab sends the request to its own messenger API with a `traceparent` header, exactly as `curl -H "traceparent: 00-<trace id>-<span id>-01"` would, and waits for its trace.',
      body: TraceRequestSchema,
      bodyName: 'traced request',
      responses: { 200: { description: 'the response and its trace', schema: TracedResponseSchema } },
    },
    async ({ req, res, body }) => {
      res.json(await sendTraced(SelfClient.from(req, lab.config.token), lab, body.method, body.path, body.body));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/traces/scenarios',
      tag,
      summary: "The original's first three request scenarios, each sent traced: register a user, read it back by id, list a page of all users",
      description:
        'Scenario 4 (10,000 users) is a load test: POST /lab/v1/loadtests {"scenario": "10k"}. Each scenario here is one real request, measured span by span.',
      responses: { 200: { description: 'each scenario with its response and trace', schema: ScenarioRunSchema } },
    },
    async ({ req, res }) => {
      const self = SelfClient.from(req, lab.config.token);
      const register = await sendTraced(self, lab, 'POST', '/api/v1/users', { first_name: 'Scenario', last_name: 'One' });
      const id = (register.response.body as { id?: unknown } | null)?.id;
      if (register.response.status !== 201 || typeof id !== 'string') {
        throw new ApiError(503, 'scenario_failed', `Registering a user answered ${register.response.status}; the other scenarios need it. Is every shard up?`, {
          status: register.response.status,
        });
      }
      const read = await sendTraced(self, lab, 'GET', `/api/v1/users/${id}`);
      const list = await sendTraced(self, lab, 'GET', '/api/v1/users?limit=20');
      res.json({
        scenarios: [
          { scenario: 'register', ...register },
          { scenario: 'get-by-id', ...read },
          { scenario: 'list-all', ...list },
        ],
      });
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/traces',
      tag,
      summary: 'Forget every kept trace',
      responses: { 200: { description: 'how many were dropped', schema: z.object({ cleared: z.number() }) } },
    },
    ({ res }) => {
      const cleared = traceStore.list().length;
      traceStore.clear();
      res.json({ cleared });
    },
  );
}
