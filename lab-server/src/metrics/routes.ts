import { Router as ExpressRouter } from 'express';
import type { Registry } from 'prom-client';
import type { Metrics } from './metrics.js';

/** `GET /lab/v1/metrics` (the latest tick and the last ten minutes, JSON) and `GET /metrics` (Prometheus text). */
export function metricsRoutes(metrics: Metrics, registry: Registry): ExpressRouter {
  const r = ExpressRouter();
  r.get('/lab/v1/metrics', (_req, res) => {
    res.json({ latest: metrics.latest(), history: metrics.recent() });
  });
  r.get('/metrics', async (_req, res) => {
    metrics.flush();
    res.type(registry.contentType).send(await registry.metrics());
  });
  return r;
}
