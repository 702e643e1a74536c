import { z } from 'zod';

// Reply shapes of the metrics routes, following metrics/types.ts (the stable contract docs/events.md describes).

export const PercentilesSchema = z.object({ p50: z.number(), p90: z.number(), p95: z.number(), p99: z.number(), max: z.number() }).meta({ id: 'Percentiles' });

export const MetricsTickSchema = z
  .object({
    ts_ms: z.number(),
    interval_ms: z.number(),
    api: z.object({
      requests_per_s: z.number(),
      errors_per_s: z.number(),
      client_errors_per_s: z.number(),
      in_flight: z.number(),
      latency_ms: PercentilesSchema.nullable(),
      workers: z.number(),
    }),
    shards: z.array(
      z.object({
        id: z.number(),
        name: z.string(),
        status: z.enum(['starting', 'up', 'down', 'paused']),
        queries_per_s: z.number().nullable(),
        rows_read_per_s: z.number().nullable(),
        rows_written_per_s: z.number().nullable(),
        cache_hit_ratio: z.number().nullable(),
        connections: z.object({ active: z.number(), idle: z.number(), idle_in_transaction: z.number(), total: z.number() }).nullable(),
        rows: z.record(z.string(), z.number()).nullable(),
        pool: z.object({ size: z.number(), idle: z.number(), waiting: z.number() }),
        replicas: z.array(z.object({ name: z.string(), state: z.string(), lag_ms: z.number().nullable(), lag_bytes: z.number().nullable() })),
      }),
    ),
  })
  .meta({ id: 'MetricsTick' });
