import { HASH_SPACE, ringHash } from './hash.js';
import { normalizeKey } from './key.js';
import type { ShardingStrategy } from './strategy.js';
import { inSpanSync } from '../tracing/tracing.js';

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

/**
 * Key → normalised key → ringHash → strategy → shard. The strategy picks a position in `shardNames`;
 * `shardIds` (default: the positions) gives each shard's stable id, which survives other shards being removed.
 */
export class Router {
  private readonly shardNames: readonly string[];
  private readonly shardIds: readonly number[];

  constructor(
    readonly strategy: ShardingStrategy,
    shardNames: readonly string[],
    shardIds: readonly number[] = shardNames.map((_, i) => i),
  ) {
    if (shardNames.length !== strategy.shardCount || shardIds.length !== shardNames.length) {
      throw new RangeError(`${strategy.name} has ${strategy.shardCount} shards but ${shardNames.length} names and ${shardIds.length} ids were given`);
    }
    this.shardNames = [...shardNames];
    this.shardIds = [...shardIds];
  }

  get names(): readonly string[] {
    return this.shardNames;
  }

  /** The ids of the shards this ring routes to (a shard being added or drained may not be among them). */
  get ids(): readonly number[] {
    return this.shardIds;
  }

  /** Throws InvalidKeyError when rawKey is not a UUID. */
  route(rawKey: string): Route {
    return inSpanSync(
      'ring lookup',
      () => {
        const normalized = normalizeKey(rawKey);
        return { key: rawKey, normalized_key: normalized, ...this.routeHash(ringHash(normalized)) };
      },
      (r, span) => span.setAttributes(this.spanAttributes(r.normalized_key, r)),
    );
  }

  /** What a traced ring lookup records: the key, its point on the ring, the virtual node and the shard. */
  spanAttributes(key: string, r: HashRoute): Record<string, string> {
    return {
      'lab.key': key,
      'lab.ring.strategy': this.strategy.name,
      'lab.ring.hash': `0x${r.hash.toString(16).padStart(8, '0')}`,
      'lab.ring.vnode': r.vnode ?? '',
      'lab.shard': r.shard_name,
    };
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
    return { hash, vnode, shard_id: this.shardIds[shardIndex]!, shard_name: shardName };
  }
}
