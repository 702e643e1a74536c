import { z } from 'zod';
import type { ApiRouter } from '../api-router.js';
import { ApiError } from '../errors.js';
import type { Lab } from '../../lab/lab.js';
import { keyFate } from '../../placement/key-fate.js';
import { InvalidKeyError } from '../../sharding/key.js';

const KeyFateSchema = z
  .object({
    key: z.string().describe('the id, lower-cased'),
    hash: z.string().describe('MD5 of the id, first 4 bytes: its place on the ring (the same under every version)'),
    steps: z
      .array(
        z.object({
          version: z.number(),
          reason: z.string().describe('why the ring changed: initial ring, add shard-5 (rebalanced), promote …'),
          created_at: z.string(),
          strategy: z.enum(['md5-ring', 'modulo']),
          vnodes: z.number().nullable(),
          shard_count: z.number(),
          point: z.number().nullable().describe('the first ring point clockwise from the hash (md5-ring)'),
          vnode: z.string().nullable(),
          shard: z.string(),
          port: z.number().nullable().describe("that shard's primary under this version"),
          moved: z.boolean().describe('the shard differs from the version before'),
          server_changed: z.boolean().describe('same shard, another primary server (a promotion)'),
        }),
      )
      .describe('every ring version, oldest first'),
    moves: z.number(),
    now: z.object({ shard: z.string(), port: z.number().nullable(), replica_port: z.number().nullable() }),
    rows: z
      .array(z.object({ shard: z.string(), found: z.boolean().nullable().describe('null: the shard is down') }))
      .describe('where a users row with this id is now'),
    verdict: z
      .enum(['routed', 'misplaced', 'absent'])
      .describe('routed: the row is where the ring sends reads; misplaced: elsewhere (reads miss); absent: on no shard'),
  })
  .meta({ id: 'KeyFate' });

/** `GET /lab/v1/ids/:id/fate`: one id followed through every ring version the lab has routed by. */
export function keyFateRoutes(api: ApiRouter, lab: Pick<Lab, 'cluster' | 'ring'>): void {
  api.add(
    {
      method: 'get',
      path: '/ids/:id/fate',
      tag: 'lab: ring',
      summary: "One id's fate: its hash, virtual node, shard and server under every ring version (when it moved), and which shard holds its row now",
      params: z.strictObject({ id: z.string() }),
      responses: { 200: { description: 'the fate', schema: KeyFateSchema } },
    },
    async ({ res, params }) => {
      try {
        res.json(await keyFate(lab.cluster, lab.ring.history, params.id));
      } catch (err) {
        if (err instanceof InvalidKeyError) throw new ApiError(400, 'invalid_id', `'${params.id}' is not a UUID (8-4-4-4-12 hex digits).`, { field: 'id' });
        throw err;
      }
    },
  );
}
