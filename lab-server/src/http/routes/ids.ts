import { z } from 'zod';
import type { ApiRouter } from '../api-router.js';
import { ApiError } from '../errors.js';
import { uuidAnatomy } from '../../values/uuid.js';

const IdAnatomySchema = z
  .object({
    id: z.string().describe('the id, lower-cased'),
    version: z.number().describe('7: time-ordered; 4: random'),
    variant_bits: z.string().describe('the variant bits; 10 for RFC 9562 ids'),
    unix_ms: z.number().nullable().describe('version 7: the Unix time in ms held by the first 48 bits'),
    time: z.string().nullable().describe('unix_ms as an ISO date'),
    fields: z.array(z.object({ name: z.enum(['unix_ts_ms', 'ver', 'rand_a', 'var + rand_b', 'random']), hex: z.string(), bits: z.number() })),
    random_bits: z.number(),
  })
  .meta({ id: 'IdAnatomy' });

/** `GET /lab/v1/ids/:id`: a UUID's fields — for a UUIDv7, the time it was minted. */
export function idRoutes(api: ApiRouter): void {
  api.add(
    {
      method: 'get',
      path: '/ids/:id',
      tag: 'lab: ring',
      summary: "A UUID's anatomy: version, variant, and for a UUIDv7 the millisecond it was minted",
      params: z.strictObject({ id: z.string() }),
      responses: { 200: { description: 'its fields', schema: IdAnatomySchema } },
    },
    ({ res, params }) => {
      const a = uuidAnatomy(params.id);
      if (!a) throw new ApiError(400, 'invalid_id', `'${params.id}' is not a UUID (8-4-4-4-12 hex digits).`, { field: 'id' });
      res.json(a);
    },
  );
}
