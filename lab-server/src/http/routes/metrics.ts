import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { ApiRouter } from '../api-router.js';
import { MetricsTickSchema } from '../schemas/metrics.js';
import type { Metrics } from '../../metrics/metrics.js';

/** `GET /lab/v1/metrics`: the latest tick and the last ten minutes, JSON. */
export function metricsRoutes(api: ApiRouter, metrics: Metrics): void {
  api.add(
    {
      method: 'get',
      path: '/metrics',
      tag: 'lab: metrics',
      summary: 'The latest one-second tick and the last ten minutes of them',
      responses: {
        200: { description: 'ticks, oldest first', schema: z.object({ latest: MetricsTickSchema.nullable(), history: z.array(MetricsTickSchema) }) },
      },
    },
    ({ res }) => {
      res.json({ latest: metrics.latest(), history: metrics.recent() });
    },
  );
}

/** `GET /metrics`: Prometheus text. */
export function prometheusRoutes(api: ApiRouter, metrics: Metrics, registry: Registry): void {
  api.add(
    {
      method: 'get',
      path: '/metrics',
      tag: 'operations',
      summary: 'Prometheus metrics: API requests and latency, per-shard QPS, connections, rows, replication lag, pools',
      responses: { 200: { description: 'Prometheus text exposition format', mediaType: 'text/plain', schema: z.string() } },
    },
    async ({ res }) => {
      metrics.flush();
      res.type(registry.contentType).send(await registry.metrics());
    },
  );
}
