import { z } from 'zod';
import type { ApiRouter } from '../api-router.js';
import { decimalQuery } from '../../values/decimal-query.js';
import { ApiError } from '../errors.js';
import type { Lab } from '../../lab/lab.js';
import { RouteSchema } from '../schemas/lab.js';
import { InvalidKeyError } from '../../sharding/key.js';
import { RingChangeSchema, ringView } from '../../sharding/ring-view.js';
import { defaultShardNames, STRATEGY_NAMES } from '../../sharding/strategies.js';

const int = (what: string, min: number, max: number) =>
  decimalQuery(what).pipe(z.number().int().min(min, `${what} must be at least ${min}`).max(max, `${what} must be at most ${max}`));

const RingQuery = z.strictObject(
  {
    shards: int('shards', 1, 32).optional(),
    vnodes: int('vnodes', 1, 1000).optional(),
    strategy: z.enum(STRATEGY_NAMES, { error: `strategy must be one of ${STRATEGY_NAMES.join(', ')}` }).optional(),
    key: z.string().min(1, 'key must not be empty').optional(),
    compare_to: int('compare_to', 1, 32).optional(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown parameter(s): ${iss.keys.join(', ')}` : 'bad query') },
);

const RingViewSchema = z
  .object({
    strategy: z.enum(STRATEGY_NAMES),
    shards: z.array(z.string()),
    vnodes: z.number().nullable(),
    points: z
      .array(z.object({ point: z.number(), shard: z.number() }))
      .nullable()
      .describe('sorted ring points (md5-ring only); null when too many or none'),
    shares: z.array(z.number()).describe('fraction of the hash space each shard (by position in shards) owns'),
    lookup: RouteSchema.extend({ point: z.number().nullable() }).nullable(),
    change: RingChangeSchema.nullable(),
  })
  .meta({ id: 'RingView' });

/**
 * `GET /lab/v1/ring`: the ring the lab routes with (no parameters), or a hypothetical one (`shards`, `vnodes`,
 * `strategy`), with a key's lookup (`key`) and what would move going to `compare_to` shards.
 */
export function ringRoutes(api: ApiRouter, lab: Pick<Lab, 'config' | 'ring'>): void {
  api.add(
    {
      method: 'get',
      path: '/ring',
      tag: 'lab: ring',
      summary: "The ring the lab routes with, or a hypothetical one, with a key's lookup and what a change of shard count moves",
      query: RingQuery,
      responses: { 200: { description: 'the ring', schema: RingViewSchema } },
    },
    ({ res, query: q }) => {
      const live = lab.ring.router;
      const shards = q.shards === undefined ? [...live.names] : defaultShardNames(q.shards);
      try {
        res.json(
          ringView({
            strategy: q.strategy ?? live.strategy.name,
            shards,
            vnodes: q.vnodes ?? live.strategy.vnodes ?? lab.config.vnodes,
            key: q.key,
            compareTo: q.compare_to ?? shards.length + 1,
          }),
        );
      } catch (err) {
        if (err instanceof InvalidKeyError) throw new ApiError(400, 'invalid_key', `${err.message}; keys are user ids (UUIDs).`, { field: 'key' });
        throw err;
      }
    },
  );
}
