import { z } from 'zod';

// The request tracer's reply shapes (`/lab/v1/traces`): tracing/store.ts's TraceView, field by field.

export const SpanSchema = z
  .object({
    span_id: z.string(),
    parent_id: z.string().nullable().describe('null for the root span (the HTTP request)'),
    name: z.string().describe('what the span measured: validate (zod), mint id (UUIDv7), ring lookup, shard-2 primary, pool wait, query, response, …'),
    start_ms: z.number().describe('when it started, in ms after the request arrived'),
    duration_ms: z.number(),
    status: z.enum(['ok', 'error']),
    error: z.string().nullable(),
    attributes: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .describe('OpenTelemetry attributes: db.query.text, lab.shard, lab.role, lab.ring.hash, lab.ring.vnode, …'),
  })
  .meta({ id: 'TraceSpan' });

export const TraceSchema = z
  .object({
    trace_id: z.string().describe('the W3C trace id (32 hex digits)'),
    source: z.enum(['asked', 'sampled']).describe('asked: the request carried a sampled traceparent; sampled: live traffic the lab picked at random'),
    name: z.string().describe('method and path'),
    started_at: z.string(),
    duration_ms: z.number(),
    status_code: z.number().nullable(),
    spans: z.array(SpanSchema).describe('the root first, then each span before its children, siblings in start order'),
  })
  .meta({ id: 'Trace' });

export const TraceListSchema = z
  .object({
    kept: z.number().describe('how many traces the lab keeps of each source; older ones are dropped'),
    sample_percent: z.number().describe('the share of live messenger requests the lab traces now, in percent'),
    traces: z.array(TraceSchema).describe('newest first'),
  })
  .meta({ id: 'TraceList' });

export const TraceRequestSchema = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'DELETE'], { error: 'method must be GET, POST, PUT or DELETE' }),
  path: z
    .string()
    .max(2000)
    .regex(/^\/api\/v1\/[^\s#]*$/, 'path must be a messenger API path, starting with /api/v1/')
    .refine((p) => !p.split(/[/?]/).includes('..'), 'path must not contain ..'),
  body: z.record(z.string(), z.unknown()).optional().describe('the JSON body to send (POST, PUT)'),
});

export const TracedResponseSchema = z
  .object({
    response: z.object({
      status: z.number(),
      shard: z.string().nullable().describe('the X-Lab-Shard header'),
      body: z.unknown(),
    }),
    trace: TraceSchema,
  })
  .meta({ id: 'TracedRequest' });

export const ScenarioRunSchema = z
  .object({
    scenarios: z.array(
      TracedResponseSchema.extend({
        scenario: z.enum(['register', 'get-by-id', 'list-all']).describe("the original's scenarios 1–3"),
      }),
    ),
  })
  .meta({ id: 'ScenarioRun' });

export const TraceListQuery = z.strictObject({
  source: z.enum(['asked', 'sampled'], { error: 'source must be asked or sampled' }).optional().describe('only the traces of this source'),
});

export const SamplingSchema = z
  .object({
    percent: z.number().describe('the share of live /api/… requests (without a traceparent) the lab traces, in percent; 0: none'),
    kept: z.number().describe('how many sampled traces the lab keeps'),
    sampled: z.number().describe('sampled traces kept now'),
  })
  .meta({ id: 'TraceSampling' });

export const SamplingBodySchema = z.strictObject({
  percent: z
    .number({ error: 'percent must be a number from 0 to 100' })
    .min(0, 'percent must be at least 0')
    .max(100, 'percent must be at most 100')
    .describe('0 stops sampling; 100 traces every live request'),
});
