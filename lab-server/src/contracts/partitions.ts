import { z } from 'zod';

/**
 * The Partitioning chapter's request choices and reply shapes: the routes validate and document with them,
 * the commands parse the replies with them.
 */

/** `online`: the lab's way, nothing lost; `faithful`: the original's copy-then-rename swap, which loses the writes made during its copy. */
export const BUILD_MODES = ['online', 'faithful'] as const;
export const RETIRE_HOW = ['drop', 'delete'] as const;
/** How the original's start-up is replayed: `faithful` drops a table of the wrong count, `guarded` refuses. */
export const STARTUP_MODES = ['faithful', 'guarded'] as const;

/** A reply's rows per shard: the shard's name and `fields`. */
const perShard = <T extends z.ZodRawShape>(fields: T) => z.array(z.object({ shard_name: z.string(), ...fields }));

export const PartitionReportSchema = z
  .object({
    table: z.string(),
    shards: z.array(
      z.object({
        shard_name: z.string(),
        reachable: z.boolean(),
        partitioned: z.boolean(),
        modulus: z.number().nullable(),
        users_rows: z.number().describe("rows in the shard's users table, partitioned or not"),
        rows: z.number().describe('rows in its partitions: users_rows when partitioned, 0 when not'),
        last_build: z.string().nullable().describe('how the last build swapped the table on this shard (online, faithful, startup), null before any'),
        out_of_step: z
          .number()
          .describe("ids the last build's swap found in only one of the old and new tables, counted under its lock: writes lost plus deletes undone; 0 online"),
        partitions: z.array(
          z.object({
            name: z.string(),
            remainder: z.number().nullable(),
            bound: z.string(),
            rows: z.number().describe('counted now (GROUP BY tableoid)'),
            share: z.number().describe("of the shard's rows in the table, 0..1"),
            table_bytes: z.number(),
            index_bytes: z.number(),
          }),
        ),
        skew_pct: z.number().nullable().describe('how far the fullest partition is above the mean, in percent'),
        chi_square: z.number().nullable().describe('Pearson χ² against an even spread; about degrees_of_freedom when even'),
        degrees_of_freedom: z.number().nullable(),
        ring_hash_chi_square: z
          .number()
          .nullable()
          .describe("χ² had the partitions been ranges of the ring's own hash (ring_hash × N / 2³²): far above df, the two levels depend on each other"),
      }),
    ),
  })
  .meta({ id: 'PartitionReport' });

export const BuildReportSchema = z
  .object({
    partitions: z.number().nullable().describe('the new hash partition count; null when users became a plain table again'),
    mode: z.enum(BUILD_MODES),
    shards: perShard({
      rows_copied: z.number(),
      ms: z.number().describe('the whole build on this shard'),
      blocked_ms: z.number().describe("the longest time the shard's requests waited: online, held in the lab during the swap (or the trigger's creation)"),
      ids_lost: z.number().describe('ids in the live table at the swap but not in the new one: writes the copy missed, dropped with the old table'),
      ids_revived: z.number().describe('ids in the new table but deleted from the live one before the swap: deletes the copy undid'),
    }),
  })
  .meta({ id: 'PartitionBuild' });

export const PartitionsDroppedSchema = z.object({ shards: perShard({ dropped: z.boolean() }) });

export const PlanTouchSchema = z
  .object({
    query: z.string(),
    planned: z.array(z.string()).describe('partitions left in the plan after planning-time pruning'),
    scanned: z.array(z.string()).describe('partitions the executor read (run-time pruning skips planned ones)'),
    partitions_total: z.number(),
    planning_ms: z.number(),
    execution_ms: z.number(),
    plan: z.string(),
  })
  .meta({ id: 'PlanTouch' });

export const PruningReportSchema = z
  .object({
    shard_name: z.string(),
    id: z.string(),
    first_name: z.string(),
    by_id: PlanTouchSchema,
    by_id_runtime: PlanTouchSchema,
    by_name: PlanTouchSchema,
  })
  .meta({ id: 'PruningReport' });

export const MonthlyReportSchema = z
  .object({
    table: z.string(),
    shards: perShard({
      reachable: z.boolean(),
      built: z.boolean().describe('whether messages is partitioned by month on this shard'),
      first_month: z.string().nullable().describe('YYYY-MM: the first month it was partitioned with, retired or not'),
      messages_rows: z.number().describe("rows in the shard's messages table"),
      partitions: z.array(
        z.object({
          name: z.string(),
          month: z.string().nullable().describe('YYYY-MM; null for the DEFAULT partition'),
          bound: z.string(),
          rows: z.number().describe('counted now (GROUP BY tableoid)'),
          bytes: z.number().describe('pg_total_relation_size: table and indexes'),
        }),
      ),
    }),
  })
  .meta({ id: 'MonthlyReport' });

export const MonthlyBuildSchema = z
  .object({
    months: z.array(z.string()),
    shards: perShard({ rows_copied: z.number(), ms: z.number() }),
  })
  .meta({ id: 'MonthlyBuild' });

export const RetireReportSchema = z
  .object({
    month: z.string(),
    how: z.enum(RETIRE_HOW),
    shards: perShard({
      rows: z.number().describe("the month's rows on this shard, removed"),
      ms: z.number().describe('the DROP (detach + drop) or the DELETE'),
      wal_bytes: z.number().describe('WAL the shard wrote meanwhile (pg_wal_lsn_diff)'),
      bytes_freed: z.number().describe("bytes the month's partition gave back: all of them for a drop, about none for a delete"),
      partition_left: z.boolean().describe('whether the partition is still there (a delete leaves it, with dead tuples)'),
    }),
  })
  .meta({ id: 'RetireReport' });

export const StartupReportSchema = z
  .object({
    mode: z.enum(STARTUP_MODES),
    expected: z.number().describe('the partition count start-up expects: 8'),
    shards: perShard({
      found: z.number().nullable().describe('the partition count found; null when users is a plain table'),
      action: z.enum(['kept', 'dropped']).describe('dropped: users was dropped and made again, empty (its accounts and inbox rows with it)'),
      rows_before: z.number(),
      rows_after: z.number(),
    }),
  })
  .meta({ id: 'StartupReplay' });
