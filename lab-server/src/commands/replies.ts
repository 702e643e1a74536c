import { z } from 'zod';
import { RingChangeSchema } from '../sharding/ring-view.js';
import { CpuSplitSchema, RunMarkSchema } from '../contracts/loadtests.js';

/**
 * The parts of the lab's replies that commands read. Objects are not strict: the API may add fields, and a
 * command should not break on one it does not show.
 */
const count = z.number();
const Percentiles = z.object({ p50: z.number(), p90: z.number(), p95: z.number(), p99: z.number(), max: z.number() }).partial().nullable();

export const JobView = z.object({
  id: z.string(),
  kind: z.string(),
  state: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  progress: z.object({ done: count, total: count }),
  phase: z.string().optional(),
  waiting: z.string().optional(),
  notes: z.array(z.object({ phase: z.string().nullable(), message: z.string() })).optional(),
  result: z.record(z.string(), z.unknown()).optional(),
  error: z.object({ message: z.string() }).optional(),
  created_at: z.string(),
});
export type JobView = z.output<typeof JobView>;
export const JobList = z.object({ jobs: z.array(JobView) });
export const JobStarted = z.object({ job_id: z.string() });

export const ShardStats = z.object({
  total_users: count,
  shard_count: count,
  shards: z.array(z.object({ shard_name: z.string(), user_count: count.nullable(), healthy: z.boolean() })),
});
export type ShardStats = z.output<typeof ShardStats>;

export const Topology = z.object({
  shards: z.array(z.object({ name: z.string(), url: z.string(), status: z.string(), pid: z.number().nullable(), in_ring: z.boolean() })),
  ring: z.object({ strategy: z.string(), vnodes: z.number().nullable(), version: z.number(), shards: z.array(z.string()), shares: z.array(z.number()) }),
});
export type Topology = z.output<typeof Topology>;

export const Placement = z.object({
  total_misplaced: count,
  shards: z.array(z.object({ shard_name: z.string(), misplaced: count })),
});

export const Route = z.object({
  key: z.string(),
  normalized_key: z.string(),
  hash: z.number(),
  vnode: z.string().nullable(),
  shard_name: z.string(),
});

export const RingView = z.object({
  strategy: z.string(),
  shards: z.array(z.string()),
  vnodes: z.number().nullable(),
  shares: z.array(z.number()),
  change: RingChangeSchema.nullable(),
});

export const RingVersions = z.object({
  versions: z.array(
    z.object({
      version: z.number(),
      strategy: z.string(),
      vnodes: z.number().nullable(),
      shards: z.array(z.object({ name: z.string() })),
      reason: z.string(),
      created_at: z.string(),
    }),
  ),
});

export const ShardHealth = z.object({
  healthy: z.boolean(),
  shards: z.array(
    z.object({
      shard_name: z.string(),
      healthy: z.boolean(),
      latency_ms: z.number().nullable(),
      users: z.number().nullable(),
      error: z.string().nullable(),
      replicas: z.array(
        z.object({
          name: z.string(),
          state: z.string().nullable(),
          lag_bytes: z.number().nullable(),
          users: z.number().nullable(),
          matches_primary: z.boolean(),
        }),
      ),
    }),
  ),
});

export const MigrationStatus = z.object({
  shards: z.array(
    z.object({ shard: z.string(), applied: z.array(z.object({ name: z.string() })), pending: z.array(z.string()), error: z.string().nullable().optional() }),
  ),
});
export const MigrationReport = z.object({
  ok: z.boolean().optional(),
  shards: z.array(z.object({ shard: z.string(), ran: z.array(z.string()), error: z.object({ message: z.string() }).nullable().optional() })),
});

const Stream = z.object({ from: z.object({ name: z.string() }), to: z.object({ name: z.string() }), ranges: z.array(z.unknown()), rows: count });
const Share = z.object({ shard: z.string(), share: z.number() });
export const ReshardPlan = z.object({
  shards_before: z.array(z.string()),
  shards_after: z.array(z.string()),
  tables: z.array(z.string()),
  streams: z.array(Stream),
  total_rows: count,
  moved_fraction: z.number(),
  shares_before: z.array(Share),
  shares_after: z.array(Share),
});
export type ReshardPlan = z.output<typeof ReshardPlan>;

/** What a finished add or remove job reports (`result`). */
export const ReshardResult = z.object({
  pause_ms: z.number().optional(),
  verify_pause_ms: z.number().optional(),
  ring_version: z.number().optional(),
  orphaned_rows: z.number().optional(),
  reverted: z.boolean().optional(),
});

export const SeedResult = z.object({
  per_shard: z.array(z.object({ shard_name: z.string(), users: count, conversations: count, messages: count })),
  seconds: z.number(),
  rows_per_s: z.number(),
});

