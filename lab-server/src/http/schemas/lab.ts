import { z } from 'zod';
import { RESHARD_STEPS } from '../../resharding/steps.js';
import { SettingsSchema } from '../../lab/settings.js';

// The control API's reply shapes (`/lab/v1`), as zod: they document the routes and are what the browser lab's
// types are generated from (lab-ui/src/generated/api.ts), so they follow the services' TypeScript types field by field.

export const ShardName = z.string().describe('a shard name, e.g. shard-2');
export const JobId = z.string().describe('a job id (GET /lab/v1/jobs lists them)');

const Progress = z.object({ done: z.number(), total: z.number() });

export const JobSchema = z
  .object({
    id: z.string(),
    kind: z.string().describe('seed, add-shard, remove-shard, …'),
    state: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
    params: z.record(z.string(), z.unknown()),
    progress: Progress,
    phase: z
      .string()
      .optional()
      .describe(`the step a multi-step job is in (a reshard: ${RESHARD_STEPS.join(', ')}, …)`),
    waiting: z.string().optional().describe('set while the job holds before a step, until POST /lab/v1/jobs/{id}/continue'),
    notes: z.array(z.object({ at: z.string(), phase: z.string().nullable(), message: z.string() })).optional(),
    result: z.record(z.string(), z.unknown()).optional(),
    error: z.object({ message: z.string() }).optional(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: 'Job' });

export const JobAcceptedSchema = z.object({ job_id: z.string(), job: JobSchema }).meta({ id: 'JobAccepted' });

const ReplicaInfoSchema = z.object({
  name: z.string(),
  url: z.string(),
  role: z.literal('replica'),
  status: z.enum(['up', 'down']),
  pid: z.number().nullable(),
  lag_bytes: z.number().nullable(),
  lag_seconds: z.number().nullable(),
  state: z.string().nullable(),
});

export const ShardStatusSchema = z.enum(['starting', 'up', 'down', 'paused']).meta({ id: 'ShardStatus' });

export const ShardInfoSchema = z
  .object({
    id: z.number(),
    name: z.string(),
    url: z.string().describe('pastes into any PostgreSQL client'),
    role: z.literal('primary'),
    status: ShardStatusSchema,
    pid: z.number().nullable(),
    replicas: z.array(ReplicaInfoSchema),
    in_ring: z.boolean(),
  })
  .meta({ id: 'ShardInfo' });

export const ReadStatsSchema = z.object({
  policy: z.enum(['primary', 'replica', 'read-your-writes']),
  primary_reads: z.number(),
  replica_reads: z.number(),
  stale_reads: z.number().describe('replica reads that missed a row or a version the primary had'),
});

export const TopologySchema = z
  .object({
    mode: z.enum(['embedded', 'attached', 'external']),
    shards: z.array(ShardInfoSchema),
    ring: z.object({ strategy: z.string(), vnodes: z.number().nullable(), version: z.number(), shards: z.array(z.string()), shares: z.array(z.number()) }),
    ring_versions: z.array(z.object({ version: z.number(), shards: z.array(z.string()), reason: z.string(), created_at: z.string() })),
    jobs: z.array(JobSchema.pick({ id: true, kind: true, state: true, phase: true, progress: true, created_at: true, finished_at: true })),
    reads: ReadStatsSchema,
  })
  .meta({ id: 'Topology' });

export const RouteSchema = z
  .object({ key: z.string(), normalized_key: z.string(), hash: z.number(), vnode: z.string().nullable(), shard_id: z.number(), shard_name: z.string() })
  .meta({ id: 'Route' });

export const LabSettingsSchema = SettingsSchema.meta({ id: 'Settings' });

export const MigrationStatusSchema = z.object({
  shards: z.array(
    z.object({
      shard: z.string(),
      applied: z.array(z.object({ name: z.string(), run_on: z.string() })),
      pending: z.array(z.string()),
      error: z.string().nullable(),
    }),
  ),
});

export const MigrateReportSchema = z
  .object({
    action: z.enum(['up', 'down', 'latest']),
    ok: z.boolean(),
    shards: z.array(
      z.object({ shard: z.string(), ran: z.array(z.string()), error: z.object({ migration: z.string().nullable(), message: z.string() }).nullable() }),
    ),
  })
  .meta({ id: 'MigrateReport' });

export const OutboxBacklogSchema = z.object({
  total_pending: z.number(),
  shards: z.array(
    z.object({
      shard: z.string(),
      pending: z.number().nullable(),
      failing: z.number().nullable(),
      oldest_at: z.string().nullable(),
      last_error: z.string().nullable(),
    }),
  ),
});

const ShardSpecSchema = z.object({
  id: z.number(),
  name: z.string(),
  url: z.string(),
  port: z.number().nullable(),
  slot: z.union([z.literal(0), z.literal(1)]).optional(),
});

export const RingVersionsSchema = z.object({
  versions: z.array(
    z.object({
      version: z.number(),
      strategy: z.enum(['md5-ring', 'modulo']),
      vnodes: z.number().nullable(),
      shards: z.array(ShardSpecSchema),
      reason: z.string(),
      created_at: z.string(),
    }),
  ),
});

const ShardRef = z.object({ id: z.number(), name: z.string() });
const HashRange = z.object({ start: z.number(), end: z.number() });
const Share = z.object({ shard: z.string(), share: z.number() });

export const ReshardPlanSchema = z
  .object({
    shards_before: z.array(z.string()),
    shards_after: z.array(z.string()),
    tables: z.array(z.string()),
    moves: z.array(HashRange.extend({ from: ShardRef, to: ShardRef, rows: z.number() })),
    streams: z.array(z.object({ from: ShardRef, to: ShardRef, ranges: z.array(HashRange), rows: z.number() })),
    rows_by_table: z.record(z.string(), z.number()),
    total_rows: z.number(),
    moved_fraction: z.number(),
    shares_before: z.array(Share),
    shares_after: z.array(Share),
  })
  .meta({ id: 'ReshardPlan' });

export const PromotionReportSchema = z
  .object({
    kind: z.enum(['switchover', 'failover']),
    old_primary: z.object({ url: z.string(), pid: z.number().nullable(), data_dir: z.string(), status: ShardStatusSchema }),
    new_primary: z.object({ url: z.string(), pid: z.number().nullable(), data_dir: z.string() }),
    primary_lsn: z.string().nullable(),
    received_lsn: z.string(),
    last_known_lag_bytes: z.number().nullable(),
    shard: z.string(),
    ring_version: z.number(),
    pause_ms: z.number(),
    writes_at_risk: z.object({ count: z.number(), user_ids: z.array(z.string()) }),
  })
  .meta({ id: 'PromotionReport' });
