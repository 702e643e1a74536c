import { describe, expect, it } from 'vitest';
import { HASH_SPACE, ringHash } from './hash.js';
import { Md5Ring } from './md5-ring.js';
import { defaultShardNames } from './strategies.js';
import golden from './testdata/md5-ring.golden.json' with { type: 'json' };

const percent = (fraction: number): number => Number((fraction * 100).toFixed(2));
const ringOf = (shards: number, vnodes = golden.vnodes): Md5Ring => new Md5Ring(defaultShardNames(shards), vnodes);

describe('Md5Ring shares (golden)', () => {
  it.each(golden.sharesPercent)('$shards shards ($source)', ({ shards, percent: expected }) => {
    expect(ringOf(shards).shares().map(percent)).toEqual(expected);
  });

  it('shares sum to exactly 1', () => {
    for (let n = 1; n <= 8; n++) {
      const ring = ringOf(n);
      const owned = ring.arcs().reduce((sum, a) => sum + a.end - a.start + 1, 0);
      expect(owned).toBe(HASH_SPACE);
      expect(ring.shares().reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    }
  });

  it.each(golden.balanceByVnodes.rows)('5 shards × $vnodes vnodes: min/max share', ({ vnodes, minPercent, maxPercent }) => {
    const shares = ringOf(golden.balanceByVnodes.shards, vnodes).shares();
    expect([percent(Math.min(...shares)), percent(Math.max(...shares))]).toEqual([minPercent, maxPercent]);
  });
});

describe('Md5Ring points', () => {
  it('starts with the golden first three points (5 shards)', () => {
    const first = ringOf(5).points().slice(0, 3);
    expect(first.map(({ point, shardIndex }) => ({ point, shardIndex }))).toEqual(golden.firstPointsOf5.points);
    for (const p of first) expect(ringHash(p.vnode)).toBe(p.point);
  });

  it('has no collisions for 1–8 shards × 150 vnodes, and points are sorted', () => {
    for (let n = 1; n <= 8; n++) {
      const points = ringOf(n).points();
      expect(points).toHaveLength(n * 150);
      for (let i = 1; i < points.length; i++) expect(points[i]!.point).toBeGreaterThan(points[i - 1]!.point);
    }
  });

  it('names vnodes shard-<i>-vn<j>', () => {
    const vnodes = new Set(
      ringOf(3)
        .points()
        .map((p) => p.vnode),
    );
    expect(vnodes.has('shard-2-vn17')).toBe(true);
    expect(vnodes.has('shard-0-vn149')).toBe(true);
    expect(vnodes.has('shard-0-vn150')).toBe(false);
  });

  it('gives a colliding point to the later-added shard, as the Go map did', () => {
    const [a, b] = golden.collision.names as [string, string];
    expect(ringHash(`${a}-vn0`)).toBe(golden.collision.point);
    expect(ringHash(`${b}-vn0`)).toBe(golden.collision.point);

    const ab = new Md5Ring([a, b], 1);
    expect(ab.points()).toEqual([{ point: golden.collision.point, vnode: `${b}-vn0`, shardIndex: 1 }]);
    expect(ab.shares()).toEqual([0, 1]);

    const ba = new Md5Ring([b, a], 1);
    expect(ba.locate(0)).toEqual({ shardIndex: 1, vnode: `${a}-vn0`, point: golden.collision.point });
  });
});

describe('Md5Ring.locate', () => {
  const ring = ringOf(5);
  const points = ring.points();
  const first = points[0]!;
  const last = points[points.length - 1]!;

  it('returns the first point >= hash', () => {
    const p = points[10]!;
    const next = points[11]!;
    expect(ring.locate(p.point)).toEqual({ shardIndex: p.shardIndex, vnode: p.vnode, point: p.point });
    expect(ring.locate(p.point + 1)).toEqual({ shardIndex: next.shardIndex, vnode: next.vnode, point: next.point });
    expect(ring.locate(0).vnode).toBe(first.vnode);
  });

  it('wraps past the last point to the first', () => {
    expect(ring.locate(last.point).vnode).toBe(last.vnode);
    expect(ring.locate(last.point + 1).vnode).toBe(first.vnode);
    expect(ring.locate(HASH_SPACE - 1).vnode).toBe(first.vnode);
  });

  it('agrees with arcs() at every arc boundary', () => {
    for (const arc of ring.arcs()) {
      expect(ring.locate(arc.start).shardIndex).toBe(arc.shardIndex);
      expect(ring.locate(arc.end).shardIndex).toBe(arc.shardIndex);
    }
  });
});

describe('Md5Ring.arcs', () => {
  it('covers [0, 2^32-1] contiguously, with owners alternating', () => {
    const arcs = ringOf(4).arcs();
    expect(arcs[0]!.start).toBe(0);
    expect(arcs[arcs.length - 1]!.end).toBe(HASH_SPACE - 1);
    for (let i = 1; i < arcs.length; i++) {
      expect(arcs[i]!.start).toBe(arcs[i - 1]!.end + 1);
      expect(arcs[i]!.shardIndex).not.toBe(arcs[i - 1]!.shardIndex);
    }
  });

  it('splits the wrap-around segment across both ends, owned by the first point', () => {
    const ring = ringOf(5);
    const arcs = ring.arcs();
    const points = ring.points();
    expect(arcs[0]).toEqual({ start: 0, end: points[0]!.point, shardIndex: 1 });
    const tail = arcs[arcs.length - 1]!;
    expect(tail.shardIndex).toBe(1);
    expect(tail.end).toBe(HASH_SPACE - 1);
    // Here the last point is shard 1's too, so the tail merged with its arc.
    expect(points[points.length - 1]!.shardIndex).toBe(1);
    expect(tail.start).toBeLessThan(points[points.length - 1]!.point);
  });

  it('starts the tail right after the last point unless the last point shares the first point’s owner', () => {
    for (let n = 2; n <= 8; n++) {
      const ring = ringOf(n);
      const points = ring.points();
      const first = points[0]!;
      const last = points[points.length - 1]!;
      const tail = ring.arcs().at(-1)!;
      expect(tail.shardIndex).toBe(first.shardIndex);
      if (last.shardIndex !== first.shardIndex) expect(tail.start).toBe(last.point + 1);
      else expect(tail.start).toBeLessThanOrEqual(last.point);
    }
  });

  it('is a single arc for one shard', () => {
    expect(ringOf(1).arcs()).toEqual([{ start: 0, end: HASH_SPACE - 1, shardIndex: 0 }]);
  });
});

describe('Md5Ring validation', () => {
  it.each([0, -1, 1.5, Number.NaN])('rejects vnodes = %s', (vnodes) => {
    expect(() => new Md5Ring(['shard-0'], vnodes)).toThrow(RangeError);
  });

  it('rejects an empty shard list', () => {
    expect(() => new Md5Ring([], 150)).toThrow(RangeError);
  });

  it('reports its parameters', () => {
    const ring = ringOf(3, 20);
    expect([ring.name, ring.shardCount, ring.vnodes]).toEqual(['md5-ring', 3, 20]);
  });
});
