import { z } from 'zod';
import { DDL_CHANGES } from '../../migration-drill/index.js';
import {
  AppRequestsReportSchema,
  DriftReportSchema,
  DrillActionSchema,
  DrillLockSchema,
  DrillModeSchema,
  DrillRunReportSchema,
  RenameModeSchema,
  RenameReportSchema,
} from '../../contracts/migration-drill.js';

export { AppRequestsReportSchema, DriftReportSchema, DrillLockSchema, DrillModeSchema, DrillRunReportSchema, RenameReportSchema };

const strictBody = (name: string) => ({
  error: (iss: { code?: string; keys?: string[] }) =>
    iss.code === 'unrecognized_keys' ? `unknown field(s): ${(iss.keys ?? []).join(', ')}` : `the body must be a JSON object (${name})`,
});

export const DrillRunBody = z.strictObject(
  {
    action: DrillActionSchema,
    mode: DrillModeSchema.default('advisory'),
    pause_s: z
      .number({ error: 'pause_s must be a number' })
      .min(0, 'pause_s must be at least 0')
      .max(5, 'pause_s must be at most 5')
      .default(0)
      .describe('slow motion: seconds each migration waits inside its Up, so the flow can be watched'),
  },
  strictBody('drill run'),
);
export const DrillFaultBody = z.strictObject(
  {
    shard: z.string({ error: 'shard is required (a name like shard-2)' }).min(1, 'shard is required'),
    migration: z.string({ error: 'migration is required (a drill migration name, e.g. 0003_index_priority)' }).min(1, 'migration is required'),
  },
  strictBody('fault'),
);
export const DrillCrashBody = z.strictObject({ mode: DrillModeSchema }, strictBody('crash'));
export const DrillFaultsQuery = z.object({ shard: z.string().min(1).optional().describe('only this shard (default: every shard)') });

const ShardLock = z.object({ shard: z.string(), lock: DrillLockSchema });

export const CrashReportSchema = z
  .object({
    mode: DrillModeSchema,
    during: z.array(ShardLock),
    killed: z.array(z.object({ shard: z.string(), pid: z.number(), migration: z.string().nullable() })),
    after: z.array(ShardLock),
    run: DrillRunReportSchema,
    verdict: z.string(),
  })
  .meta({ id: 'CrashReport' });

export const LockQueueReportSchema = z
  .object({
    shard: z.string(),
    ddl: z.string(),
    hold_ms: z.number(),
    lock_timeout_ms: z.number().nullable(),
    alter: z.object({ attempts: z.number(), waited_ms: z.number(), timeouts: z.number() }),
    reads: z.object({ count: z.number(), stalled: z.number(), max_ms: z.number(), p99_ms: z.number() }),
    lock_view: z.array(
      z.object({ pid: z.number(), role: z.enum(['long transaction', 'migration', 'reader']), waiting_for: z.array(z.number()), query: z.string() }),
    ),
    verdict: z.string(),
    under_load: z
      .object({ run_id: z.string(), from_s: z.number(), to_s: z.number() })
      .optional()
      .describe("the lab's load test the drill ran inside, and the drill's seconds on its timeline"),
  })
  .meta({ id: 'LockQueueReport' });

const DdlChangeSchema = z.enum(DDL_CHANGES, { error: `change must be one of ${DDL_CHANGES.join(', ')}` });

export const DdlReportSchema = z
  .object({
    shard: z.string(),
    change: DdlChangeSchema,
    sql: z.string(),
    rows: z.number().describe('rows in the probe table the change ran on'),
    ddl_ms: z.number().describe('from the first statement to the commit'),
    rewrote: z.boolean().describe("the table's file changed: every row was written again"),
    lock_mode: z.string().nullable().describe('the strongest lock the change held on the table; null when too brief to observe'),
    lock_blocks_writes: z.boolean().nullable(),
    writes: z.object({
      count: z.number(),
      usual_ms: z.number().describe('median insert before the change started'),
      during: z.number().describe('inserts that finished while the change ran'),
      blocked: z.number().describe('inserts in flight during the change that took ≥ 100 ms'),
      longest_ms: z.number().describe('the longest insert in flight during the change: how long writes were blocked'),
    }),
    writers_waited: z.boolean().describe("a writer was seen waiting for the change's session (pg_blocking_pids)"),
    verdict: z.string(),
  })
  .meta({ id: 'DdlReport' });

