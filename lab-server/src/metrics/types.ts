import type { Percentiles } from './histogram.js';

/**
 * One second of the lab, as the `metrics` event channel and GET /lab/v1/metrics carry it. Stable contract
 * (documented in docs/events.md): times are Unix milliseconds, units are in the names, and a value that
 * could not be measured is null — never 0.
 */
export interface MetricsTick {
  ts_ms: number;
  interval_ms: number;
  api: ApiTick;
  shards: ShardTick[];
}

export interface ApiTick {
  /** Responses of the messenger API (`/api/…`) completed in the interval, per second. */
  requests_per_s: number;
  /** 5xx responses per second. */
  errors_per_s: number;
  /** 4xx responses per second (bad input, 404). */
  client_errors_per_s: number;
  /** Requests being handled at the end of the interval, over all workers. */
  in_flight: number;
  /** Of the interval's responses; null when there were none. */
  latency_ms: Percentiles | null;
  /** Processes serving /api/v1 (1, or LAB_WORKERS under prefork). */
  workers: number;
}

export interface ShardTick {
  id: number;
  name: string;
  status: 'starting' | 'up' | 'down' | 'paused';
  /** Transactions (commits + rollbacks) per second in the shard's database, from pg_stat_database; each API query is one. */
  queries_per_s: number | null;
  rows_read_per_s: number | null;
  rows_written_per_s: number | null;
  /** Share of block reads served from shared buffers in the interval (0..1); null when no block was read. */
  cache_hit_ratio: number | null;
  /** Server connections to the shard's database by state (pg_stat_activity), excluding the sampler's own. */
  connections: { active: number; idle: number; idle_in_transaction: number; total: number } | null;
  /** Live rows per table (pg_stat_user_tables.n_live_tup: the statistics' estimate, not a count). */
  rows: Record<string, number> | null;
  /** The lab's connection pool(s) to this shard, summed over workers. */
  pool: { size: number; idle: number; waiting: number };
  /** One entry per streaming replica attached to this shard (pg_stat_replication); empty when there are none. */
  replicas: { name: string; state: string; lag_ms: number | null; lag_bytes: number | null }[];
}
