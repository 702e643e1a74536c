import { z } from 'zod';

// The scaling ladder's request and reply shapes (`/lab/v1/ladder`): the route validates with them and the
// `ladder` command reads replies with them, so the two cannot drift apart.

/** In the order the original's guide climbs them; a climb takes the rungs asked for in this order. */
export const RUNGS = ['baseline', 'indexes', 'replicas', 'pooling', 'cache', 'shards'] as const;
export const RungSchema = z.enum(RUNGS);
export type Rung = z.output<typeof RungSchema>;

export const LadderRequestSchema = z.strictObject(
  {
    scenario: z
      .enum(['read-heavy', 'standard', 'smoke', 'write-heavy', 'crud'], { error: 'scenario must be read-heavy, standard, smoke, write-heavy or crud' })
      .default('read-heavy'),
    duration_s: z
      .number({ error: 'duration_s must be a number' })
      .int('duration_s must be an integer')
      .min(2, 'duration_s must be at least 2')
      .max(120, 'duration_s must be at most 120')
      .default(4)
      .describe('seconds of each measured run'),
    repeats: z
      .number({ error: 'repeats must be a number' })
      .int('repeats must be an integer')
      .min(1, 'repeats must be at least 1')
      .max(5, 'repeats must be at most 5')
      .default(3)
      .describe('runs per rung: its req/s and p99 are the medians, and the spread between its runs is reported'),
    connections: z
      .number({ error: 'connections must be a number' })
      .int('connections must be an integer')
      .min(1, 'connections must be at least 1')
      .max(1000, 'connections must be at most 1,000')
      .default(50),
    warmup_s: z
      .number({ error: 'warmup_s must be a number' })
      .int('warmup_s must be an integer')
      .min(0, 'warmup_s must be at least 0')
      .max(30, 'warmup_s must be at most 30')
      .default(2)
      .describe('seconds of uncounted load before each rung’s first run'),
    rungs: z
      .array(RungSchema, { error: `rungs must be a list of ${RUNGS.join(', ')}` })
      .min(2, 'rungs must name at least two rungs, to compare them')
      .refine((r) => new Set(r).size === r.length, 'rungs must not repeat a rung')
      .default([...RUNGS]),
    replica_reads: z
      .enum(['replica', 'read-your-writes'], { error: 'replica_reads must be replica or read-your-writes' })
      .default('read-your-writes')
      .describe('the read policy of the replicas rung: the original’s (replica) or read-your-writes'),
  },
  {
    error: (iss: { code?: string; keys?: string[] }) =>
      iss.code === 'unrecognized_keys' ? `unknown field(s): ${(iss.keys ?? []).join(', ')}` : 'the body must be a JSON object',
  },
);
export type LadderRequest = z.output<typeof LadderRequestSchema>;

export const LadderStepSchema = z.object({
  rung: RungSchema,
  /** What the lab had switched on for this rung, cumulatively. */
  setup: z.array(z.string()).describe('what was on during this rung (each rung keeps the ones below it)'),
  run_id: z.string().nullable(),
  skipped: z.string().nullable().describe('why the rung was not measured (e.g. PgBouncer not installed), else null'),
  requests: z.number().describe('over all the rung’s runs'),
  errors: z.number().describe('over all the rung’s runs'),
  requests_per_s: z.number().describe('the median of the rung’s runs'),
  p50_ms: z.number().nullable().describe('the median of the rung’s runs'),
  p99_ms: z.number().nullable().describe('the median of the rung’s runs'),
  runs_rps: z.array(z.number()).describe('req/s of each run of the rung, in order'),
  spread_percent: z.number().nullable().describe('(slowest to fastest run) against the median, in percent: how much this machine moved the rung'),
  within_noise: z
    .boolean()
    .nullable()
    .describe('true when the rung’s req/s range overlaps the first rung’s: the difference is not larger than the machine’s own spread'),
  rps_ratio: z.number().nullable().describe('req/s against the first measured rung'),
  p99_ratio: z.number().nullable().describe('p99 against the first measured rung'),
  stale_reads: z.number().describe('replica reads that missed a row the primary had, during this rung'),
  replica_reads: z.number(),
  lag_bytes_max: z.number().nullable().describe('the largest replication lag in WAL bytes sampled during the run (null: no replica)'),
  lag_ms_max: z.number().nullable().describe('the largest replay lag in ms sampled during the run (null: no replica or none reported)'),
});
export type LadderStep = z.output<typeof LadderStepSchema>;

export const LadderViewSchema = z
  .object({
    state: z.enum(['idle', 'running', 'finished', 'failed', 'cancelled']),
    request: LadderRequestSchema.nullable(),
    current: RungSchema.nullable().describe('the rung being set up or measured'),
    steps: z.array(LadderStepSchema),
    notes: z.array(z.string()).describe('what the climb switched on and off, in order'),
    error: z.string().nullable(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: 'Ladder' });
export type LadderView = z.output<typeof LadderViewSchema>;
