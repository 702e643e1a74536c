import { z } from 'zod';

const Part = z.object({ p50: z.number(), p95: z.number(), mean: z.number() });

export const Breakdown = z
  .object({
    since: z.string().describe('the last reset'),
    sample_percent: z.number().describe('the share of live /api requests traced now (PUT /lab/v1/traces/sampling); 0: only requests that ask'),
    endpoints: z.array(
      z.object({
        endpoint: z.string().describe('method and route, ids as :id'),
        requests: z.number().describe('traced requests since the reset'),
        parts: z
          .object({
            total: Part.describe('arrival to the last byte handed to the socket'),
            pool_wait: Part.describe('waiting for a pool connection'),
            query: Part.describe('statements in flight on a shard (parallel ones count once)'),
            server: Part.describe("the rest: routing, validation, the handler's own code"),
            serialise: Part.describe('turning the reply into JSON text (JSON.stringify)'),
            response: Part.describe('writing the response: status line to the last byte'),
          })
          .describe('milliseconds per request'),
      }),
    ),
  })
  .meta({ id: 'LatencyBreakdown' });
export type Breakdown = z.output<typeof Breakdown>;
