import { z } from 'zod';
import { Md5Ring } from './md5-ring.js';
import { movedFraction } from './movement.js';
import { Router, type Route } from './router.js';
import { createStrategy } from './strategies.js';
import type { ShardingStrategy, StrategyName } from './strategy.js';

/** What the ring widget draws: the real points and shares, a key's lookup, and what moves when N changes. */
export interface RingView {
  strategy: StrategyName;
  shards: string[];
  vnodes: number | null;
  /** Sorted ring points (md5-ring only); null when there are more than MAX_POINTS or the strategy has none. */
  points: { point: number; shard: number }[] | null;
  /** Fraction of the hash space each shard (by position in `shards`) owns. */
  shares: number[];
  lookup: (Route & { point: number | null }) | null;
  change: RingChange | null;
}

/** What moves when the shard count changes; the control API and the `ring` command read it with this schema. */
export const RingChangeSchema = z.object({
  to_shards: z.number(),
  moved_fraction: z.number().describe('the same strategy and vnodes over to_shards shards'),
  ring_moved_fraction: z.number(),
  modulo_moved_fraction: z.number(),
  ideal_fraction: z.number().describe("what a perfect scheme would move: only the new shard's fair share (or the removed shard's)"),
});
export type RingChange = z.output<typeof RingChangeSchema>;

/** Beyond this the drawing would be a solid circle anyway, and the JSON would grow past a megabyte. */
export const MAX_POINTS = 20_000;

export interface RingViewParams {
  strategy: StrategyName;
  shards: readonly string[];
  vnodes: number;
  key?: string | undefined;
  compareTo?: number | undefined;
}

/**
 * Builds the view with the lab's own sharding module (the browser never hashes). Hypothetical layouts
 * use the lab's shard names, `shard-0 … shard-(n-1)`, so the vnode points are the ones a real cluster of
 * that size would have.
 */
export function ringView(p: RingViewParams): RingView {
  const strategy = createStrategy(p.strategy, p.shards, p.vnodes);
  const router = new Router(strategy, p.shards);
  const view: RingView = {
    strategy: p.strategy,
    shards: [...p.shards],
    vnodes: strategy.vnodes,
    points: pointsOf(strategy),
    shares: strategy.shares(),
    lookup: null,
    change: null,
  };
  if (p.key !== undefined) {
    const route = router.route(p.key);
    view.lookup = { ...route, point: strategy.locate(route.hash).point };
  }
  if (p.compareTo !== undefined) view.change = changeTo(p, p.compareTo);
  return view;
}

/** `shard-<n>` names after the highest number in use, so they never collide with an existing shard. */
function newNames(existing: readonly string[], count: number): string[] {
  const next = existing.reduce((max, name) => Math.max(max, Number(/^shard-(\d+)$/.exec(name)?.[1] ?? -1)), -1) + 1;
  return Array.from({ length: count }, (_, i) => `shard-${next + i}`);
}

function pointsOf(strategy: ShardingStrategy): RingView['points'] {
  if (!(strategy instanceof Md5Ring) || strategy.shardCount * strategy.vnodes > MAX_POINTS) return null;
  return strategy.points().map((x) => ({ point: x.point, shard: x.shardIndex }));
}

/** Growing keeps the current names and appends new ones (as the lab names added shards); shrinking drops the last. */
function changeTo(p: RingViewParams, to: number): NonNullable<RingView['change']> {
  const from = p.shards.length;
  const namesAfter = to >= from ? [...p.shards, ...newNames(p.shards, to - from)] : p.shards.slice(0, to);
  const moved = (name: StrategyName) =>
    movedFraction(createStrategy(name, p.shards, p.vnodes), createStrategy(name, namesAfter, p.vnodes), p.shards, namesAfter);
  const ring = moved('md5-ring');
  const modulo = moved('modulo');
  return {
    to_shards: to,
    moved_fraction: p.strategy === 'modulo' ? modulo : ring,
    ring_moved_fraction: ring,
    modulo_moved_fraction: modulo,
    ideal_fraction: Math.abs(to - from) / Math.max(to, from),
  };
}
