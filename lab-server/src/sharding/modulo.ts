import { HASH_SPACE } from './hash.js';
import type { Placement, ShardingStrategy } from './strategy.js';

/**
 * hash % N: perfectly even, but changing N reassigns almost every key — the
 * baseline the ring is measured against.
 */
export class Modulo implements ShardingStrategy {
  readonly name = 'modulo';
  readonly vnodes = null;

  constructor(readonly shardCount: number) {
    if (!Number.isInteger(shardCount) || shardCount < 1) {
      throw new RangeError(`shard count must be an integer >= 1, got ${shardCount}`);
    }
  }

  locate(hash: number): Placement {
    return { shardIndex: hash % this.shardCount, vnode: null, point: null };
  }

  /** 2^32 = q·N + r, so the first r residues own one extra hash each. */
  shares(): number[] {
    const n = this.shardCount;
    const q = Math.floor(HASH_SPACE / n);
    const r = HASH_SPACE % n;
    return Array.from({ length: n }, (_, i) => (i < r ? q + 1 : q) / HASH_SPACE);
  }
}
