import { z } from 'zod';

export const ShardAdviceInput = z.strictObject({
  users: z
    .number({ error: 'users must be a number' })
    .int('users must be a whole number')
    .min(0, 'users cannot be negative')
    .max(1e11, 'users must be at most 100 billion'),
  writes_per_s: z.number({ error: 'writes_per_s must be a number' }).min(0, 'writes_per_s cannot be negative').max(1e9, 'writes_per_s is too large'),
  reads_per_s: z.number({ error: 'reads_per_s must be a number' }).min(0, 'reads_per_s cannot be negative').max(1e10, 'reads_per_s is too large'),
  growth_percent_per_month: z
    .number({ error: 'growth_percent_per_month must be a number' })
    .min(0, 'growth cannot be negative')
    .max(1000, 'growth must be at most 1,000 % a month')
    .default(0),
  months: z
    .number({ error: 'months must be a number' })
    .int('months must be a whole number')
    .min(0, 'months cannot be negative')
    .max(120, 'months must be at most 120')
    .default(12),
  data_gb: z
    .number({ error: 'data_gb must be a number' })
    .min(0, 'data_gb cannot be negative')
    .max(1e7, 'data_gb is too large')
    .optional()
    .describe('today; without it, users × the bytes per user measured on these shards'),
});
export type ShardAdviceInput = z.output<typeof ShardAdviceInput>;

/** One question of the decision tree, with the numbers that answered it. */
const Step = z.object({ question: z.string(), numbers: z.string(), answer: z.string() });

export const ShardAdvice = z
  .object({
    input: ShardAdviceInput.required({ growth_percent_per_month: true, months: true }).extend({ data_gb: z.number().nullable() }),
    measured: z
      .object({
        shard: z.string(),
        writes_per_s: z.number().describe('single-row INSERT commits per second one shard took here (4 connections, 1 s, WAL and fsync as configured)'),
        reads_per_s: z.number().describe('primary-key lookups per second one shard answered here (4 connections, 1 s)'),
        bytes_per_user: z.number().nullable().describe("the users table's size on the ring's shards over their users (null under 100 users)"),
        users_here: z.number(),
      })
      .describe('this lab, measured just now'),
    projected: z
      .object({ users: z.number(), writes_per_s: z.number(), reads_per_s: z.number(), data_gb: z.number().nullable() })
      .describe('at the horizon, growing at the given rate'),
    headroom: z.number().describe('the share of a measured ceiling a server is planned to run at'),
    max_gb_per_server: z.number().describe('a rule of thumb, not measured: one server must back up, restore and vacuum all of it'),
    verdict: z.enum(['one server', 'replicas', 'shard']),
    shards: z.number().describe('primaries the projected writes and data need'),
    replicas_per_shard: z.number().describe('read copies the projected reads need beyond the primaries'),
    original_row: z.string().describe("the original's table by users"),
    steps: z.array(Step).describe('the decision tree, question by question'),
  })
  .meta({ id: 'ShardAdvice' });
export type ShardAdvice = z.output<typeof ShardAdvice>;