export const ShardProcess = z.object({ name: z.string(), status: z.string(), pid: z.number().nullable() });
export const ReplicaAdded = z.object({ name: z.string(), replicas: z.array(z.object({ name: z.string(), url: z.string(), pid: z.number().nullable() })) });
export const Promotion = z.object({
  shard: z.string(),
  kind: z.string(),
  old_primary: z.object({ url: z.string() }),
  new_primary: z.object({ url: z.string() }),
  ring_version: z.number(),
  pause_ms: z.number(),
  received_lsn: z.string(),
  writes_at_risk: z.object({ count: count, user_ids: z.array(z.string()) }),
});

export const User = z.object({ id: z.string(), first_name: z.string(), last_name: z.string(), email: z.string().nullable().optional() });

export const LoadSummary = z.object({
  requests: count,
  errors: count,
  timeouts: count,
  socket_errors: count,
  non2xx: count,
  duration_s: z.number(),
  requests_per_s: z.number(),
  latency_ms: Percentiles,
  status_codes: z.record(z.string(), count),
  ops: z.record(
    z.string(),
    z.object({ share: z.number(), expected_share: z.number(), requests: count, errors: count, statuses: z.record(z.string(), count), latency_ms: Percentiles }),
  ),
  stopped_early: z.boolean(),
  cpu: CpuSplitSchema.nullable().optional(),
});
export type LoadSummary = z.output<typeof LoadSummary>;

export const RunView = z.object({
  id: z.string(),
  scenario: z.string(),
  state: z.string(),
  params: z.object({ connections: count, duration_s: z.number(), rate: z.number().nullable() }),
  target: z.string(),
  notes: z.array(z.string()),
  progress: z
    .object({
      elapsed_s: z.number(),
      duration_s: z.number(),
      phase: z.string().nullable(),
      connections: count,
      requests: count,
      errors: count,
      requests_per_s: z.number(),
      latency_ms: Percentiles,
    })
    .nullable(),
  summary: LoadSummary.nullable(),
  error: z.string().nullable(),
  created_at: z.string(),
  marks: z.array(RunMarkSchema).optional(),
});
export type RunView = z.output<typeof RunView>;
export const RunStarted = z.object({ id: z.string(), run: RunView });
export const RunList = z.object({ runs: z.array(RunView) });
export const Scenarios = z.object({ scenarios: z.array(z.object({ name: z.string(), title: z.string(), description: z.string() })) });
export const Comparison = z.object({
  a: RunView,
  b: RunView,
  metrics: z.array(z.object({ name: z.string(), a: z.number().nullable(), b: z.number().nullable(), ratio: z.number().nullable() })),
});

export const SqlRun = z.object({
  shard: z.string(),
  duration_ms: z.number(),
  results: z.array(
    z.object({ command: z.string(), fields: z.array(z.string()), rows: z.array(z.array(z.string())), row_count: count, truncated: z.boolean() }),
  ),
});
export type SqlRun = z.output<typeof SqlRun>;

export const Tuning = z.object({
  shards: z.array(
    z.object({
      shard: z.string(),
      parameters: z.array(z.object({ name: z.string(), setting: z.string(), source: z.string(), pending_restart: z.boolean() })),
    }),
  ),
});

const TraceSpan = z.object({
  span_id: z.string(),
  parent_id: z.string().nullable(),
  name: z.string(),
  start_ms: z.number(),
  duration_ms: z.number(),
  status: z.enum(['ok', 'error']),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export const Trace = z.object({
  trace_id: z.string(),
  source: z.enum(['asked', 'sampled']),
  name: z.string(),
  started_at: z.string(),
  duration_ms: z.number(),
  status_code: z.number().nullable(),
  spans: z.array(TraceSpan),
});
export type Trace = z.output<typeof Trace>;
export const TraceList = z.object({ kept: z.number(), sample_percent: z.number(), traces: z.array(Trace) });
export const TraceSampling = z.object({ percent: z.number(), kept: z.number(), sampled: z.number() });
export const TracedRequest = z.object({ response: z.object({ status: z.number(), shard: z.string().nullable(), body: z.unknown() }), trace: Trace });
export const ScenarioRun = z.object({ scenarios: z.array(TracedRequest.extend({ scenario: z.string() })) });

export const IdAnatomy = z.object({
  id: z.string(),
  version: z.number(),
  variant_bits: z.string(),
  unix_ms: z.number().nullable(),
  time: z.string().nullable(),
  fields: z.array(z.object({ name: z.string(), hex: z.string(), bits: z.number() })),
  random_bits: z.number(),
});

const LocalityRun = z.object({
  kind: z.string(),
  rows: z.number(),
  index_pages: z.number(),
  rows_per_page: z.number(),
  rows_per_s: z.number(),
});
export const IdLocality = z.object({
  shard: z.string(),
  rows: z.number(),
  batch: z.number(),
  runs: z.array(LocalityRun),
  v4_extra_pages_percent: z.number(),
  v7_rate_ratio: z.number(),
});

export { KeyFate, WritePauses } from '../contracts/key-fate.js';

export const Knobs = z.object({
  knobs: z.array(
    z.object({
      name: z.string(),
      kind: z.string(),
      value: z.string(),
      default: z.string(),
      changed: z.boolean(),
      applies: z.string(),
      set_here: z.string(),
      original: z.string(),
    }),
  ),
});
