import { collectDefaultMetrics, Registry } from 'prom-client';

type MetricType = 'counter' | 'gauge' | 'histogram';
import { DURATION_BUCKETS_S } from './api-recorder.js';
import type { ReadStats } from '../cluster/reads.js';
import type { Metrics } from './metrics.js';

interface Sample {
  value: number;
  labels?: Record<string, string | number>;
  metricName?: string;
}

/**
 * A metric whose values are read from the lab's own state when scraped. prom-client formats it; the
 * numbers come from Metrics, which already aggregates the workers (prom-client's own metric objects
 * would need an observe() per request on the hot path and a round trip to every worker per scrape).
 */
function collected(name: string, help: string, type: MetricType, values: () => Sample[]) {
  return {
    name,
    help,
    type,
    aggregator: 'sum' as const,
    get: async () => ({ name, help, type, aggregator: 'sum' as const, values: values() }),
    reset: () => undefined,
  };
}

/** The registry behind `GET /metrics`: the lab's API and shard numbers plus Node's process metrics. */
export function prometheusRegistry(metrics: Metrics, loadtestRunning: () => boolean, reads: () => ReadStats): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'lab_' });
  const latest = () => metrics.latest();
  const shards = () => latest()?.shards ?? [];
  const perShard = (get: (s: NonNullable<ReturnType<typeof latest>>['shards'][number]) => number | null | undefined, extra?: Record<string, string>) => () =>
    shards().flatMap((s) => {
      const v = get(s);
      return v === null || v === undefined ? [] : [{ value: v, labels: { shard: s.name, ...extra } }];
    });
  const metricsList = [
    collected('lab_http_requests_total', 'HTTP requests answered by the lab, by route pattern and status.', 'counter', () =>
      [...metrics.routeTotals.values()].flatMap((r) =>
        [...r.statuses].map(([status, n]) => ({ value: n, labels: { method: r.method, route: r.route, status } })),
      ),
    ),
    collected('lab_http_request_duration_seconds', 'Time to answer an HTTP request, by route pattern.', 'histogram', () =>
      [...metrics.routeTotals.values()].flatMap((r) => {
        const labels = { method: r.method, route: r.route };
        let cumulative = 0;
        const buckets: Sample[] = DURATION_BUCKETS_S.map((le, i) => {
          cumulative += r.buckets[i]!;
          return { metricName: 'lab_http_request_duration_seconds_bucket', value: cumulative, labels: { ...labels, le } };
        });
        const count = cumulative + r.buckets[DURATION_BUCKETS_S.length]!;
        return [
          ...buckets,
          { metricName: 'lab_http_request_duration_seconds_bucket', value: count, labels: { ...labels, le: '+Inf' } },
          { metricName: 'lab_http_request_duration_seconds_sum', value: r.sum_s, labels },
          { metricName: 'lab_http_request_duration_seconds_count', value: count, labels },
        ];
      }),
    ),
    collected('lab_http_requests_in_flight', 'Messenger API requests being handled now, over all workers.', 'gauge', () => [
      { value: latest()?.api.in_flight ?? 0 },
    ]),
    collected('lab_api_workers', 'Processes serving /api/v1.', 'gauge', () => [{ value: latest()?.api.workers ?? 1 }]),
    collected('lab_shard_up', '1 when the shard answers its health check.', 'gauge', () =>
      shards().map((s) => ({ value: s.status === 'up' ? 1 : 0, labels: { shard: s.name } })),
    ),
    collected('lab_shard_transactions_total', 'Transactions committed or rolled back in the shard database (pg_stat_database).', 'counter', () =>
      [...metrics.shardTotals].flatMap(([shard, t]) => (t ? [{ value: t.xacts, labels: { shard } }] : [])),
    ),
    collected('lab_shard_rows_read_total', 'Rows returned or fetched in the shard database (pg_stat_database).', 'counter', () =>
      [...metrics.shardTotals].flatMap(([shard, t]) => (t ? [{ value: t.rows_read, labels: { shard } }] : [])),
    ),
    collected('lab_shard_rows_written_total', 'Rows inserted, updated or deleted in the shard database (pg_stat_database).', 'counter', () =>
      [...metrics.shardTotals].flatMap(([shard, t]) => (t ? [{ value: t.rows_written, labels: { shard } }] : [])),
    ),
    collected(
      'lab_shard_queries_per_second',
      'Transactions per second over the last second.',
      'gauge',
      perShard((s) => s.queries_per_s),
    ),
    collected(
      'lab_shard_cache_hit_ratio',
      'Share of block reads served from shared buffers over the last second.',
      'gauge',
      perShard((s) => s.cache_hit_ratio),
    ),
    collected('lab_shard_connections', 'Server connections to the shard database by state (pg_stat_activity).', 'gauge', () =>
      shards().flatMap((s) =>
        s.connections
          ? (['active', 'idle', 'idle_in_transaction'] as const).map((state) => ({ value: s.connections![state], labels: { shard: s.name, state } }))
          : [],
      ),
    ),
    collected('lab_shard_rows', 'Live rows per table (pg_stat_user_tables.n_live_tup, an estimate).', 'gauge', () =>
      shards().flatMap((s) => Object.entries(s.rows ?? {}).map(([table, n]) => ({ value: n, labels: { shard: s.name, table } }))),
    ),
    collected('lab_shard_pool_connections', "The lab's pool to the shard: size, idle, and requests waiting for a connection.", 'gauge', () =>
      shards().flatMap((s) => (['size', 'idle', 'waiting'] as const).map((state) => ({ value: s.pool[state], labels: { shard: s.name, state } }))),
    ),
    collected('lab_shard_replication_lag_seconds', 'Replay lag of each streaming replica of the shard.', 'gauge', () =>
      shards().flatMap((s) => s.replicas.flatMap((r) => (r.lag_ms === null ? [] : [{ value: r.lag_ms / 1000, labels: { shard: s.name, replica: r.name } }]))),
    ),
    collected('lab_shard_replication_lag_bytes', 'WAL the primary has written that each streaming replica has not replayed yet.', 'gauge', () =>
      shards().flatMap((s) => s.replicas.flatMap((r) => (r.lag_bytes === null ? [] : [{ value: r.lag_bytes, labels: { shard: s.name, replica: r.name } }]))),
    ),
    collected('lab_reads_total', 'Reads by key, by the server that answered (the read policy decides), over all workers.', 'counter', () => {
      const r = reads();
      return [
        { value: r.primary_reads, labels: { served_by: 'primary' } },
        { value: r.replica_reads, labels: { served_by: 'replica' } },
      ];
    }),
    collected('lab_stale_reads_total', 'Replica reads that missed a row or a version the primary had.', 'counter', () => [{ value: reads().stale_reads }]),
    collected('lab_loadtest_running', '1 while a load test runs.', 'gauge', () => [{ value: loadtestRunning() ? 1 : 0 }]),
  ];
  for (const m of metricsList) registry.registerMetric(m as unknown as Parameters<Registry['registerMetric']>[0]);
  return registry;
}
