import { z } from 'zod';

const whole = (name: string, min: number, max: number, why: string) =>
  z
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}${why}`);

export const BudgetInput = z.strictObject(
  {
    workers: whole('workers', 0, 8, ' (the workers knob)')
      .optional()
      .describe('prefork workers during the run (default: the knob as it is; 0: the primary serves the API)'),
    pool_max: whole('pool_max', 1, 50, ' (a budget this lab can afford on its shards)')
      .optional()
      .describe('connections per process and shard during the run (default: the knob as it is)'),
    duration_s: whole('duration_s', 1, 30, '').default(3).describe('how long the load runs: the pools fill in its first moments'),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);

const Shard = z.object({
  shard: z.string(),
  peak: z.number().describe('the most API pool connections pg_stat_activity showed at once, over every process'),
  processes: z.number().describe('API processes seen with connections to this shard'),
  per_process_peak: z.number().describe('the most connections one process held'),
  formula: z.number().describe('processes × pool_max'),
  others_peak: z.number().describe("every other client connection at the same moments, at most: the lab's probes, metrics, administration"),
  max_connections: z.number(),
  original_share: z.number().describe("the original's 8 × 100 = 800 as a multiple of this max_connections"),
});

/** A job's result: the plan, the run that filled the pools, and each shard's connections as pg_stat_activity counted them. */
export const BudgetResult = z
  .object({
    plan: z.object({
      workers: z.number(),
      pool_max: z.number(),
      processes: z.number().describe('processes serving the API: the workers, or the primary alone'),
      formula: z.number().describe('processes × pool_max: connections each shard must accept from the API'),
      duration_s: z.number(),
      load_connections: z.number(),
      scenario: z.string(),
    }),
    run: z.string().describe('the load-test run'),
    samples: z.number().describe('rounds of pg_stat_activity on every shard'),
    shards: z.array(Shard),
    original: z.object({
      workers: z.number(),
      pool_max: z.number(),
      connections: z.number(),
      max_connections: z.number().describe("its primaries' (PostgreSQL's default)"),
      max_connections_doc: z.number().describe('what its tuning guide sets'),
    }),
    rule: z.string(),
  })
  .meta({ id: 'BudgetResult' });
export type BudgetResult = z.output<typeof BudgetResult>;

export const LastBudget = z
  .object({ result: BudgetResult.nullable().describe('the last finished measurement since the lab started') })
  .meta({ id: 'LastBudget' });
