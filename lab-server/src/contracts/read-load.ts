import { z } from 'zod';

// The write-then-read comparison under the lab's own load (`POST /lab/v1/reads/load`): the route validates with
// these and the `reads load` command reads the reply with them, so the two cannot drift apart.

const SCENARIOS = ['smoke', 'crud'] as const;

export const ReadLoadRequestSchema = z.strictObject(
  {
    scenario: z.enum(SCENARIOS, { error: 'scenario must be smoke or crud (each connection creates a user and reads it back at once)' }).default('smoke'),
    duration_s: z
      .number({ error: 'duration_s must be a number' })
      .int('duration_s must be an integer')
      .min(1, 'duration_s must be at least 1')
      .max(30, 'duration_s must be at most 30')
      .default(5),
    connections: z
      .number({ error: 'connections must be a number' })
      .int('connections must be an integer')
      .min(1, 'connections must be at least 1')
      .max(100, 'connections must be at most 100')
      .default(10),
  },
  {
    error: (iss: { code?: string; keys?: string[] }) =>
      iss.code === 'unrecognized_keys' ? `unknown field(s): ${(iss.keys ?? []).join(', ')}` : 'the body must be a JSON object',
  },
);
export type ReadLoadRequest = z.output<typeof ReadLoadRequestSchema>;

export const ReadLoadResultSchema = z.object({
  policy: z.enum(['replica', 'read-your-writes']),
  run_id: z.string(),
  requests: z.number(),
  errors: z.number().describe('requests the load test counted as failed: a 404 for a user the connection had just created among them'),
  requests_per_s: z.number(),
  primary_reads: z.number(),
  replica_reads: z.number(),
  stale_reads: z.number().describe("replica reads that missed a row or a version the primary had (the read router's count over the run)"),
});
export type ReadLoadResult = z.output<typeof ReadLoadResultSchema>;

export const ReadLoadTrialSchema = z
  .object({
    finished_at: z.string(),
    scenario: z.enum(SCENARIOS),
    duration_s: z.number(),
    connections: z.number(),
    replicas: z.array(z.object({ shard: z.string(), replica: z.string(), lag_bytes: z.number().nullable(), apply_delay_ms: z.number().nullable() })),
    results: z.array(ReadLoadResultSchema).describe('the same load test under the original’s replica policy, then under read-your-writes'),
  })
  .meta({ id: 'ReadLoadTrial' });
export type ReadLoadTrial = z.output<typeof ReadLoadTrialSchema>;
