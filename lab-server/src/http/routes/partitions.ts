import { z } from 'zod';
import type { ApiRouter } from '../api-router.js';
import type { Lab } from '../../lab/lab.js';
import { JobSchema } from '../schemas/lab.js';
import {
  BUILD_MODES,
  BuildReportSchema,
  MonthlyBuildSchema,
  MonthlyReportSchema,
  PartitionReportSchema,
  PartitionsDroppedSchema,
  PruningReportSchema,
  RETIRE_HOW,
  RetireReportSchema,
  STARTUP_MODES,
  StartupReportSchema,
} from '../../contracts/partitions.js';
import { buildMonthly, inspectMonthly, MAX_MONTHS_AHEAD, MONTH, retireMonth, unpartitionMessages } from '../../partitioning/messages-monthly.js';
import { explainPruning } from '../../partitioning/pruning.js';
import { replayStartup } from '../../partitioning/startup-replay.js';
import { inspectPartitions } from '../../partitioning/users-inspector.js';
import { buildPartitions, dropPartitions, MAX_PARTITIONS, MIN_PARTITIONS } from '../../partitioning/users-partitioned.js';

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

/** The build runs as a job; its result, once it has succeeded, is a PartitionBuild (documented here so clients get the type). */
const RepartitionAcceptedSchema = z
  .object({
    job_id: z.string(),
    job: JobSchema.extend({
      result: z
        .union([
          BuildReportSchema,
          z.object({
            partitions: z.number().nullable(),
            mode: z.enum(BUILD_MODES),
            left_behind: z.number().describe('tables, triggers and functions of the build still on the shards after a cancel: 0'),
          }),
        ])
        .optional()
        .describe('a PartitionBuild once succeeded; after a cancel, what was left behind'),
    }),
  })
  .meta({ id: 'RepartitionAccepted' });

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

const StartupBody = z.strictObject(
  {
    mode: z
      .enum(STARTUP_MODES, { error: `mode must be one of ${STARTUP_MODES.join(', ')}` })
      .describe("faithful: the original's start-up, which drops the table when its partition count is not 8; guarded: the lab's, which refuses"),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);

/** `/lab/v1/partitions`: the Partitioning chapter's hash-partitioned users inside every shard: build, inspect, turn back, and pruning. */
export function partitionRoutes(api: ApiRouter, lab: Pick<Lab, 'cluster' | 'jobs'>): void {
  api.add(
    {
      method: 'get',
      path: '/partitions',
      tag: 'lab: partitioning',
      summary: 'Per shard, each hash partition of users: rows (counted now), size and index size from the catalog, share, skew, and what the last build lost',
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
        "Rebuild the messenger's users on every shard as PARTITION BY HASH (id) into N partitions, while it takes writes: online (mirror, copy in batches, short swap), or the original's faithful swap",
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
      summary: 'Turn a hash-partitioned users (online) and a month-partitioned messages back into plain tables on every shard; no row is lost',
      responses: {
        200: { description: 'which shards had users partitioned', schema: PartitionsDroppedSchema },
      },
    },
    async ({ res }) => {
      const dropped = await dropPartitions(lab.cluster);
      await unpartitionMessages(lab.cluster);
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
      summary: "Per shard, each month partition of the messenger's messages once partitioned (PARTITION BY RANGE (created_at)): bound, rows counted now, bytes",
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
        "Partition the messenger's messages by month on every shard (or rebuild its months): one partition per month from the oldest message, months_ahead more, a DEFAULT; the API keeps using it",
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
      summary: 'Retire one month of messages on every shard, by DROP of its partition or by DELETE of its rows: time, WAL and bytes freed, measured',
      body: RetireBody,
      bodyName: 'retire request',
      responses: {
        200: { description: 'per shard: rows, time, WAL written, bytes freed', schema: RetireReportSchema },
        400: { description: 'validation_failed: how missing or unknown, month not YYYY-MM' },
        409: { description: 'not_partitioned (partition messages by month first) or no_such_month' },
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
        "Replay the original's start-up on users: faithful drops and recreates it empty (its accounts and inbox rows with it) where the partition count is not 8; guarded refuses",
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