export const DdlBody = z.strictObject(
  {
    shard: z.string({ error: 'shard is required (a name like shard-0)' }).min(1, 'shard is required'),
    change: DdlChangeSchema,
    rows: z
      .number({ error: 'rows must be a number' })
      .int('rows must be a whole number')
      .min(10_000, 'rows must be at least 10,000')
      .max(2_000_000, 'rows must be at most 2,000,000')
      .default(200_000)
      .describe('rows in the probe table: the bigger, the longer a blocking change blocks'),
  },
  strictBody('schema change'),
);

export const DrillStatusSchema = z
  .object({
    migrations: z.array(z.string()),
    shards: z.array(
      z.object({
        shard: z.string(),
        error: z.string().nullable(),
        cells: z.array(
          z.object({
            migration: z.string(),
            state: z.enum(['applied', 'pending', 'failed', 'running']),
            run_on: z.string().nullable(),
            error: z.string().nullable(),
          }),
        ),
        applied: z.number(),
        faults: z.array(z.string()),
        lock: DrillLockSchema,
        phase: z
          .object({ step: z.enum(['connect', 'lock', 'apply', 'record', 'released', 'failed']), migration: z.string().nullable() })
          .nullable()
          .describe("where the newest run's runner is in its flow on this shard"),
      }),
    ),
    runs: z.array(DrillRunReportSchema).describe('the most recent runs, newest first'),
    last_crash: CrashReportSchema.nullable(),
    lock_queues: z.object({ plain: LockQueueReportSchema.nullable(), lock_timeout: LockQueueReportSchema.nullable() }),
    ddl: z
      .object(
        Object.fromEntries(DDL_CHANGES.map((c) => [c, DdlReportSchema.nullable()])) as Record<
          (typeof DDL_CHANGES)[number],
          z.ZodNullable<typeof DdlReportSchema>
        >,
      )
      .describe('the newest schema-change drill of each change'),
    requests: AppRequestsReportSchema.nullable().describe("the newest batch of the notes API's requests"),
    renames: z.object({ 'expand-contract': RenameReportSchema.nullable(), 'one-step': RenameReportSchema.nullable() }),
  })
  .meta({ id: 'DrillStatus' });

export const ProbeReportSchema = z
  .object({
    sql: z.string(),
    shards: z.array(z.object({ shard: z.string(), ok: z.boolean(), error: z.string().nullable(), ms: z.number() })),
  })
  .meta({ id: 'DrillProbe' });

export const LockQueueBody = z.strictObject(
  {
    shard: z.string({ error: 'shard is required (a name like shard-0)' }).min(1, 'shard is required'),
    hold_ms: z
      .number({ error: 'hold_ms must be a number' })
      .int('hold_ms must be whole milliseconds')
      .min(200, 'hold_ms must be at least 200')
      .max(10_000, 'hold_ms must be at most 10,000')
      .default(2_000)
      .describe('how long the long transaction stays open'),
    lock_timeout_ms: z
      .number({ error: 'lock_timeout_ms must be a number or null' })
      .int('lock_timeout_ms must be whole milliseconds')
      .min(10, 'lock_timeout_ms must be at least 10')
      .max(5_000, 'lock_timeout_ms must be at most 5,000')
      .nullable()
      .default(null)
      .describe('null: a plain ALTER that waits; else lock_timeout and retry'),
    under_load: z
      .boolean({ error: 'under_load must be true or false' })
      .default(false)
      .describe("run inside the lab's running load test (waits for its traffic to start; 409 no_loadtest when none runs)"),
  },
  strictBody('lock queue'),
);

export const DriftBody = z.strictObject(
  { shard: z.string().min(1, 'shard must name a shard').optional().describe('the shard to change (default: one at random, not said)') },
  strictBody('drift'),
);

export const DrillRequestsBody = z.strictObject(
  {
    app_version: z
      .number({ error: 'app_version must be a number' })
      .int('app_version must be 1, 2, 3 or 4')
      .min(1, 'app_version must be 1, 2, 3 or 4')
      .max(4, 'app_version must be 1, 2, 3 or 4')
      .optional()
      .describe('the app version whose requests to send (default: the one deployed now: 1, or 4 after a rename drill)'),
  },
  strictBody('requests'),
);

export const RenameBody = z.strictObject({ mode: RenameModeSchema }, strictBody('rename'));
