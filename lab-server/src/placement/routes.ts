import { Router as ExpressRouter } from 'express';
import type { Lab } from '../lab/lab.js';
import { auditPlacement } from './audit.js';

/** `GET /lab/v1/placement`: rows per shard and how many the current ring routes elsewhere (orphans). */
export function placementRoutes(lab: Lab): ExpressRouter {
  const r = ExpressRouter();
  r.get('/placement', async (_req, res) => {
    res.json(await auditPlacement(lab.cluster, lab.router, lab.topology().ring.version));
  });
  return r;
}
