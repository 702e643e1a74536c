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
    name: z.string().describe('method and path'),
    started_at: z.string(),
    duration_ms: z.number(),
    status_code: z.number().nullable(),
    spans: z.array(SpanSchema).describe('the root first, then each span before its children, siblings in start order'),
  })
  .meta({ id: 'Trace' });

export const TraceListSchema = z
  .object({
    kept: z.number().describe('how many traces the lab keeps; older ones are dropped'),
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
