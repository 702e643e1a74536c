import { Router as ExpressRouter } from 'express';
import type { Cluster } from '../cluster/cluster.js';

/** `GET /health`: measured now, not remembered — 503 with status "degraded" when any shard does not answer. */
export function healthRoutes(cluster: Pick<Cluster, 'health' | 'info'>): ExpressRouter {
  const r = ExpressRouter();
  r.get('/health', async (_req, res) => {
    await cluster.health.check();
    const shards = cluster.info().map((s) => ({ name: s.name, healthy: s.status === 'up' }));
    const ok = shards.every((s) => s.healthy);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', shards });
  });
  return r;
}
