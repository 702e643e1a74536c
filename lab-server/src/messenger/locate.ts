import { InvalidInputError } from '../domain/errors.js';
import { InvalidKeyError } from '../sharding/key.js';
import type { Router } from '../sharding/router.js';

export interface LocatedId {
  /** The canonical lower-case UUID. */
  id: string;
  shard: number;
}

/** Routes an id from a request: its canonical form and its shard, or invalid input naming what was expected. */
export function locate(router: Router, rawId: string, what: string, field = 'id'): LocatedId {
  try {
    const route = router.route(rawId);
    return { id: route.normalized_key, shard: route.shard_id };
  } catch (err) {
    if (err instanceof InvalidKeyError) {
      throw new InvalidInputError('invalid_id', `'${rawId}' is not a valid ${what} id (expected a UUID).`, { field });
    }
    throw err;
  }
}
