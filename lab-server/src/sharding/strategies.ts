import { Md5Ring } from './md5-ring.js';
import { Modulo } from './modulo.js';
import { Router } from './router.js';
import type { ShardingStrategy, StrategyName } from './strategy.js';

/** A tuple (not just StrategyName[]) so it can feed z.enum() and UI pickers. */
export const STRATEGY_NAMES = ['md5-ring', 'modulo'] as const satisfies readonly StrategyName[];

/** The original project's vnode count per shard. */
export const DEFAULT_VNODES = 150;

/** The lab's naming convention, `shard-0 … shard-(n-1)`, which ring points are derived from. */
export function defaultShardNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `shard-${i}`);
}

/** `vnodes` only applies to the ring; modulo ignores it. */
export function createStrategy(name: StrategyName, shardNames: readonly string[], vnodes = DEFAULT_VNODES): ShardingStrategy {
  switch (name) {
    case 'md5-ring':
      return new Md5Ring(shardNames, vnodes);
    case 'modulo':
      return new Modulo(shardNames.length);
  }
}

/** The router of a ring as the catalog stores it: its strategy, vnode count and shards (stable ids and names). */
export function routerFor(ring: { strategy: StrategyName; vnodes: number | null; shards: readonly { id: number; name: string }[] }): Router {
  const names = ring.shards.map((s) => s.name);
  return new Router(
    createStrategy(ring.strategy, names, ring.vnodes ?? undefined),
    names,
    ring.shards.map((s) => s.id),
  );
}
