import { z } from 'zod';
import type { ApiRouter } from '../api-router.js';
import { ApiError } from '../errors.js';
import type { Lab } from '../../lab/lab.js';
import { keyFate } from '../../placement/key-fate.js';
import { InvalidKeyError } from '../../sharding/key.js';
import { PAUSES_KEPT } from '../../sharding/write-gate.js';
import { KeyFate, WritePauses } from '../../contracts/key-fate.js';

/**
 * `GET /lab/v1/ids/:id/fate`: one id followed through every ring version the lab has routed by, and the
 * requests for it that waited while it moved; `GET /lab/v1/ring/pauses`: every write that waited at the gate.
 */
export function keyFateRoutes(api: ApiRouter, lab: Pick<Lab, 'cluster' | 'ring'>): void {
  api.add(
    {
      method: 'get',
      path: '/ids/:id/fate',
      tag: 'lab: ring',
      summary: "One id's fate: its hash, virtual node, shard and server under every ring version (when it moved), and which shard holds its row now",
      params: z.strictObject({ id: z.string() }),
      responses: { 200: { description: 'the fate', schema: KeyFate } },
    },
    async ({ res, params }) => {
      try {
        res.json(await keyFate(lab.cluster, lab.ring.history, params.id, lab.ring.gate.pauses));
      } catch (err) {
        if (err instanceof InvalidKeyError) throw new ApiError(400, 'invalid_id', `'${params.id}' is not a UUID (8-4-4-4-12 hex digits).`, { field: 'id' });
        throw err;
      }
    },
  );
  api.add(
    {
      method: 'get',
      path: '/ring/pauses',
      tag: 'lab: ring',
      summary:
        "The writes that waited at the write gate (a reshard's verify and cutover pauses, a promotion): which request, which keys, how long, their shard before and after",
      description: 'Every API process reports its own: with prefork workers (LAB_WORKERS), each pause names the worker that served it.',
      responses: { 200: { description: 'the pauses, newest first', schema: WritePauses } },
    },
    ({ res }) => {
      res.json({ pauses: [...lab.ring.gate.pauses].reverse(), kept: PAUSES_KEPT });
    },
  );
}
