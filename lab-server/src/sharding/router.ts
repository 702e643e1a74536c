import { HASH_SPACE, ringHash } from './hash.js';
import { normalizeKey } from './key.js';
import type { ShardingStrategy } from './strategy.js';

/** The HTTP API's JSON shape, hence snake_case. */
export interface Route {
  key: string;
  normalized_key: string;
  hash: number;
  vnode: string | null;
  shard_id: number;
  shard_name: string;
}

/** A route for a bare hash, before any key is involved. */
export type HashRoute = Omit<Route, 'key' | 'normalized_key'>;

/** Key → normalised key → ringHash → strategy → shard name. */
export class Router {
  private readonly shardNames: readonly string[];

  constructor(
    readonly strategy: ShardingStrategy,
    shardNames: readonly string[],
  ) {
    if (shardNames.length !== strategy.shardCount) {
      throw new RangeError(
        `${strategy.name} has ${strategy.shardCount} shards but ${shardNames.length} names were given`,
      );
    }
    this.shardNames = [...shardNames];
  }

  /** Throws InvalidKeyError when rawKey is not a UUID. */
  route(rawKey: string): Route {
    const normalized = normalizeKey(rawKey);
    return { key: rawKey, normalized_key: normalized, ...this.routeHash(ringHash(normalized)) };
  }

  shardFor(rawKey: string): number {
    return this.route(rawKey).shard_id;
  }

  routeHash(hash: number): HashRoute {
    if (!Number.isInteger(hash) || hash < 0 || hash >= HASH_SPACE) {
      throw new RangeError(`hash must be an integer in [0, 2^32), got ${hash}`);
    }
    const { shardIndex, vnode } = this.strategy.locate(hash);
    const shardName = this.shardNames[shardIndex];
    // Unreachable for a well-formed strategy; guards noUncheckedIndexedAccess honestly.
    if (shardName === undefined) {
      throw new Error(`${this.strategy.name} returned shard ${shardIndex} of ${this.shardNames.length}`);
    }
    return { hash, vnode, shard_id: shardIndex, shard_name: shardName };
  }
}
