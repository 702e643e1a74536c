import { z } from 'zod';

export const StarvationInput = z.strictObject(
  {
    duration_s: z
      .number({ error: 'duration_s must be a number of seconds' })
      .int('duration_s must be a whole number')
      .min(2, 'duration_s must be at least 2')
      .max(120, 'duration_s must be at most 120 (the original ran 120 s)')
      .default(12)
      .describe('each run; the wait for a connection is scaled with it (10 s × duration ÷ 120)'),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);

const Side = z.object({
  run: z.string().describe('the load-test run'),
  pool_max: z.number(),
  pool_connections: z.number().describe('pool_max × shards × API processes'),
  requests: z.number(),
  failed: z.number(),
  success_pct: z.number(),
  requests_per_s: z.number(),
  latency_ms: z.object({ p50: z.number(), p95: z.number(), p99: z.number(), max: z.number() }).nullable(),
  status_codes: z.record(z.string(), z.number()),
});

/** A job's result: the scaling rule with the numbers used, and the two runs. */
export const StarvationResult = z
  .object({
    plan: z.object({
      shards: z.number(),
      processes: z.number(),
      pool_before: z.number(),
      pool_after: z.number(),
      connections_before: z.number(),
      users: z.number(),
      users_per_connection: z.number(),
      duration_s: z.number(),
      wait_ms: z.number(),
      scenario: z.string(),
      rule: z.string(),
    }),
    before: Side,
    after: Side,
    original: z.object({ pool: z.number(), pool_after: z.number(), users: z.number(), success_before: z.number(), success_after: z.number() }),
  })
  .meta({ id: 'StarvationResult' });
export type StarvationResult = z.output<typeof StarvationResult>;

export const LastStarvation = z
  .object({ result: StarvationResult.nullable().describe('the last finished pair since the lab started') })
  .meta({ id: 'LastStarvation' });
