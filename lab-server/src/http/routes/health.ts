import { z } from 'zod';
import type { Cluster } from '../../cluster/cluster.js';
import type { ApiRouter } from '../api-router.js';

const HealthSchema = z
  .object({ status: z.enum(['ok', 'degraded']), shards: z.array(z.object({ name: z.string(), healthy: z.boolean() })) })
  .meta({ id: 'Health' });

/** `GET /health`: measured now, not remembered — 503 with status "degraded" when any shard does not answer. */
export function healthRoutes(api: ApiRouter, cluster: Pick<Cluster, 'health' | 'info'>): void {
  api.add(
    {
      method: 'get',
      path: '/health',
      tag: 'operations',
      summary: 'Shard health, checked when asked',
      responses: {
        200: { description: 'every shard answers', schema: HealthSchema },
        503: { description: 'some shard does not answer', schema: HealthSchema },
      },
    },
    async ({ res }) => {
      await cluster.health.check();
      const shards = cluster.info().map((s) => ({ name: s.name, healthy: s.status === 'up' }));
      const ok = shards.every((s) => s.healthy);
      res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', shards });
    },
  );
}
