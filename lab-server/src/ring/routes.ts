import { Router as ExpressRouter } from 'express';
import { z } from 'zod';
import { ApiError } from '../http/errors.js';
import { parse } from '../http/validation.js';
import type { Lab } from '../lab/lab.js';
import { InvalidKeyError } from '../sharding/key.js';
import { ringView } from '../sharding/ring-view.js';
import { defaultShardNames, STRATEGY_NAMES } from '../sharding/strategies.js';

const int = (what: string, min: number, max: number) =>
  z.coerce.number({ error: `${what} must be a number` }).int(`${what} must be an integer`).min(min, `${what} must be at least ${min}`).max(max, `${what} must be at most ${max}`);

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

/**
 * `GET /lab/v1/ring`: the ring the lab routes with (no parameters), or a hypothetical one (`shards`, `vnodes`,
 * `strategy`), with a key's lookup (`key`) and what would move going to `compare_to` shards.
 */
export function ringRoutes(lab: Lab): ExpressRouter {
  const r = ExpressRouter();
  r.get('/ring', (req, res) => {
    const q = parse(RingQuery, req.query, 'query');
    const live = lab.router;
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
  });
  return r;
}
