import { describe, expect, it } from 'vitest';
import { Router } from './router.js';
import { MAX_POINTS, ringView } from './ring-view.js';
import { createStrategy, defaultShardNames } from './strategies.js';
import golden from './testdata/md5-ring.golden.json' with { type: 'json' };

const pct = (f: number) => Number((f * 100).toFixed(2));

describe('ringView', () => {
  it('gives the original’s shares and movement for 5 → 6 shards', () => {
    const v = ringView({ strategy: 'md5-ring', shards: defaultShardNames(5), vnodes: 150, compareTo: 6 });
    expect(v.shares.map(pct)).toEqual(golden.sharesPercent.find((s) => s.shards === 5)!.percent);
    expect(pct(v.change!.ring_moved_fraction)).toBe(golden.movedPercent.find((m) => m.from === 5 && m.to === 6)!.percent);
    expect(v.change!.modulo_moved_fraction).toBeCloseTo(25 / 30, 6);
    expect(v.change!.ideal_fraction).toBeCloseTo(1 / 6, 12);
    expect(v.change!.moved_fraction).toBe(v.change!.ring_moved_fraction);
  });

  it('lists every virtual node, sorted, and the point a key lands on', () => {
    const names = defaultShardNames(3);
    const v = ringView({ strategy: 'md5-ring', shards: names, vnodes: 4, key: '00000000-0000-0000-0000-000000000001' });
    expect(v.points).toHaveLength(12);
    expect(v.points!.map((p) => p.point)).toEqual([...v.points!.map((p) => p.point)].sort((a, b) => a - b));
    const route = new Router(createStrategy('md5-ring', names, 4), names).route('00000000-0000-0000-0000-000000000001');
    expect(v.lookup).toMatchObject({ shard_name: route.shard_name, hash: route.hash, vnode: route.vnode });
    expect(v.lookup!.point).toBe(v.points!.find((p) => p.point >= route.hash)?.point ?? v.points![0]!.point);
  });

  it('names added shards after the highest one in use, never reusing a name', () => {
    const v = ringView({ strategy: 'md5-ring', shards: ['shard-0', 'shard-2', 'shard-5'], vnodes: 150, compareTo: 4 });
    // Adding shard-6 only steals: what moves is exactly its share of the 4-shard ring.
    const after = ringView({ strategy: 'md5-ring', shards: ['shard-0', 'shard-2', 'shard-5', 'shard-6'], vnodes: 150 });
    expect(v.change!.ring_moved_fraction).toBeCloseTo(after.shares[3]!, 12);
  });

  it('leaves points out when there are too many to draw, and for modulo', () => {
    expect(ringView({ strategy: 'md5-ring', shards: defaultShardNames(32), vnodes: 1000 }).points).toBeNull();
    expect(32 * 1000).toBeGreaterThan(MAX_POINTS);
    const mod = ringView({ strategy: 'modulo', shards: defaultShardNames(4), vnodes: 150, compareTo: 5 });
    expect(mod.points).toBeNull();
    expect(mod.vnodes).toBeNull();
    expect(mod.change!.moved_fraction).toBe(mod.change!.modulo_moved_fraction);
  });
});
