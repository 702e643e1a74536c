import { z } from 'zod';

/** Reply shapes of `/lab/v1/migration-drill` that both its routes and the `migrate drill` commands read. */

export const DrillModeSchema = z.enum(['advisory', 'faithful'], { error: 'mode must be advisory (the lab’s runner) or faithful (the original’s)' });
export const DrillActionSchema = z.enum(['up', 'down', 'latest'], { error: 'action must be up, down or latest' });

export const DrillLockSchema = z
  .object({
    row_locked: z.boolean().nullable().describe("the original's lock row (lab_drill.migration_lock.locked); null before the first drill run"),
    advisory_pid: z.number().nullable().describe("the backend holding the lab's advisory lock for the drill, or null"),
    runner_pids: z.array(z.number()).describe('drill runner sessions alive on the shard'),
  })
  .meta({ id: 'DrillLock' });

export const DrillRunReportSchema = z
  .object({
    action: DrillActionSchema,
    mode: DrillModeSchema,
    ok: z.boolean(),
    crash: z.boolean(),
    started_at: z.string(),
    ms: z.number(),
    shards: z.array(
      z.object({
        shard: z.string(),
        ran: z.array(z.object({ migration: z.string(), ms: z.number() })),
        failed: z.object({ migration: z.string().nullable(), message: z.string(), ms: z.number() }).nullable(),
        skipped: z.string().nullable(),
        ms: z.number(),
      }),
    ),
  })
  .meta({ id: 'DrillRunReport' });

export const AppRequestsReportSchema = z
  .object({
    app_version: z.number(),
    requests: z.array(
      z.object({
        shard: z.string(),
        method: z.enum(['GET', 'POST']),
        path: z.string(),
        status: z.number(),
        ok: z.boolean(),
        error: z.string().nullable().describe("the API's error message (names the shard and what its schema lacks)"),
        ms: z.number(),
      }),
    ),
    failed_shards: z.array(z.string()),
    verdict: z.string(),
  })
  .meta({ id: 'DrillAppRequests' });

export const RenameModeSchema = z.enum(['expand-contract', 'one-step'], { error: 'mode must be expand-contract or one-step' });

export const RenameReportSchema = z
  .object({
    mode: RenameModeSchema,
    steps: z.array(
      z.object({
        step: z.string(),
        did: z.string().describe('the SQL run on every shard, or the deploy'),
        app_version: z.number().describe('the app version deployed after this step'),
        ms: z.number(),
        requests: z.number().describe('notes API requests begun during the step'),
        failed: z.number(),
        errors: z.array(z.string()),
        ddl_tries: z.number().nullable().describe('tries the DDL needed on the slowest shard (lock_timeout 50 ms and retry)'),
      }),
    ),
    requests: z.number(),
    failed: z.number(),
    failed_by_shard: z.record(z.string(), z.number()),
    backfill: z.object({ batches: z.number(), rows: z.number() }).nullable(),
    verdict: z.string(),
  })
  .meta({ id: 'RenameReport' });

export const DriftReportSchema = z
  .object({
    shards: z.array(z.object({ shard: z.string(), error: z.string().nullable(), items: z.number(), differences: z.number() })),
    differences: z.array(
      z.object({
        shard: z.string(),
        kind: z.enum(['table', 'column', 'index', 'constraint', 'migration']),
        name: z.string(),
        problem: z
          .enum(['missing', 'extra', 'differs'])
          .describe('missing: the other shards have it; extra: only this shard has it; differs: another definition'),
        expected: z.string().nullable(),
        found: z.string().nullable(),
      }),
    ),
    verdict: z.string(),
  })
  .meta({ id: 'DriftReport' });
