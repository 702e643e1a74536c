import { HASH_SPACE, ringHash } from './hash.js';
import type { Arc, Placement, ShardingStrategy } from './strategy.js';

export interface RingPoint {
  point: number;
  vnode: string;
  shardIndex: number;
}

/**
 * Consistent-hash ring, reproducing the original Go project exactly:
 * shard i contributes `vnodes` points at ringHash(`${name}-vn${j}`), and a hash
 * belongs to the first point at or after it, wrapping past the top.
 */
export class Md5Ring implements ShardingStrategy {
  readonly name = 'md5-ring';
  readonly shardCount: number;
  readonly vnodes: number;
  private readonly ring: readonly RingPoint[];

  constructor(shardNames: readonly string[], vnodes: number) {
    if (shardNames.length === 0) throw new RangeError('md5-ring needs at least one shard');
    if (!Number.isInteger(vnodes) || vnodes < 1) {
      throw new RangeError(`vnodes must be an integer >= 1, got ${vnodes}`);
    }
    this.shardCount = shardNames.length;
    this.vnodes = vnodes;

    // Keyed by point, so on a collision the later-added shard overwrites the
    // earlier one, as the Go map did. None occur for 1–8 shards × 150 vnodes.
    const byPoint = new Map<number, RingPoint>();
    shardNames.forEach((name, shardIndex) => {
      for (let j = 0; j < vnodes; j++) {
        const vnode = `${name}-vn${j}`;
        const point = ringHash(vnode);
        byPoint.set(point, { point, vnode, shardIndex });
      }
    });
    this.ring = [...byPoint.values()].sort((a, b) => a.point - b.point);
  }

  locate(hash: number): Placement {
    const owner = this.ring[this.firstAtOrAfter(hash)] ?? this.first();
    return { shardIndex: owner.shardIndex, vnode: owner.vnode, point: owner.point };
  }

  /** Ring points, sorted ascending. */
  points(): RingPoint[] {
    return this.ring.map((p) => ({ ...p }));
  }

  /**
   * Contiguous owned ranges in ascending order, covering [0, 2^32-1]; adjacent
   * ranges with the same owner are merged. The wrap-around segment appears
   * twice: [0, first point] at the start and (last point, 2^32-1] at the end,
   * both owned by the first point's shard.
   */
  arcs(): Arc[] {
    const arcs: Arc[] = [];
    const push = (start: number, end: number, shardIndex: number): void => {
      const prev = arcs[arcs.length - 1];
      if (prev && prev.shardIndex === shardIndex) prev.end = end;
      else arcs.push({ start, end, shardIndex });
    };
    let start = 0;
    for (const p of this.ring) {
      push(start, p.point, p.shardIndex);
      start = p.point + 1;
    }
    if (start < HASH_SPACE) push(start, HASH_SPACE - 1, this.first().shardIndex);
    return arcs;
  }

  shares(): number[] {
    const owned = new Array<number>(this.shardCount).fill(0);
    for (const a of this.arcs()) owned[a.shardIndex] = (owned[a.shardIndex] ?? 0) + a.end - a.start + 1;
    return owned.map((n) => n / HASH_SPACE);
  }

  /** Index of the first point >= hash, or ring.length when hash is past the last point. */
  private firstAtOrAfter(hash: number): number {
    let lo = 0;
    let hi = this.ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ring[mid]?.point ?? HASH_SPACE) < hash) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private first(): RingPoint {
    const p = this.ring[0];
    // Unreachable: the constructor guarantees at least one shard and one vnode.
    if (!p) throw new Error('empty ring');
    return p;
  }
}
