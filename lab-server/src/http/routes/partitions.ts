import { z } from 'zod';
import type { ApiRouter } from '../api-router.js';
import type { Lab } from '../../lab/lab.js';
import { JobSchema } from '../schemas/lab.js';
import { buildMonthly, dropMonthly, inspectMonthly, MAX_MONTHS_AHEAD, MONTH, RETIRE_HOW, retireMonth } from '../../partitioning/messages-monthly.js';
import { explainPruning } from '../../partitioning/pruning.js';
import { replayStartup, STARTUP_MODES } from '../../partitioning/startup-replay.js';
import { BUILD_MODES, buildPartitions, dropPartitions, inspectPartitions, MAX_PARTITIONS, MIN_PARTITIONS } from '../../partitioning/users-partitioned.js';

const BuildBody = z.strictObject(
  {
    partitions: z
      .number({ error: 'partitions is required: a whole number' })
      .int('partitions must be a whole number')
      .min(MIN_PARTITIONS, `partitions must be at least ${MIN_PARTITIONS}`)
      .max(MAX_PARTITIONS, `partitions must be at most ${MAX_PARTITIONS}`),
    mode: z
      .enum(BUILD_MODES, { error: `mode must be one of ${BUILD_MODES.join(', ')}` })
      .default('online')
      .describe(
        "online (default): mirror writes, copy in batches, swap in a short transaction; faithful: the original's copy-then-rename, which loses writes made during the copy",
      ),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);

const PruningQuery = z.strictObject(
  {
    shard: z.string({ error: 'shard is required (a name like shard-0)' }).min(1, 'shard is required'),
    id: z.uuid('id must be a UUID').optional(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown parameter(s): ${iss.keys.join(', ')}` : 'bad query') },
);

const PartitionReportSchema = z
  .object({
    table: z.string(),
    shards: z.array(
      z.object({
        shard_name: z.string(),
        reachable: z.boolean(),
        partitioned: z.boolean(),
        modulus: z.number().nullable(),
        users_rows: z.number().describe("rows in the shard's plain users table: equal to rows while the copy is in step"),
        rows: z.number(),
        out_of_step: z.number().describe('ids in users or the copy but not both, compared in one snapshot: 0 when no write was lost'),
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

const BuildReportSchema = z
  .object({
    partitions: z.number(),
    mode: z.enum(BUILD_MODES),
    shards: z.array(
      z.object({
        shard_name: z.string(),
        rows_copied: z.number(),
        ms: z.number().describe('the whole build on this shard'),
        blocked_ms: z.number().describe("the swap: how long the shard's writes to users waited"),
      }),
    ),
  })
  .meta({ id: 'PartitionBuild' });

/** The build runs as a job; its result, once it has succeeded, is a PartitionBuild (documented here so clients get the type). */
const RepartitionAcceptedSchema = z
  .object({
    job_id: z.string(),
    job: JobSchema.extend({
      result: z
        .union([
          BuildReportSchema,
          z.object({
            partitions: z.number(),
            mode: z.enum(BUILD_MODES),
            left_behind: z.number().describe('tables, triggers and functions of the build still on the shards after a cancel: 0'),
          }),
        ])
        .optional()
        .describe('a PartitionBuild once succeeded; after a cancel, what was left behind'),
    }),
  })
  .meta({ id: 'RepartitionAccepted' });

const PlanTouchSchema = z
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

const PruningReportSchema = z
  .object({
    shard_name: z.string(),
    id: z.string(),
    first_name: z.string(),
    by_id: PlanTouchSchema,
    by_id_runtime: PlanTouchSchema,
    by_name: PlanTouchSchema,
  })
  .meta({ id: 'PruningReport' });

const MonthlyBuildBody = z.strictObject(
  {
    months_ahead: z
      .number({ error: 'months_ahead must be a whole number' })
      .int('months_ahead must be a whole number')
      .min(0, 'months_ahead must be at least 0')
      .max(MAX_MONTHS_AHEAD, `months_ahead must be at most ${MAX_MONTHS_AHEAD}`)
      .default(3)
      .describe("empty partitions created ahead of the current month, so next month's rows have somewhere to go"),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);

const RetireBody = z.strictObject(
  {
    how: z
      .enum(RETIRE_HOW, { error: `how must be one of ${RETIRE_HOW.join(', ')}` })
      .describe("drop: DETACH PARTITION and DROP TABLE; delete: DELETE the month's rows, leaving its partition and dead tuples"),
    month: z.string().regex(MONTH, 'month must look like 2025-11').optional().describe('YYYY-MM (UTC); the oldest month partition when absent'),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);

const MonthlyReportSchema = z
  .object({
    table: z.string(),
    shards: z.array(
      z.object({
        shard_name: z.string(),
        reachable: z.boolean(),
        built: z.boolean(),
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
    ),
  })
  .meta({ id: 'MonthlyReport' });

const MonthlyBuildSchema = z
  .object({
    months: z.array(z.string()),
    shards: z.array(z.object({ shard_name: z.string(), rows_copied: z.number(), ms: z.number() })),
  })
  .meta({ id: 'MonthlyBuild' });

const RetireReportSchema = z
  .object({
    month: z.string(),
    how: z.enum(RETIRE_HOW),
    shards: z.array(
      z.object({
        shard_name: z.string(),
        rows: z.number().describe("the month's rows on this shard, removed"),
        ms: z.number().describe('the DROP (detach + drop) or the DELETE'),
        wal_bytes: z.number().describe('WAL the shard wrote meanwhile (pg_wal_lsn_diff)'),
        bytes_freed: z.number().describe("bytes the month's partition gave back: all of them for a drop, about none for a delete"),
        partition_left: z.boolean().describe('whether the partition is still there (a delete leaves it, with dead tuples)'),
      }),
    ),
  })
  .meta({ id: 'RetireReport' });

const StartupBody = z.strictObject(
  {
    mode: z
      .enum(STARTUP_MODES, { error: `mode must be one of ${STARTUP_MODES.join(', ')}` })
      .describe("faithful: the original's start-up, which drops the table when its partition count is not 8; guarded: the lab's, which refuses"),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);

const StartupReportSchema = z
  .object({
    mode: z.enum(STARTUP_MODES),
    expected: z.number().describe('the partition count start-up expects: 8'),
    shards: z.array(
      z.object({
        shard_name: z.string(),
        found: z.number().nullable().describe('the partition count found; null without users_partitioned'),
        action: z.enum(['kept', 'dropped']).describe('dropped: the table was dropped and made again, empty'),
        rows_before: z.number(),
        rows_after: z.number(),
      }),
    ),
  })
  .meta({ id: 'StartupReplay' });

/** `/lab/v1/partitions`: the Partitioning chapter's hash-partitioned users inside every shard: build, inspect, drop, and pruning. */
export function partitionRoutes(api: ApiRouter, lab: Pick<Lab, 'cluster' | 'jobs'>): void {
  api.add(
    {
      method: 'get',
      path: '/partitions',
      tag: 'lab: partitioning',
      summary: 'Per shard, each partition of users_partitioned: rows (counted now), size and index size from the catalog, share, skew',
      responses: { 200: { description: 'the partitions', schema: PartitionReportSchema } },
    },
    async ({ res }) => {
      res.json(await inspectPartitions(lab.cluster));
    },
  );
  api.add(
    {
      method: 'post',
      path: '/partitions',
      tag: 'lab: partitioning',
      summary:
        "Build (or rebuild) users_partitioned on every shard: PARTITION BY HASH (id) into N partitions, a copy of users kept in step by a trigger; online, or the original's faithful swap",
      body: BuildBody,
      bodyName: 'partition build',
      responses: {
        202: {
          description:
            'started; Location: the job (kind repartition). Its progress counts rows copied; cancelling it before the swap removes what it built on every shard; its result is a PartitionBuild',
          schema: RepartitionAcceptedSchema,
        },
        400: { description: 'validation_failed: partitions missing or outside 2..64, or an unknown mode' },
      },
    },
    ({ res, body }) => {
      const job = lab.jobs.submit('repartition', body, 0, async (ctx) => ({ ...(await buildPartitions(lab.cluster, body.partitions, body.mode, ctx)) }));
      res.status(202).location(`/lab/v1/jobs/${job.id}`).json({ job_id: job.id, job });
    },
  );
  api.add(
    {
      method: 'delete',
      path: '/partitions',
      tag: 'lab: partitioning',
      summary: 'Drop users_partitioned (its partitions and trigger) and messages_monthly from every shard (users and messages are untouched)',
      responses: {
        200: { description: 'which shards had it', schema: z.object({ shards: z.array(z.object({ shard_name: z.string(), dropped: z.boolean() })) }) },
      },
    },
    async ({ res }) => {
      const dropped = await dropPartitions(lab.cluster);
      await dropMonthly(lab.cluster);
      res.json(dropped);
    },
  );
  api.add(
    {
      method: 'get',
      path: '/partitions/pruning',
      tag: 'lab: partitioning',
      summary: 'EXPLAIN ANALYZE on one shard of a user looked up by id, by an id known only at run time, and by first name: the partitions each reads',
      query: PruningQuery,
      responses: {
        200: { description: 'the three plans', schema: PruningReportSchema },
        400: { description: 'validation_failed: no such shard, or id is not a UUID' },
        409: { description: 'not_partitioned or no_rows: build the partitions, or seed users, first' },
      },
    },
    async ({ res, query }) => {
      res.json(await explainPruning(lab.cluster, query.shard, query.id));
    },
  );
  api.add(
    {
      method: 'get',
      path: '/partitions/months',
      tag: 'lab: partitioning',
      summary: 'Per shard, each month partition of messages_monthly (PARTITION BY RANGE (created_at)): bound, rows counted now, bytes',
      responses: { 200: { description: 'the month partitions', schema: MonthlyReportSchema } },
    },
    async ({ res }) => {
      res.json(await inspectMonthly(lab.cluster));
    },
  );
  api.add(
    {
      method: 'post',
      path: '/partitions/months',
      tag: 'lab: partitioning',
      summary:
        'Build (or rebuild) messages_monthly on every shard: one partition per month from the oldest message, months_ahead more, a DEFAULT; a copy of messages',
      body: MonthlyBuildBody,
      bodyName: 'monthly build',
      responses: {
        200: { description: 'the months and the rows copied per shard', schema: MonthlyBuildSchema },
        400: { description: 'validation_failed: months_ahead outside 0..24, or an unknown field' },
      },
    },
    async ({ res, body }) => {
      res.json(await buildMonthly(lab.cluster, body.months_ahead));
    },
  );
  api.add(
    {
      method: 'post',
      path: '/partitions/months/retire',
      tag: 'lab: partitioning',
      summary: 'Retire one month of messages_monthly on every shard, by DROP of its partition or by DELETE of its rows: time, WAL and bytes freed, measured',
      body: RetireBody,
      bodyName: 'retire request',
      responses: {
        200: { description: 'per shard: rows, time, WAL written, bytes freed', schema: RetireReportSchema },
        400: { description: 'validation_failed: how missing or unknown, month not YYYY-MM' },
        409: { description: 'not_partitioned (build messages_monthly first) or no_such_month' },
      },
    },
    async ({ res, body }) => {
      res.json(await retireMonth(lab.cluster, body.how, body.month));
    },
  );
  api.add(
    {
      method: 'post',
      path: '/partitions/startup',
      tag: 'lab: partitioning',
      summary:
        "Replay the original's start-up on users_partitioned (never users): faithful drops and recreates it empty where the partition count is not 8; guarded refuses",
      body: StartupBody,
      bodyName: 'start-up replay',
      responses: {
        200: { description: 'per shard: the count found, what start-up did, the rows before and after', schema: StartupReportSchema },
        400: { description: 'validation_failed: mode missing or unknown' },
        409: { description: 'partition_count_differs (guarded): a shard has another count; nothing changed' },
      },
    },
    async ({ res, body }) => {
      res.json(await replayStartup(lab.cluster, body.mode));
    },
  );
}
