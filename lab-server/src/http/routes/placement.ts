import { z } from 'zod';
import type { ApiRouter } from '../api-router.js';
import type { Lab } from '../../lab/lab.js';
import { auditPlacement } from '../../placement/audit.js';

const PlacementReportSchema = z
  .object({
    ring_version: z.number().nullable(),
    strategy: z.string(),
    shards: z.array(
      z.object({
        shard_name: z.string(),
        in_ring: z.boolean(),
        reachable: z.boolean(),
        tables: z.array(z.object({ table: z.string(), rows: z.number(), misplaced: z.number() })).describe('per table that has a ring_hash column'),
        rows: z.number(),
        misplaced: z.number(),
        sample: z.array(z.object({ id: z.string(), routes_to: z.string() })).describe('a few misplaced users and the shard the ring sends them to'),
      }),
    ),
    total_rows: z.number(),
    total_misplaced: z.number(),
  })
  .meta({ id: 'PlacementReport' });

/** `GET /lab/v1/placement`: rows per shard and how many the current ring routes elsewhere (orphans). */
export function placementRoutes(api: ApiRouter, lab: Pick<Lab, 'cluster' | 'ring' | 'topology'>): void {
  api.add(
    {
      method: 'get',
      path: '/placement',
      tag: 'lab: ring',
      summary: 'Rows per shard and how many the current ring routes elsewhere (orphans)',
      responses: { 200: { description: 'the audit', schema: PlacementReportSchema } },
    },
    async ({ res }) => {
      res.json(await auditPlacement(lab.cluster, lab.ring.router, lab.topology().ring.version));
    },
  );
}
