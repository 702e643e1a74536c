/** Where a hash landed: the owning shard and, for rings, the virtual node that claimed it. */
export interface Placement {
  shardIndex: number;
  vnode: string | null;
  point: number | null;
}

/** Inclusive hash range [start, end] owned by one shard. */
export interface Arc {
  start: number;
  end: number;
  shardIndex: number;
}

export type StrategyName = 'md5-ring' | 'modulo';

/**
 * One routing function behind one small interface (as Vitess does with
 * vindexes), so the router, movement maths and UI never special-case a scheme.
 */
export interface ShardingStrategy {
  readonly name: StrategyName;
  readonly shardCount: number;
  /** null for strategies without virtual nodes (modulo). */
  readonly vnodes: number | null;
  /** `hash` is ringHash(normalizedKey). */
  locate(hash: number): Placement;
  /** Exact fraction of the 2^32 space owned by each shard index (sums to 1). */
  shares(): number[];
}
